// The vendor's News & updates (vendor admin): every item, the retired ones
// too (marked), newest first; post one, edit its title and text, retire it
// (partners' Home no longer shows it).

import { useState } from "preact/hooks";
import { api, idempotent, input, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { DateText, Dialog, ErrorMessage, Loading, useAsync } from "../../components/ui";
import { SpecForm, type FieldSpec } from "../../components/Form";
import { useActions } from "./shared";

type News = components["schemas"]["NewsJson"];

const FIELDS: FieldSpec[] = [
  { name: "title", label: "Title", required: true },
  { name: "body", label: "Text", type: "textarea", required: true },
];

async function allNews(signal: AbortSignal): Promise<News[]> {
  const out: News[] = [];
  let page_token = "";
  do {
    const page = await ok(api.GET("/api/v1/news", { params: { query: { page_size: 100, page_token: page_token || undefined, include_retired: true } }, signal }));
    out.push(...page.items);
    page_token = page.next_page_token;
  } while (page_token);
  return out;
}

export function NewsAdmin() {
  const news = useAsync(allNews, []);
  const [dialog, setDialog] = useState<{ kind: "post" } | { kind: "edit"; item: News } | null>(null);
  const act = useActions();
  const close = () => setDialog(null);
  const items = news.data ?? [];
  return (
    <section class="vendor-page">
      <div class="page-head">
        <div>
          <h1>News</h1>
          <p class="hint">News &amp; updates on every partner's Home, newest first. A retired item is shown to vendor admins only.</p>
        </div>
        <button type="button" onClick={() => setDialog({ kind: "post" })}>
          Post news
        </button>
      </div>
      {act.status}
      <ErrorMessage error={news.error || act.error} />
      {news.loading && !news.data && <Loading />}
      {news.data && items.length === 0 && <p class="empty-state">No news yet. Post the first item.</p>}
      <ol class="news-admin" aria-label="News items">
        {items.map((n) => (
          <li key={n.id}>
            <article class={n.retire_time ? "card news-item retired" : "card news-item"} aria-labelledby={`news-${n.id}`}>
              <header class="news-item-head">
                <h2 id={`news-${n.id}`}>{n.title}</h2>
                <span class={n.retire_time ? "state retired" : "state published"}>{n.retire_time ? "Retired" : "Published"}</span>
              </header>
              <p class="hint">
                Posted <DateText value={n.publish_time} time />
                {n.update_time !== n.publish_time && (
                  <>
                    {" "}
                    · edited <DateText value={n.update_time} time />
                  </>
                )}
                {n.retire_time && (
                  <>
                    {" "}
                    · retired <DateText value={n.retire_time} time />
                  </>
                )}
              </p>
              <p class="news-body">{n.body}</p>
              <div class="actions">
                <button type="button" class="secondary" aria-label={`Edit “${n.title}”`} onClick={() => setDialog({ kind: "edit", item: n })}>
                  Edit
                </button>
                {!n.retire_time && (
                  <button
                    type="button"
                    class="secondary danger"
                    aria-label={`Retire “${n.title}”`}
                    disabled={act.busy}
                    onClick={() => {
                      if (!confirm(`Retire “${n.title}”? Partners no longer see it on their Home.`)) return;
                      void act.run(async () => {
                        await ok(api.POST("/api/v1/news/{id}:retire", { params: { path: { id: n.id } } }));
                        news.reload();
                      }, `“${n.title}” is retired.`);
                    }}
                  >
                    Retire
                  </button>
                )}
              </div>
            </article>
          </li>
        ))}
      </ol>
      <Dialog open={dialog?.kind === "post"} title="Post news" onClose={close} wide>
        <SpecForm
          fields={FIELDS}
          submitLabel="Post"
          onCancel={close}
          onSubmit={async (v) => {
            await ok(api.POST("/api/v1/news", { body: { title: String(v.title ?? ""), body: String(v.body ?? "") }, headers: idempotent() }));
            close();
            news.reload();
            act.announce(`“${String(v.title)}” is posted.`);
          }}
        />
      </Dialog>
      <Dialog open={dialog?.kind === "edit"} title="Edit news" onClose={close} wide>
        {dialog?.kind === "edit" && (
          <SpecForm
            fields={FIELDS}
            initial={dialog.item}
            submitLabel="Save"
            onCancel={close}
            onSubmit={async (v) => {
              const item = dialog.item;
              const title = String(v.title ?? "");
              const body = String(v.body ?? "");
              // Only what changed is sent.
              const patch = input<"NewsInput">({ ...(title !== item.title ? { title } : {}), ...(body !== item.body ? { body } : {}) });
              if (Object.keys(patch).length) await ok(api.PATCH("/api/v1/news/{id}", { params: { path: { id: item.id } }, body: patch }));
              close();
              news.reload();
              act.announce(`“${title}” is saved.`);
            }}
          />
        )}
      </Dialog>
    </section>
  );
}
