// "Display as Kanban": a column per stage with its count and MRR total per
// currency, each paged on its own as it scrolls; drag a card (HTML5 drag and
// drop) or use its "Move to stage…" menu. The server's gates decide: a
// refused move puts the card back and its message is announced.

import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { useMe } from "../lib/me";
import { boardReducer, initialBoard, type Card, type Column } from "../lib/board";
import { AUTOMATIC, PATHS, isRecordType, isStage, stageLabel, type RecordType } from "../lib/domain";
import { formatCount, formatMoney } from "../lib/money";
import { DateText, ErrorMessage, errorText, useAnnouncer } from "../components/ui";
import { RecordLink } from "../components/Names";
import { canEdit } from "../lib/domain";
import { setQuery } from "../lib/router";

type P = Card & { name: string; account_id: string; currency_code: string; close_date: string; owner_id: string; partner_id: string; cost_info: { mrr: string } };

const PAGE = 10;

function Totals({ c }: { c: Column }) {
  const entries = Object.entries(c.mrr_total);
  return (
    <p class="totals" data-testid={`totals-${c.stage}`}>
      <span class="count">
        {formatCount(c.count)} project{c.count === 1 ? "" : "s"}
      </span>
      {entries.length > 0 && " · MRR "}
      {entries.map(([cur, amt], i) => (
        <span key={cur}>
          {i > 0 && ", "}
          {formatMoney(amt, cur)}
        </span>
      ))}
    </p>
  );
}

export function Kanban() {
  const me = useMe();
  const q = new URLSearchParams(location.search);
  const asked = q.get("record_type") ?? "";
  const [recordType, setRecordType] = useState<RecordType>(isRecordType(asked) ? asked : "new_business");
  const view = q.get("view") || "";
  const [state, dispatch] = useReducer(boardReducer<P>, initialBoard<P>());
  const [error, setError] = useState<unknown>(null);
  const [alert, setAlert] = useState("");
  const [announce, say] = useAnnouncer();
  const [over, setOver] = useState("");
  const params = { record_type: recordType, view, page_size: PAGE };

  const load = async () => {
    setError(null);
    try {
      const b = await ok<{ columns: Column<P>[] }>(api.GET("/api/v1/projects/board", { params: { query: params } }));
      dispatch({ type: "loaded", columns: b.columns });
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
  }, [recordType, view]);

  const more = async (c: Column<P>) => {
    const stage = c.stage;
    if (!c.next_page_token || c.loading || !isStage(stage)) return;
    dispatch({ type: "loading", stage });
    try {
      const r = await ok<{ items: P[]; next_page_token: string }>(
        api.GET("/api/v1/projects/board/{stage}", { params: { path: { stage }, query: { ...params, page_token: c.next_page_token } } }),
      );
      dispatch({ type: "page", stage: c.stage, items: r.items, next_page_token: r.next_page_token });
    } catch (e) {
      setError(e);
      dispatch({ type: "page", stage: c.stage, items: [], next_page_token: c.next_page_token });
    }
  };

  const move = async (card: P, to: string) => {
    if (card.stage === to) return;
    setAlert("");
    const from = card.stage;
    dispatch({ type: "move", cardId: card.id, to });
    try {
      if (!isStage(to)) throw new Error(`${to} is not a stage`);
      const p = await ok<P>(api.POST("/api/v1/projects/{id}:move", { params: { path: { id: card.id } }, body: { stage: to } }));
      dispatch({ type: "confirm", cardId: card.id, card: p });
      say(`${card.name} moved from ${stageLabel(from)} to ${stageLabel(p.stage)}.`);
      // Totals as the server counts them now.
      const b = await ok<{ columns: Column<P>[] }>(api.GET("/api/v1/projects/board", { params: { query: { ...params, page_size: 1 } } }));
      dispatch({ type: "totals", columns: b.columns });
    } catch (e) {
      dispatch({ type: "revert", cardId: card.id });
      setAlert(`${card.name} stays in ${stageLabel(from)}: ${errorText(e)}`);
    }
  };

  const columns = state.columns;
  const stages = columns.map((c) => c.stage);
  const movable = (s: string) => !AUTOMATIC.has(s);

  return (
    <section class="kanban-page">
      <div class="page-head">
        <h1>Projects: Kanban</h1>
        <div class="actions">
          <label>
            Record type{" "}
            <select
              value={recordType}
              onChange={(e) => {
                const chosen = e.currentTarget.value;
                if (!isRecordType(chosen)) return;
                setRecordType(chosen);
                setQuery({ record_type: chosen });
              }}
            >
              <option value="new_business">New business</option>
              <option value="existing_customer">Existing customer</option>
            </select>
          </label>
          <a class="button secondary" href={`/projects${view ? `?view=${encodeURIComponent(view)}` : ""}`}>
            Display as list
          </a>
        </div>
      </div>
      <p class="hint">Drag a card to another stage, or use its “Move to stage…” menu. Contract out, Order Management and Closed follow by themselves.</p>
      <ErrorMessage error={error} />
      <div class="board-alert" role="alert" aria-live="assertive">
        {alert && <p class="error">{alert}</p>}
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      <div class="board" data-record-type={recordType}>
        {columns
          .filter((c) => (PATHS[recordType] ?? stages).includes(c.stage) || c.stage === "closed_lost")
          .map((c) => (
            <section
              key={c.stage}
              class={over === c.stage ? "column over" : "column"}
              aria-labelledby={`col-${c.stage}`}
              data-stage={c.stage}
              onDragOver={(e) => {
                if (!movable(c.stage)) return;
                e.preventDefault();
                if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
                setOver(c.stage);
              }}
              onDragLeave={() => setOver((o) => (o === c.stage ? "" : o))}
              onDrop={(e) => {
                e.preventDefault();
                setOver("");
                const id = e.dataTransfer?.getData("text/plain");
                const card = columns.flatMap((x) => x.items).find((x) => x.id === id);
                if (card) void move(card, c.stage);
              }}
            >
              <header>
                <h2 id={`col-${c.stage}`}>{stageLabel(c.stage)}</h2>
                <Totals c={c} />
              </header>
              <ColumnCards c={c} onMore={() => void more(c)}>
                {c.items.map((card) => (
                  <li
                    key={card.id}
                    class={state.pending.some((p) => p.cardId === card.id) ? "card-item pending" : "card-item"}
                    draggable={canEdit(me, card)}
                    data-id={card.id}
                    onDragStart={(e) => {
                      e.dataTransfer?.setData("text/plain", card.id);
                      if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
                    }}
                  >
                    <a href={`/projects/${card.id}`} class="card-title">
                      {card.name}
                    </a>
                    <span class="hint">
                      <RecordLink kind="accounts" id={card.account_id} />
                    </span>
                    <span>MRR {formatMoney(card.cost_info?.mrr, card.currency_code)}</span>
                    <span class="hint">
                      Close <DateText value={card.close_date} />
                    </span>
                    {canEdit(me, card) && (
                      <details class="menu">
                        <summary aria-label={`Move ${card.name} to stage…`}>Move to stage…</summary>
                        <ul>
                          {stages
                            .filter((s) => s !== c.stage && movable(s) && (PATHS[recordType] ?? stages).concat("closed_lost").includes(s))
                            .map((s) => (
                              <li key={s}>
                                <button
                                  type="button"
                                  onClick={(e) => {
                                    (e.currentTarget.closest("details") as HTMLDetailsElement).open = false;
                                    if (s === "closed_lost") {
                                      setAlert("Close a project as lost from its page: it needs a reason.");
                                      return;
                                    }
                                    void move(card, s);
                                  }}
                                >
                                  {stageLabel(s)}
                                </button>
                              </li>
                            ))}
                        </ul>
                      </details>
                    )}
                  </li>
                ))}
              </ColumnCards>
            </section>
          ))}
      </div>
    </section>
  );
}

function ColumnCards({ c, onMore, children }: { c: Column; onMore: () => void; children: preact.ComponentChildren }) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !c.next_page_token || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((es) => es.some((x) => x.isIntersecting) && onMore(), { root: el.closest(".cards-scroll"), rootMargin: "80px" });
    io.observe(el);
    return () => io.disconnect();
  }, [c.next_page_token, c.items.length]);
  return (
    <div class="cards-scroll" tabIndex={-1}>
      <ul class="cards" aria-label={`${stageLabel(c.stage)} projects`}>
        {children}
      </ul>
      {c.items.length === 0 && <p class="empty">No projects here.</p>}
      {c.next_page_token && (
        <div ref={sentinel}>
          <button type="button" class="secondary small" disabled={c.loading} onClick={onMore}>
            {c.loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}
