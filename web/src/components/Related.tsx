// The related panel of a record: notes, files, history, open activities and
// followers, from /api/v1/{collection}/{id}/… (records.rs, tasks.rs), typed
// by the document, which writes each of those routes for every collection.

import { useState } from "preact/hooks";
import { api, idempotent, input, ok, raw, rawResponse } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../lib/me";
import { DateText, ErrorMessage, Loading, TextInput, useAsync, words, errorText } from "./ui";
import { PersonName } from "./Names";
import { isoDay } from "../lib/date";
import { stageLabel } from "../lib/domain";

type S = components["schemas"];
type FileInfo = S["AttachmentJson"];

/** The collections whose records have notes, files, history and followers. */
export type RecordCollection = "accounts" | "contacts" | "leads" | "quotes" | "orders" | "projects" | "tasks" | "cases";
/** Those with open activities (a task has none of its own). */
type WithActivities = Exclude<RecordCollection, "tasks">;

const at = (id: string) => ({ params: { path: { id } } });
const paged = (id: string) => ({ params: { path: { id }, query: { page_size: 50 } } });

type TaskType = Exclude<components["schemas"]["TaskInput"]["type"], "" | undefined>;
const TASK_TYPES: TaskType[] = ["call", "email", "meeting", "send_quote", "todo"];
const KIND_OF: Record<string, components["schemas"]["RelatedJson"]["type"]> = { leads: "lead", accounts: "account", contacts: "contact", projects: "project", quotes: "quote", orders: "order", cases: "case" };

export function Notes({ collection, id, version }: { collection: RecordCollection; id: string; version: number }) {
  const notes = useAsync(() => ok(api.GET(`/api/v1/${collection}/{id}/notes`, paged(id))), [collection, id, version]);
  const [body, setBody] = useState("");
  const [error, setError] = useState<unknown>(null);
  return (
    <section aria-labelledby="notes-h" class="related-section">
      <h3 id="notes-h">Notes</h3>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await ok(api.POST(`/api/v1/${collection}/{id}/notes`, { ...at(id), body: { body }, headers: idempotent() }));
            setBody("");
            notes.reload();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <label for="note-body">Add a note</label>
        <textarea id="note-body" name="note" rows={2} required value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        <button type="submit">Add note</button>
      </form>
      <ErrorMessage error={error || notes.error} />
      {notes.loading && !notes.data && <Loading />}
      {notes.data?.items.length === 0 && <p class="empty">No notes yet. Add the first one above.</p>}
      <ul class="notes">
        {notes.data?.items.map((n) => (
          <li key={n.id}>
            <p>{n.body}</p>
            <p class="hint">
              <PersonName id={n.author_id} /> · <DateText value={n.create_time} time />
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function size(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function Files({ collection, id }: { collection: RecordCollection; id: string }) {
  const base = `/api/v1/${collection}/${id}`;
  const files = useAsync(() => ok(api.GET(`/api/v1/${collection}/{id}/files`, paged(id))), [collection, id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const download = async (f: FileInfo) => {
    setError(null);
    try {
      // The file's own bytes and type, not JSON: fetched raw.
      const res = await rawResponse("GET", `${base}/files/${f.id}/content`, { headers: { Accept: "*/*" } });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = f.file_name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="files-h" class="related-section">
      <h3 id="files-h">Files</h3>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).elements.namedItem("file") as HTMLInputElement;
          const file = input.files?.[0];
          if (!file) return;
          setBusy(true);
          setError(null);
          try {
            // The body is the file itself, not JSON: sent raw.
            await raw("POST", `${base}/files`, {
              query: { file_name: file.name },
              body: file,
              headers: { "Content-Type": file.type || "application/octet-stream" },
              idempotent: true,
            });
            input.value = "";
            files.reload();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="file-input">Upload a file</label>
        <input id="file-input" name="file" type="file" required />
        <button type="submit" disabled={busy}>
          {busy ? "Uploading…" : "Upload"}
        </button>
      </form>
      <ErrorMessage error={error || files.error} />
      {files.data?.items.length === 0 && <p class="empty">No files yet.</p>}
      {files.data && files.data.items.length > 0 && (
        <table class="compact">
          <caption class="visually-hidden">Files</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Uploaded by</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {files.data.items.map((f) => (
              <tr key={f.id}>
                <td>
                  <button type="button" class="link" onClick={() => void download(f)}>
                    {f.file_name}
                  </button>
                </td>
                <td>{size(f.size_bytes)}</td>
                <td>
                  <PersonName id={f.uploaded_by} />
                </td>
                <td>
                  <DateText value={f.create_time} time />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function shown(field: string, v: string): string {
  if (!v) return "—";
  return field === "stage" ? stageLabel(v) : v;
}

export function History({ collection, id, version }: { collection: RecordCollection; id: string; version: number }) {
  const h = useAsync(() => ok(api.GET(`/api/v1/${collection}/{id}/history`, paged(id))), [collection, id, version]);
  return (
    <section aria-labelledby="history-h" class="related-section">
      <h3 id="history-h">History</h3>
      <ErrorMessage error={h.error} />
      {h.data?.items.length === 0 && <p class="empty">No tracked field has changed yet.</p>}
      {h.data && h.data.items.length > 0 && (
        <table class="compact">
          <caption class="visually-hidden">History</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Field</th>
              <th scope="col">Old value</th>
              <th scope="col">New value</th>
            </tr>
          </thead>
          <tbody>
            {h.data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <DateText value={c.change_time} time />
                </td>
                <td>
                  <PersonName id={c.changed_by} />
                </td>
                <td>{words(c.field)}</td>
                <td>{shown(c.field, c.old_value)}</td>
                <td>{shown(c.field, c.new_value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Activities({ collection, id, canAdd }: { collection: WithActivities; id: string; canAdd: boolean }) {
  const tasks = useAsync(() => ok(api.GET(`/api/v1/${collection}/{id}/activities`, at(id))), [collection, id]);
  const [subject, setSubject] = useState("");
  const [type, setType] = useState<TaskType>("call");
  const [due, setDue] = useState(isoDay(7));
  const [error, setError] = useState<unknown>(null);
  return (
    <section aria-labelledby="act-h" class="related-section">
      <h3 id="act-h">Tasks and open activities</h3>
      <ErrorMessage error={error || tasks.error} />
      {tasks.data?.items.length === 0 && <p class="empty">No open activities.</p>}
      <ul class="tasks">
        {tasks.data?.items.map((t) => (
          <li key={t.id}>
            <a href={`/tasks/${t.id}`}>{t.subject}</a> · {words(t.type)} · {words(t.status)} · due <DateText value={t.due_date} /> · <PersonName id={t.owner_id} />
          </li>
        ))}
      </ul>
      {canAdd && (
        <form
          class="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              await ok(api.POST("/api/v1/tasks", { body: input<"TaskCreate">({ subject, type, due_date: due || null, related: { type: KIND_OF[collection], id } }), headers: idempotent() }));
              setSubject("");
              tasks.reload();
            } catch (err) {
              setError(err);
            }
          }}
        >
          <TextInput label="New task" name="task-subject" required value={subject} onValue={setSubject} />
          <label>
            Type{" "}
            <select value={type} onChange={(e) => setType(e.currentTarget.value as TaskType)}>
              {TASK_TYPES.map((t) => (
                <option key={t} value={t}>
                  {words(t)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Due <input type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
          </label>
          <button type="submit">Add task</button>
        </form>
      )}
    </section>
  );
}

export function useFollowing(collection: RecordCollection, id: string) {
  const me = useMe();
  const f = useAsync(async () => (await ok(api.GET(`/api/v1/${collection}/{id}/followers`, at(id)))).items, [collection, id]);
  const following = !!f.data?.some((x) => x.user_id === me.id);
  const [error, setError] = useState("");
  const toggle = async () => {
    setError("");
    try {
      if (following) await ok(api.POST(`/api/v1/${collection}/{id}:unfollow`, at(id)));
      else await ok(api.POST(`/api/v1/${collection}/{id}:follow`, at(id)));
      f.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return { following, count: f.data?.length ?? 0, toggle, error, loaded: !!f.data };
}
