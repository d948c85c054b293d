// A support case: what was asked, the thread oldest first with the reply
// box, the moves of its status path the server offers the person (a partner
// closes or reopens a solved case; support moves it along), and for support
// internal notes the partner never sees and taking the case.

import { useState } from "preact/hooks";
import { api, idempotent, input, ok } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../lib/me";
import { DateText, ErrorMessage, Field, Loading, useAnnouncer, useAsync, words } from "../components/ui";

type CaseJson = components["schemas"]["CaseJson"];
type CommentJson = components["schemas"]["CommentJson"];
type Status = CaseJson["status"];

const at = (id: string) => ({ params: { path: { id } } });

/** What a move's button says, by where it goes and from where. */
function moveLabel(from: Status, to: Status): string {
  if (to === "closed") return "Close the case";
  if (from === "solved" && to === "in_progress") return "Reopen the case";
  if (to === "waiting_on_partner") return "Wait on the partner";
  if (to === "solved") return "Mark solved";
  return `Move to ${words(to).toLowerCase()}`;
}

export function CasePage({ id }: { id: string }) {
  const me = useMe();
  const support = me.role === "support_agent";
  const c = useAsync(() => ok(api.GET("/api/v1/cases/{id}", at(id))), [id]);
  const thread = useAsync(async () => {
    const all: CommentJson[] = [];
    let page_token = "";
    do {
      const page = await ok(api.GET("/api/v1/cases/{id}/comments", { params: { path: { id }, query: { page_size: 100, page_token } } }));
      all.push(...page.items);
      page_token = page.next_page_token;
    } while (page_token);
    return all;
  }, [id]);
  const [body, setBody] = useState("");
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [said, announce] = useAnnouncer();

  if (c.loading && !c.data) return <Loading />;
  if (!c.data)
    return (
      <section>
        <h1>Case</h1>
        <ErrorMessage error={c.error} />
      </section>
    );
  const k = c.data;
  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await f();
      c.reload();
      thread.reload();
      announce(done);
    } catch (e) {
      setError(e);
    }
  };
  const mine = k.assignee_id === me.id;

  return (
    <article class="record case">
      <p class="kind">Case {k.number}</p>
      <h1>{k.subject}</h1>
      <p class="visually-hidden" role="status">
        {said}
      </p>
      <ErrorMessage error={error} />
      <dl class="details card">
        <div class="detail-row">
          <dt>Status</dt>
          <dd>{words(k.status)}</dd>
        </div>
        <div class="detail-row">
          <dt>Priority</dt>
          <dd>{words(k.priority)}</dd>
        </div>
        <div class="detail-row">
          <dt>Product</dt>
          <dd>{words(k.product)}</dd>
        </div>
        <div class="detail-row">
          <dt>Submitted by</dt>
          <dd>
            {k.submitter.display_name} · <DateText value={k.create_time} time />
          </dd>
        </div>
        <div class="detail-row">
          <dt>Support agent</dt>
          <dd>{k.assignee?.display_name ?? "Not assigned yet"}</dd>
        </div>
      </dl>
      {(k.moves.length > 0 || (support && !mine)) && (
        <div class="actions" role="group" aria-label="Case actions">
          {support && !mine && (
            <button type="button" onClick={() => void act(() => ok(api.POST("/api/v1/cases/{id}:assign", { ...at(id), body: { assignee_id: "" } })), "You have taken the case.")}>
              Take the case
            </button>
          )}
          {k.moves.map((to) => (
            <button
              key={to}
              type="button"
              class="secondary"
              onClick={() => void act(() => ok(api.POST("/api/v1/cases/{id}:transition", { ...at(id), body: { status: to } })), `The case is ${words(to).toLowerCase()}.`)}
            >
              {moveLabel(k.status, to)}
            </button>
          ))}
        </div>
      )}
      <section aria-labelledby="case-desc" class="card">
        <h2 id="case-desc">Description</h2>
        <p class="pre">{k.description}</p>
      </section>
      <section aria-labelledby="case-thread" class="card">
        <h2 id="case-thread">Conversation</h2>
        <ErrorMessage error={thread.error} />
        {thread.data?.length === 0 && <p class="empty">No replies yet.</p>}
        <ol class="thread">
          {thread.data?.map((m) => (
            <li key={m.id} class={m.internal ? "comment internal" : m.from_support ? "comment support" : "comment"}>
              <p class="meta">
                <strong>{m.author_name}</strong>
                {m.from_support && " · Support"}
                {m.internal && " · Internal note, not shown to the partner"} · <DateText value={m.create_time} time />
              </p>
              <p class="pre">{m.body}</p>
            </li>
          ))}
        </ol>
        {k.status !== "closed" ? (
          <form
            class="reply"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await ok(api.POST("/api/v1/cases/{id}/comments", { ...at(id), body: input<"CommentInput">({ body, internal: support && internal }), headers: idempotent() }));
                setBody("");
                setInternal(false);
              }, internal ? "Your internal note is added." : "Your reply is sent.");
            }}
          >
            <Field label={support && internal ? "Internal note" : "Reply"}>
              {(fid) => <textarea id={fid} name="reply" required rows={4} value={body} onInput={(e) => setBody(e.currentTarget.value)} />}
            </Field>
            {support && (
              <label class="inline">
                <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} /> Internal note (only support sees it)
              </label>
            )}
            <div class="actions">
              <button type="submit">{support && internal ? "Add internal note" : "Send reply"}</button>
            </div>
          </form>
        ) : (
          <p class="empty">The case is closed: it takes no more replies.</p>
        )}
      </section>
      <p>
        <a href="/cases">Back to cases</a>
      </p>
    </article>
  );
}
