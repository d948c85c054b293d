// The related panel of a record: notes, files, history, open activities and
// followers, from /api/v1/{collection}/{id}/… (records.rs, tasks.rs). Those
// routes are on `raw`: the component serves every collection, and their
// document entries declare neither the page_size they take nor what they
// answer; a new task goes through the typed client.

import { useState } from "preact/hooks";
import { api, idempotent, input, ok, raw, rawResponse } from "../api/client";
import { useMe } from "../lib/me";
import { DateText, ErrorMessage, Loading, TextInput, useAsync, words, errorText } from "./ui";
import { PersonName } from "./Names";
import { isoDay } from "../lib/date";
import { stageLabel } from "../lib/domain";

interface Page<T> {
  items: T[];
  next_page_token: string;
}
interface Note {
  id: string;
  author_id: string;
  body: string;
  create_time: string;
}
interface FileInfo {
  id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  uploaded_by: string;
  create_time: string;
}
interface Change {
  id: string;
  field: string;
  old_value: string;
  new_value: string;
  changed_by: string;
  change_time: string;
}
interface Task {
  id: string;
  subject: string;
  type: string;
  status: string;
  priority: string;
  due_date: string | null;
  owner_id: string;
}

const KIND_OF: Record<string, string> = { leads: "lead", accounts: "account", contacts: "contact", projects: "project", quotes: "quote", orders: "order", cases: "case" };

export function Notes({ base, version }: { base: string; version: number }) {
  const notes = useAsync(() => raw<Page<Note>>("GET", `${base}/notes`, { query: { page_size: 50 } }), [base, version]);
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
            await raw("POST", `${base}/notes`, { json: { body }, idempotent: true });
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

export function Files({ base }: { base: string }) {
  const files = useAsync(() => raw<Page<FileInfo>>("GET", `${base}/files`, { query: { page_size: 50 } }), [base]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const download = async (f: FileInfo) => {
    setError(null);
    try {
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

export function History({ base, version }: { base: string; version: number }) {
  const h = useAsync(() => raw<Page<Change>>("GET", `${base}/history`, { query: { page_size: 50 } }), [base, version]);
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

export function Activities({ collection, id, canAdd }: { collection: string; id: string; canAdd: boolean }) {
  const base = `/api/v1/${collection}/${id}`;
  const tasks = useAsync(() => raw<Page<Task>>("GET", `${base}/activities`), [base]);
  const [subject, setSubject] = useState("");
  const [type, setType] = useState("call");
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
              await ok(api.POST("/api/v1/tasks", { body: input<"TaskInput">({ subject, type, due_date: due || null, related: { type: KIND_OF[collection], id } }), headers: idempotent() }));
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
            <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
              {["call", "email", "meeting", "send_quote", "todo"].map((t) => (
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

export function useFollowing(base: string) {
  const me = useMe();
  const f = useAsync(async () => (await raw<Page<{ user_id: string }>>("GET", `${base}/followers`)).items, [base]);
  const following = !!f.data?.some((x) => x.user_id === me.id);
  const [error, setError] = useState("");
  const toggle = async () => {
    setError("");
    try {
      await raw("POST", `${base}:${following ? "unfollow" : "follow"}`);
      f.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return { following, count: f.data?.length ?? 0, toggle, error, loaded: !!f.data };
}
