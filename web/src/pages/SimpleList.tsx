// Part 2 pages for now: a plain list of quotes, orders, cases,
// users and partners, and a plain page for one record (a task's too; the
// tasks' list is a full list view, ListPage).

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { READ, type Kind } from "../api/records";
import { formatMoney } from "../lib/money";
import { stageLabel } from "../lib/domain";
import { DateText, ErrorMessage, Loading, useAsync, words } from "../components/ui";
import { PersonName } from "../components/Names";
import { nameOf } from "../lib/people";
import { NewStockOrder } from "./OrderPage";

type Row = Record<string, unknown> & { id: string };
type Page = { items: Row[]; next_page_token: string };
const s = (r: Row, k: string) => (typeof r[k] === "string" ? (r[k] as string) : "");

type Paging = { page_size: number; page_token?: string };

interface Simple {
  title: string;
  /** A page of the list, through the typed client where the document describes the route. */
  list: (query: Paging, signal: AbortSignal) => Promise<Page>;
  link: boolean;
  cols: [string, (r: Row) => ComponentChildren][];
  empty: string;
  /** What the page offers beside its heading (e.g. a new stock order). */
  action?: () => ComponentChildren;
}

export const SIMPLE_LISTS: Record<string, Simple> = {
  quotes: {
    title: "Quotes",
    list: (query, signal) => ok(api.GET("/api/v1/quotes", { params: { query }, signal })),
    link: true,
    empty: "No quotes yet. Create a quote from a project's page.",
    cols: [
      ["Quote", (r) => s(r, "name") || s(r, "number") || "Quote"],
      ["Number", (r) => s(r, "number")],
      ["Status", (r) => words(s(r, "status"))],
      ["MRR", (r) => formatMoney(s(r, "mrr"), s(r, "currency_code"))],
      ["One-time", (r) => formatMoney(s(r, "one_time_total"), s(r, "currency_code"))],
      ["Created", (r) => <DateText value={s(r, "create_time")} />],
    ],
  },
  orders: {
    title: "Orders",
    list: (query, signal) => ok(api.GET("/api/v1/orders", { params: { query }, signal })),
    link: true,
    empty: "No orders yet. Orders are placed from accepted quotes, or as stock orders.",
    action: () => <NewStockOrder />,
    cols: [
      ["Order", (r) => s(r, "number") || "Order"],
      ["Status", (r) => words(s(r, "status"))],
      ["MRR", (r) => formatMoney(s(r, "mrr"), s(r, "currency_code"))],
      ["Created", (r) => <DateText value={s(r, "create_time")} />],
    ],
  },
  cases: {
    title: "Cases",
    list: (query, signal) => ok(api.GET("/api/v1/cases", { params: { query }, signal })),
    link: true,
    empty: "No cases. Submit a case from Home.",
    cols: [
      ["Case", (r) => `${s(r, "number")} · ${s(r, "subject")}`],
      ["Product", (r) => words(s(r, "product"))],
      ["Priority", (r) => words(s(r, "priority"))],
      ["Status", (r) => words(s(r, "status"))],
      ["Opened", (r) => <DateText value={s(r, "create_time")} />],
    ],
  },
};

export function SimpleList({ kind }: { kind: string }) {
  const cfg = SIMPLE_LISTS[kind];
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1];
  const page = useAsync((signal) => cfg.list({ page_size: 25, page_token: token || undefined }, signal), [kind, token]);
  const items = page.data?.items ?? [];
  return (
    <section>
      <div class="page-head">
        <h1>{cfg.title}</h1>
        {cfg.action?.()}
      </div>
      <ErrorMessage error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data && items.length === 0 && <p class="empty-state">{cfg.empty}</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="visually-hidden">{cfg.title}</caption>
            <thead>
              <tr>
                {cfg.cols.map(([l]) => (
                  <th scope="col" key={l}>
                    {l}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  {cfg.cols.map(([l, f], i) => (
                    <td key={l}>{i === 0 && cfg.link ? <a href={`/${kind}/${r.id}`}>{f(r)}</a> : f(r)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(tokens.length > 1 || page.data?.next_page_token) && (
        <nav class="pager" aria-label="Pages">
          <button type="button" class="secondary" disabled={tokens.length <= 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
            Previous page
          </button>
          <button type="button" class="secondary" disabled={!page.data?.next_page_token} onClick={() => setTokens((t) => [...t, page.data!.next_page_token])}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

const HIDE = new Set(["id", "partner_id", "lines", "related", "submitter", "assignee"]);

/** One record of `kind` as a plain page; `title` names its collection. */
export function SimpleRecord({ kind, id, title }: { kind: Kind; id: string; title: string }) {
  const r = useAsync<Row>(() => READ[kind](id), [kind, id]);
  if (r.loading && !r.data) return <Loading />;
  return (
    <article class="record">
      <p class="kind">{title}</p>
      <h1>{r.data ? nameOf(kind, r.data) : title}</h1>
      <ErrorMessage error={r.error} />
      {r.data && (
        <dl class="details card">
          {Object.entries(r.data)
            .filter(([k, v]) => !HIDE.has(k) && (typeof v !== "object" || v === null))
            .map(([k, v]) => (
              <div class="detail-row" key={k}>
                <dt>{words(k)}</dt>
                <dd>{k.endsWith("_id") && v ? <PersonOrId k={k} v={String(v)} /> : k === "stage" ? stageLabel(String(v)) : v === null || v === "" ? "—" : String(v)}</dd>
              </div>
            ))}
        </dl>
      )}
      <p>
        <a href={`/${kind}`}>Back to {title.toLowerCase()}</a>
      </p>
    </article>
  );
}

function PersonOrId({ k, v }: { k: string; v: string }) {
  if (k === "owner_id" || k === "submitter_id" || k === "assignee_id" || k === "completed_by") return <PersonName id={v} />;
  const kind = k.replace(/_id$/, "s");
  if (["accounts", "projects", "contacts", "quotes", "leads"].includes(kind)) return <a href={`/${kind}/${v}`}>Open</a>;
  return <>{v}</>;
}
