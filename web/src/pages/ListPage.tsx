// The list views of leads, accounts, contacts, projects and tasks: built-in
// and saved views, a filter, sorting by a column header (order_by), paging
// with page tokens, a choice of columns, an action on a row (complete a
// task), and an empty state that says what to do.

import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, input, ok } from "../api/client";
import { isKind } from "../api/records";
import { useMe } from "../lib/me";
import { takeFlash } from "../lib/flash";
import { canCreate, stageLabel, STAGE_LABELS } from "../lib/domain";
import { and, serverViews, term, type ViewCollection, type ViewStore } from "../lib/views";
import { formatCount, formatMoney } from "../lib/money";
import { ACCOUNT_TYPES, LEAD_STATUSES } from "../lib/specs";
import { DateText, Dialog, ErrorMessage, Loading, TextInput, useAsync, words } from "../components/ui";
import { PersonName, RecordLink } from "../components/Names";
import { CreateAccountDialog, CreateContactDialog, CreateLeadDialog, CreateProjectDialog } from "../components/Create";

type Row = Record<string, unknown> & { id: string };
type ListQuery = { page_size: number; page_token: string; filter: string; order_by: string };
type Listing = (query: ListQuery, signal: AbortSignal, view?: string) => Promise<{ items: Row[]; next_page_token: string }>;

interface Col {
  key: string;
  label: string;
  sortable?: boolean;
  render?: (r: Row) => ComponentChildren;
}

interface ListConfig {
  title: string;
  singular: string;
  /** One page of the list, through the typed client (each collection has its own route and schema). */
  list: Listing;
  nameKey: string;
  nameLabel: string;
  columns: Col[];
  defaults: string[];
  enumFilter?: { field: string; label: string; options: readonly (readonly [string, string])[] };
  /** Where its views are kept. */
  views: ViewCollection;
  /** The list applies a view itself, given its id (projects, tasks); else the page sends the view's filter. */
  server?: boolean;
  /** Records of this kind are made elsewhere (a task, from its record's page): no "New" button. */
  madeElsewhere?: string;
  /** One thing to do to a row from the list; `done` is what the page then says. */
  action?: { text: string; label: (r: Row) => string; when: (r: Row) => boolean; run: (r: Row) => Promise<unknown>; done: (r: Row) => string };
}

const str = (r: Row, k: string) => (typeof r[k] === "string" ? (r[k] as string) : "");
const link = (kind: string, text: (r: Row) => string) => (r: Row) => <a href={`/${kind}/${r.id}`}>{text(r) || "(no name)"}</a>;
const TASK_STATUSES: [string, string][] = [
  ["open", "Open"],
  ["in_progress", "In progress"],
  ["completed", "Completed"],
  ["deferred", "Deferred"],
];
/** A task's record: its type word is the singular of the record's collection. */
const relatedLink = (r: Row) => {
  const rel = r.related as { type?: string; id?: string } | undefined;
  const kind = `${rel?.type ?? ""}s`;
  return isKind(kind) ? <RecordLink kind={kind} id={rel?.id} /> : "—";
};

export const LIST_PAGES: Record<string, ListConfig> = {
  leads: {
    title: "Leads",
    singular: "lead",
    list: (query, signal) => ok(api.GET("/api/v1/leads", { params: { query }, signal })),
    nameKey: "company",
    nameLabel: "Company contains",
    columns: [
      { key: "company", label: "Company", sortable: true, render: link("leads", (r) => str(r, "company")) },
      { key: "last_name", label: "Name", sortable: true, render: (r) => `${str(r, "first_name")} ${str(r, "last_name")}` },
      { key: "email", label: "E-mail", sortable: true },
      { key: "phone", label: "Phone" },
      { key: "status", label: "Status", sortable: true, render: (r) => words(str(r, "status")) },
      { key: "source", label: "Source", sortable: true, render: (r) => words(str(r, "source")) },
      { key: "acceptance_state", label: "Acceptance", render: (r) => words(str(r, "acceptance_state")) || "—" },
      { key: "owner_id", label: "Owner", render: (r) => <PersonName id={str(r, "owner_id")} /> },
      { key: "create_time", label: "Created", sortable: true, render: (r) => <DateText value={str(r, "create_time")} /> },
    ],
    defaults: ["company", "last_name", "email", "status", "source", "owner_id"],
    enumFilter: { field: "status", label: "Status", options: [...LEAD_STATUSES, ["converted", "Converted"]] },
    views: "leads",
  },
  accounts: {
    title: "Accounts",
    singular: "account",
    list: (query, signal) => ok(api.GET("/api/v1/accounts", { params: { query }, signal })),
    nameKey: "name",
    nameLabel: "Name contains",
    columns: [
      { key: "name", label: "Account name", sortable: true, render: link("accounts", (r) => str(r, "name")) },
      { key: "type", label: "Type", sortable: true, render: (r) => words(str(r, "type")) },
      { key: "industry", label: "Industry", sortable: true },
      { key: "phone", label: "Phone" },
      { key: "website", label: "Website" },
      { key: "billing_address.city", label: "City", sortable: true, render: (r) => (r.billing_address as { city?: string })?.city ?? "" },
      { key: "owner_id", label: "Owner", render: (r) => <PersonName id={str(r, "owner_id")} /> },
      { key: "create_time", label: "Created", sortable: true, render: (r) => <DateText value={str(r, "create_time")} /> },
    ],
    defaults: ["name", "type", "industry", "phone", "billing_address.city", "owner_id"],
    enumFilter: { field: "type", label: "Type", options: ACCOUNT_TYPES },
    views: "accounts",
  },
  contacts: {
    title: "Contacts",
    singular: "contact",
    list: (query, signal) => ok(api.GET("/api/v1/contacts", { params: { query }, signal })),
    nameKey: "last_name",
    nameLabel: "Last name contains",
    columns: [
      { key: "last_name", label: "Name", sortable: true, render: link("contacts", (r) => `${str(r, "first_name")} ${str(r, "last_name")}`.trim()) },
      { key: "title", label: "Title", sortable: true },
      { key: "account_id", label: "Account", render: (r) => <RecordLink kind="accounts" id={str(r, "account_id")} /> },
      { key: "email", label: "E-mail", sortable: true },
      { key: "phone", label: "Phone" },
      { key: "owner_id", label: "Owner", render: (r) => <PersonName id={str(r, "owner_id")} /> },
    ],
    defaults: ["last_name", "title", "account_id", "email", "phone"],
    views: "contacts",
  },
  projects: {
    title: "Projects",
    singular: "project",
    list: (query, signal, view) => ok(api.GET("/api/v1/projects", { params: { query: { ...query, view } }, signal })),
    nameKey: "name",
    nameLabel: "Name contains",
    server: true,
    columns: [
      { key: "name", label: "Project name", sortable: true, render: link("projects", (r) => str(r, "name")) },
      { key: "account_id", label: "Account", render: (r) => <RecordLink kind="accounts" id={str(r, "account_id")} /> },
      { key: "stage", label: "Stage", sortable: true, render: (r) => stageLabel(str(r, "stage")) },
      { key: "record_type", label: "Record type", sortable: true, render: (r) => words(str(r, "record_type")) },
      { key: "close_date", label: "Close date", sortable: true, render: (r) => <DateText value={str(r, "close_date")} /> },
      { key: "probability", label: "Probability", sortable: true, render: (r) => `${r.probability as number} %` },
      { key: "total_users", label: "Total Users", sortable: true },
      { key: "mrr", label: "MRR", sortable: true, render: (r) => formatMoney((r.cost_info as { mrr?: string })?.mrr, str(r, "currency_code")) },
      { key: "weighted_pipeline", label: "Weighted Pipeline", sortable: true, render: (r) => formatMoney((r.cost_info as { weighted_pipeline?: string })?.weighted_pipeline, str(r, "currency_code")) },
      { key: "owner_id", label: "Owner", render: (r) => <PersonName id={str(r, "owner_id")} /> },
    ],
    defaults: ["name", "account_id", "stage", "close_date", "mrr", "owner_id"],
    enumFilter: { field: "stage", label: "Stage", options: Object.entries(STAGE_LABELS) },
    views: "projects",
  },
  tasks: {
    title: "Tasks",
    singular: "task",
    list: (query, signal, view) => ok(api.GET("/api/v1/tasks", { params: { query: { ...query, view } }, signal })),
    nameKey: "subject",
    nameLabel: "Subject contains",
    server: true,
    madeElsewhere: "Add a task from the page of the record it is about.",
    columns: [
      { key: "subject", label: "Subject", sortable: true, render: link("tasks", (r) => str(r, "subject")) },
      { key: "type", label: "Type", sortable: true, render: (r) => words(str(r, "type")) },
      { key: "status", label: "Status", sortable: true, render: (r) => words(str(r, "status")) },
      { key: "priority", label: "Priority", sortable: true, render: (r) => words(str(r, "priority")) },
      { key: "due_date", label: "Due", sortable: true, render: (r) => (str(r, "due_date") ? <DateText value={str(r, "due_date")} /> : "—") },
      { key: "related.type", label: "Related to", render: relatedLink },
      { key: "owner_id", label: "Owner", render: (r) => <PersonName id={str(r, "owner_id")} /> },
    ],
    defaults: ["subject", "type", "status", "priority", "due_date", "related.type", "owner_id"],
    enumFilter: { field: "status", label: "Status", options: TASK_STATUSES },
    views: "tasks",
    action: {
      text: "Complete",
      label: (r) => `Complete “${str(r, "subject")}”`,
      when: (r) => ["open", "in_progress"].includes(str(r, "status")),
      run: (r) => ok(api.PATCH("/api/v1/tasks/{id}", { params: { path: { id: r.id } }, body: input<"TaskInput">({ status: "completed" }) })),
      done: (r) => `“${str(r, "subject")}” is completed.`,
    },
  },
};

const PAGE = 25;

function SaveViewDialog({ open, title, initial, onClose, onSave }: { open: boolean; title: string; initial: string; onClose: () => void; onSave: (name: string) => Promise<void> }) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setName(initial);
    setError(null);
  }, [open, initial]);
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await onSave(name);
            onClose();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <ErrorMessage error={error} />
        <TextInput label="View name" name="view-name" required value={name} onValue={setName} />
        <div class="actions">
          <button type="submit">Save</button>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ListPage({ kind }: { kind: string }) {
  const cfg = LIST_PAGES[kind];
  const me = useMe();
  const store: ViewStore = useMemo(() => serverViews(cfg.views), [kind]);
  const views = useAsync(() => store.list(), [store]);
  const initialView = new URLSearchParams(location.search).get("view") ?? "";
  const [viewId, setViewId] = useState(initialView);
  const [text, setText] = useState("");
  const [applied, setApplied] = useState("");
  const [enumValue, setEnumValue] = useState("");
  const [order, setOrder] = useState("");
  const [columns, setColumns] = useState<string[] | null>(null);
  const [tokens, setTokens] = useState<string[]>([""]);
  const [dialog, setDialog] = useState<"save" | "rename" | "create" | null>(null);
  const [viewError, setViewError] = useState<unknown>(null);
  const [notice, setNotice] = useState(takeFlash);
  const [actionError, setActionError] = useState<unknown>(null);

  const all = views.data ?? [];
  const current = all.find((v) => v.id === viewId) ?? all[0];
  useEffect(() => {
    if (!viewId && all[0]) setViewId(all[0].id);
  }, [all.length]);

  const shown = columns ?? (current?.columns.length ? current.columns.filter((c) => cfg.columns.some((x) => x.key === c)) : cfg.defaults);
  const orderBy = order || current?.order_by || "";
  const adHoc = and(applied && term(cfg.nameKey, ":", applied), enumValue && cfg.enumFilter && term(cfg.enumFilter.field, "=", enumValue));
  const filter = cfg.server ? adHoc : and(current?.filter && `${current.filter}`, adHoc);
  const token = tokens[tokens.length - 1];

  const page = useAsync(
    (signal) =>
      current || cfg.server
        ? cfg.list({ page_size: PAGE, page_token: token, filter, order_by: orderBy }, signal, cfg.server ? current?.id : undefined)
        : Promise.resolve({ items: [], next_page_token: "" }),
    [kind, current?.id, filter, orderBy, token],
  );
  // Projects: the board counts what a view holds (lists have no totals).
  const total = useAsync(
    async (signal) => {
      if (kind !== "projects" || !current) return null;
      const b = await ok(api.GET("/api/v1/projects/board", { params: { query: { view: current.id, filter, page_size: 1 } }, signal }));
      return b.columns.reduce((n, c) => n + c.count, 0);
    },
    [kind, current?.id, filter],
  );

  const reset = () => setTokens([""]);
  const sortBy = (key: string) => {
    const [f, dir] = orderBy.split(/\s+/);
    setOrder(f === key && dir !== "desc" ? `${key} desc` : key);
    reset();
  };
  const sortState = (key: string): "ascending" | "descending" | undefined => {
    const [f, dir] = orderBy.split(/\s+/);
    if (f !== key) return undefined;
    return dir === "desc" ? "descending" : "ascending";
  };
  const items = page.data?.items ?? [];
  const cols = cfg.columns.filter((c) => shown.includes(c.key));
  const editable = canCreate(me.role) && !cfg.madeElsewhere;
  const act = async (r: Row) => {
    if (!cfg.action) return;
    setActionError(null);
    try {
      await cfg.action.run(r);
      setNotice(cfg.action.done(r));
      page.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const saveAs = async (name: string) => {
    const v = await store.create({ name, filter: cfg.server ? adHoc || current?.filter || "" : filter, order_by: orderBy, columns: shown });
    views.reload();
    setViewId(v.id);
    setText("");
    setApplied("");
    setEnumValue("");
    setOrder("");
    setColumns(null);
  };

  return (
    <section class="list-page">
      <div class="page-head">
        <h1>{cfg.title}</h1>
        <div class="actions">
          {kind === "projects" && (
            <a class="button secondary" href={`/projects/board${current ? `?view=${encodeURIComponent(current.id)}` : ""}`}>
              Display as Kanban
            </a>
          )}
          {editable && (
            <button type="button" onClick={() => setDialog("create")}>
              New {cfg.singular}
            </button>
          )}
        </div>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="toolbar" role="group" aria-label="List view">
        <label>
          View{" "}
          <select
            value={current?.id ?? ""}
            onChange={(e) => {
              setViewId(e.currentTarget.value);
              setOrder("");
              setColumns(null);
              reset();
            }}
          >
            {all.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
                {v.built_in ? "" : " (saved)"}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={() => setDialog("save")}>
          Save view as…
        </button>
        {current && !current.built_in && (
          <>
            <button type="button" class="secondary" onClick={() => setDialog("rename")}>
              Rename view
            </button>
            <button
              type="button"
              class="secondary"
              onClick={async () => {
                if (!confirm(`Delete the view “${current.name}”?`)) return;
                try {
                  await store.remove(current.id);
                  setViewId("");
                  views.reload();
                } catch (e) {
                  setViewError(e);
                }
              }}
            >
              Delete view
            </button>
          </>
        )}
        <form
          class="filter"
          role="search"
          aria-label={`Filter ${cfg.title.toLowerCase()}`}
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(text.trim());
            reset();
          }}
        >
          <label>
            {cfg.nameLabel}{" "}
            <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          {cfg.enumFilter && (
            <label>
              {cfg.enumFilter.label}{" "}
              <select
                value={enumValue}
                onChange={(e) => {
                  setEnumValue(e.currentTarget.value);
                  reset();
                }}
              >
                <option value="">Any</option>
                {cfg.enumFilter.options.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="submit" class="secondary">
            Filter
          </button>
        </form>
        <details class="columns">
          <summary>Columns</summary>
          <fieldset>
            <legend>Columns shown</legend>
            {cfg.columns.map((c) => (
              <label key={c.key} class="inline">
                <input
                  type="checkbox"
                  checked={shown.includes(c.key)}
                  onChange={(e) => setColumns(e.currentTarget.checked ? [...shown, c.key] : shown.filter((x) => x !== c.key))}
                />{" "}
                {c.label}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      <ErrorMessage error={viewError || views.error} />
      <ErrorMessage error={page.error || actionError} />
      <p class="count" role="status">
        {page.loading
          ? "Loading…"
          : `${items.length} ${cfg.singular}${items.length === 1 ? "" : "s"} on this page${page.data?.next_page_token ? ", more on the next" : ""}${total.data !== null && total.data !== undefined ? ` · ${formatCount(total.data)} in this view` : ""}`}
      </p>
      {page.loading && !page.data ? (
        <Loading />
      ) : items.length === 0 && !page.error ? (
        <div class="empty-state">
          <p>
            No {cfg.title.toLowerCase()} match {applied || enumValue ? "this filter" : "this view"}.{" "}
            {applied || enumValue
              ? "Clear the filter, or choose another view."
              : editable
                ? `Create a ${cfg.singular} to get started.`
                : (cfg.madeElsewhere ?? "Choose another view.")}
          </p>
          {(applied || enumValue) && (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setText("");
                setApplied("");
                setEnumValue("");
                reset();
              }}
            >
              Clear the filter
            </button>
          )}
          {editable && !(applied || enumValue) && (
            <button type="button" onClick={() => setDialog("create")}>
              New {cfg.singular}
            </button>
          )}
        </div>
      ) : (
        <div class="table-wrap">
          <table class="list">
            <caption class="visually-hidden">
              {cfg.title}: {current?.name}
            </caption>
            <thead>
              <tr>
                {cols.map((c) => (
                  <th key={c.key} scope="col" aria-sort={c.sortable ? sortState(c.key) : undefined}>
                    {c.sortable ? (
                      <button type="button" class="sort" onClick={() => sortBy(c.key)}>
                        {c.label}
                        <span aria-hidden="true">{sortState(c.key) === "ascending" ? " ▲" : sortState(c.key) === "descending" ? " ▼" : ""}</span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
                {cfg.action && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  {cols.map((c) => (
                    <td key={c.key}>{c.render ? c.render(r) : String(r[c.key] ?? "")}</td>
                  ))}
                  {cfg.action && (
                    <td>
                      {cfg.action.when(r) && (
                        <button type="button" class="secondary" aria-label={cfg.action.label(r)} onClick={() => void act(r)}>
                          {cfg.action.text}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" class="secondary" disabled={tokens.length <= 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {tokens.length}</span>
        <button type="button" class="secondary" disabled={!page.data?.next_page_token} onClick={() => setTokens((t) => [...t, page.data!.next_page_token])}>
          Next page
        </button>
      </nav>
      <SaveViewDialog open={dialog === "save"} title="Save view as" initial="" onClose={() => setDialog(null)} onSave={saveAs} />
      <SaveViewDialog
        open={dialog === "rename"}
        title="Rename view"
        initial={current?.name ?? ""}
        onClose={() => setDialog(null)}
        onSave={async (name) => {
          if (!current) return;
          await store.update(current.id, { name });
          views.reload();
        }}
      />
      {kind === "leads" && <CreateLeadDialog open={dialog === "create"} onClose={() => setDialog(null)} />}
      {kind === "accounts" && <CreateAccountDialog open={dialog === "create"} onClose={() => setDialog(null)} />}
      {kind === "contacts" && <CreateContactDialog open={dialog === "create"} onClose={() => setDialog(null)} />}
      {kind === "projects" && <CreateProjectDialog open={dialog === "create"} onClose={() => setDialog(null)} />}
    </section>
  );
}
