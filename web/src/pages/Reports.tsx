// Reports: the built-ins and the saved reports a person may see, one report
// run in their scope (the table with totals, the chart the report service
// draws, CSV), and the builder, which previews the report as it is edited.
// Which fields a source has, and how each may be grouped or measured, is
// the owning service's answer; the report service checks and runs every
// definition.

import { useEffect, useMemo, useState } from "preact/hooks";
import { api, idempotent, ok, rawResponse } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../lib/me";
import { navigate } from "../lib/router";
import { ApiError, fieldErrors } from "../lib/problem";
import { term, and } from "../lib/views";
import {
  BUCKET_LABELS,
  CHART_TYPES,
  FUNCTIONS,
  MAX_GROUPINGS,
  SOURCES,
  blankDraft,
  cellText,
  definitionBody,
  draftOf,
  layout,
  measureLabel,
  rowCurrency,
  type Draft,
  type Report,
  type Result,
  type Source,
} from "../lib/reports";
import { ServerChart } from "../components/Charts";
import { PersonName } from "../components/Names";
import { Dialog, ErrorMessage, Field, Loading, Select, TextInput, useAnnouncer, useAsync, words } from "../components/ui";

const at = (id: string) => ({ params: { path: { id } } });

/** A field of a source as its owning service describes it. */
type SourceField = components["schemas"]["SourceFieldJson"];

function useFields(source: Source) {
  return useAsync((signal) => ok(api.GET("/api/v1/reports/fields", { params: { query: { source } }, signal })).then((r) => r.fields), [source]);
}

// ---------------------------------------------------------------- the list

export function ReportList() {
  const me = useMe();
  const list = useAsync((signal) => ok(api.GET("/api/v1/reports", { params: { query: { page_size: 200 } }, signal })), []);
  const items = list.data?.items ?? [];
  const builtIn = items.filter((r) => r.built_in);
  const mine = items.filter((r) => !r.built_in && r.owner_id === me.id);
  const shared = items.filter((r) => !r.built_in && r.owner_id !== me.id);
  return (
    <section>
      <div class="page-head">
        <h1>Reports</h1>
        <a class="button" href="/reports/new">
          New report
        </a>
      </div>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <>
          <ReportTable title="Standard reports" items={builtIn} empty="No standard reports for your role." />
          <ReportTable title="My reports" items={mine} empty="You have no saved reports yet. Build one with New report." />
          <ReportTable title="Shared with me" items={shared} empty="Nobody has shared a report with you." owner />
        </>
      )}
    </section>
  );
}

function ReportTable({ title, items, empty, owner }: { title: string; items: Report[]; empty: string; owner?: boolean }) {
  return (
    <section class="card" aria-label={title}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p class="empty-state">{empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="list">
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Over</th>
                <th scope="col">Chart</th>
                {owner && <th scope="col">Owner</th>}
                <th scope="col">Shared</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`/reports/${r.id}`}>{r.name}</a>
                    {r.description && <div class="hint">{r.description}</div>}
                  </td>
                  <td>{words(r.source)}</td>
                  <td>{CHART_TYPES.find(([c]) => c === r.chart_type)?.[1] ?? "—"}</td>
                  {owner && (
                    <td>
                      <PersonName id={r.owner_id} />
                    </td>
                  )}
                  <td>{r.built_in ? "Everyone" : r.shared ? "Yes" : "No"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------- one report run

export function ReportView({ id }: { id: string }) {
  const [, say] = useAnnouncer();
  const report = useAsync((signal) => ok(api.GET("/api/v1/reports/{id}", { ...at(id), signal })), [id]);
  const result = useAsync((signal) => ok(api.GET("/api/v1/reports/{id}/result", { ...at(id), signal })), [id]);
  const chart = useAsync(
    async (signal) => {
      const r = await ok(api.GET("/api/v1/reports/{id}", { ...at(id), signal }));
      if (!r.chart_type) return "";
      return (await rawResponse("GET", `/api/v1/reports/${encodeURIComponent(id)}/chart.svg`, { headers: { Accept: "image/svg+xml" }, signal })).text();
    },
    [id],
  );
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const r = report.data;
  if (report.loading && !r) return <Loading />;
  if (!r) return <ErrorMessage error={report.error} />;
  return (
    <article class="report">
      <p class="kind">Report</p>
      <div class="page-head">
        <h1>{r.name}</h1>
        <div class="options">
          {r.editable && (
            <a class="button" href={`/reports/${r.id}/edit`}>
              Edit report
            </a>
          )}
          <a class="button secondary" href={`/reports/new?from=${encodeURIComponent(r.id)}`}>
            Save a copy
          </a>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setError(null);
              void downloadCsv(r.id).then(() => say("The CSV is downloaded."), setError);
            }}
          >
            Download CSV
          </button>
          {r.editable && (
            <button type="button" class="secondary danger" onClick={() => setConfirm(true)}>
              Delete report
            </button>
          )}
        </div>
      </div>
      {r.description && <p>{r.description}</p>}
      <p class="hint">
        Over {r.source}
        {r.filter ? ` where ${r.filter}` : ""}. {r.built_in ? "A standard report." : r.shared ? "Shared." : "Only you see it."} Figures are of the records you may see.
      </p>
      <ErrorMessage error={error} />
      <ResultPanel result={result.data} chart={chart.data ?? ""} error={result.error ?? chart.error} loading={result.loading} />
      <Dialog open={confirm} title="Delete this report?" onClose={() => setConfirm(false)}>
        <p>
          “{r.name}” is deleted for you{r.shared ? " and everyone it is shared with" : ""}.
        </p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              void ok(api.DELETE("/api/v1/reports/{id}", at(r.id))).then(() => navigate("/reports"), setError);
            }}
          >
            Delete
          </button>
          <button type="button" class="secondary" onClick={() => setConfirm(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
      <p>
        <a href="/reports">Back to reports</a>
      </p>
    </article>
  );
}

/** Fetches the CSV with the session's credentials and hands it to the browser as a download. */
async function downloadCsv(id: string): Promise<void> {
  const res = await rawResponse("GET", `/api/v1/reports/${encodeURIComponent(id)}/export.csv`, { headers: { Accept: "text/csv" } });
  const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? "report.csv";
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ResultPanel({ result, chart, error, loading }: { result: Result | undefined; chart: string; error: unknown; loading: boolean }) {
  return (
    <>
      <ErrorMessage error={error} />
      {loading && !result && <Loading what="Running the report" />}
      {result && (
        <>
          {chart && (
            <figure class="card">
              <ServerChart svg={chart} />
              <figcaption class="hint">The same figures stand in the table below.</figcaption>
            </figure>
          )}
          <ResultTable result={result} />
        </>
      )}
    </>
  );
}

function ResultTable({ result }: { result: Result }) {
  const { keys, measures, currency } = layout(result);
  const totals = result.totals;
  if (result.rows.length === 0) return <p class="empty-state">No records match this report.</p>;
  return (
    <div class="table-wrap">
      <table class="list report-table">
        <caption class="visually-hidden">{result.report.name}</caption>
        <thead>
          <tr>
            {keys.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
            {measures.map((c) => (
              <th scope="col" class="num" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, i) => {
            const cur = rowCurrency(row, currency);
            return (
              <tr key={i}>
                {keys.map((c, j) => (j === 0 ? <th scope="row" key={c.key}>{row.labels[j] || "(none)"}</th> : <td key={c.key}>{row.labels[j] || "(none)"}</td>))}
                {measures.map((c, j) => (
                  <td class="num" key={c.key}>
                    {cellText(c, row.values[j] ?? "", cur)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
        {totals && (
          <tfoot>
            <tr>
              {keys.map((c, j) => (j === 0 ? <th scope="row" key={c.key}>Total</th> : <td key={c.key}>{totals.labels[j] ?? ""}</td>))}
              {measures.map((c, j) => (
                <td class="num" key={c.key}>
                  {cellText(c, totals.values[j] ?? "", rowCurrency(totals, currency))}
                </td>
              ))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

// ------------------------------------------------------------- the builder

const OPS: [string, string][] = [
  ["=", "is"],
  ["!=", "is not"],
  [">", "after / more than"],
  ["<", "before / less than"],
  [">=", "on or after / at least"],
  ["<=", "on or before / at most"],
  [":", "contains"],
];

/** `/reports/new` (a copy of `?from=` if given) or `/reports/{id}/edit`. */
export function ReportBuilder({ id, from }: { id?: string; from?: string }) {
  const me = useMe();
  const start = useAsync(async (signal) => {
    const src = id ?? from;
    if (!src) return blankDraft();
    const r = await ok(api.GET("/api/v1/reports/{id}", { ...at(src), signal }));
    const d = draftOf(r);
    return id ? d : { ...d, name: `${d.name} (copy)`, shared: false };
  }, [id, from]);
  if (start.loading && !start.data) return <Loading />;
  if (!start.data) return <ErrorMessage error={start.error} />;
  return <Builder id={id} initial={start.data} vendor={!me.partner_id} />;
}

function Builder({ id, initial, vendor }: { id?: string; initial: Draft; vendor: boolean }) {
  const [d, setD] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [announced, say] = useAnnouncer();
  const fields = useFields(d.source);
  const all = fields.data ?? [];
  const labelOf = (f: string) => all.find((x) => x.name === f)?.label ?? words(f);
  const preview = usePreview(d, say);
  const set = (p: Partial<Draft>) => setD((x) => ({ ...x, ...p }));

  const save = (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(null);
    setErrors({});
    const body = definitionBody(d);
    const done = id
      ? ok(api.PATCH("/api/v1/reports/{id}", { ...at(id), body }))
      : ok(api.POST("/api/v1/reports", { body, headers: idempotent() }));
    done.then(
      (r) => navigate(`/reports/${r.id}`),
      (err) => {
        setSaving(false);
        setSaveError(err);
        if (err instanceof ApiError) setErrors(fieldErrors(err.problem));
      },
    );
  };

  const groupable = all.filter((f) => f.groupable);
  const measurable = all.filter((f) => f.measurable);
  const columnOptions: [string, string][] = [
    ["", "The groupings' natural order"],
    ...(preview.result ? preview.result.columns.map((c): [string, string] => [c.key, c.label]) : []),
  ];
  return (
    <section class="builder">
      <div class="page-head">
        <h1>{id ? `Edit ${initial.name}` : "New report"}</h1>
      </div>
      <div class="builder-grid">
        <form class="card" onSubmit={save} aria-label="Report definition">
          <TextInput label="Report name" name="name" value={d.name} onValue={(v) => set({ name: v })} error={errors["name"]} required maxLength={100} />
          <TextInput label="Description" name="description" value={d.description} onValue={(v) => set({ description: v })} error={errors["description"]} />
          <Select
            label="Source"
            name="source"
            value={d.source}
            onValue={(v) => set({ ...blankDraft(v as Source), name: d.name, description: d.description, shared: d.shared, chart_type: d.chart_type === "funnel" ? "bar" : d.chart_type })}
            options={SOURCES}
            error={errors["source"]}
          />
          <ErrorMessage error={fields.error} />
          <FilterEditor value={d.filter} onValue={(v) => set({ filter: v })} fields={all} error={errors["filter"]} />

          <fieldset class="field">
            <legend>Groupings (up to {MAX_GROUPINGS})</legend>
            {d.group_by.map((g, i) => {
              const f = all.find((x) => x.name === g.field);
              return (
                <div class="builder-row" key={i}>
                  <Select
                    label={`Grouping ${i + 1}`}
                    name={`group_by[${i}].field`}
                    value={g.field}
                    onValue={(v) => set({ group_by: d.group_by.map((x, j) => (j === i ? { field: v, bucket: "" } : x)) })}
                    options={[["", "Choose a field"], ...groupable.map((x): [string, string] => [x.name, x.label])]}
                    error={errors[`group_by[${i}].field`] ?? errors[`group_by[${i}]`]}
                  />
                  {f && f.buckets.length > 0 && (
                    <Select
                      label={`Grouping ${i + 1} period`}
                      name={`group_by[${i}].bucket`}
                      value={g.bucket}
                      onValue={(v) => set({ group_by: d.group_by.map((x, j) => (j === i ? { ...x, bucket: v as Draft["group_by"][number]["bucket"] } : x)) })}
                      options={["", ...f.buckets].map((b): [string, string] => [b, BUCKET_LABELS[b] ?? words(b)])}
                    />
                  )}
                  <button type="button" class="secondary small" onClick={() => set({ group_by: d.group_by.filter((_, j) => j !== i) })}>
                    Remove grouping {i + 1}
                  </button>
                </div>
              );
            })}
            <button
              type="button"
              class="secondary small"
              disabled={d.group_by.length >= MAX_GROUPINGS}
              onClick={() => set({ group_by: [...d.group_by, { field: groupable[0]?.name ?? "", bucket: "" }] })}
            >
              Add a grouping
            </button>
            {errors["group_by"] && <small class="field-error">{errors["group_by"]}</small>}
          </fieldset>

          <fieldset class="field">
            <legend>Measures</legend>
            {d.measures.map((m, i) => (
              <div class="builder-row" key={i}>
                <Select
                  label={`Measure ${i + 1}`}
                  name={`measures[${i}].function`}
                  value={m.function}
                  onValue={(v) =>
                    set({
                      measures: d.measures.map((x, j) =>
                        j === i ? { function: v as Draft["measures"][number]["function"], field: v === "count" ? "" : x.field || measurable[0]?.name || "" } : x,
                      ),
                    })
                  }
                  options={FUNCTIONS}
                />
                {m.function !== "count" && (
                  <Select
                    label={`Measure ${i + 1} field`}
                    name={`measures[${i}].field`}
                    value={m.field}
                    onValue={(v) => set({ measures: d.measures.map((x, j) => (j === i ? { ...x, field: v } : x)) })}
                    options={[["", "Choose a field"], ...measurable.map((x): [string, string] => [x.name, x.label])]}
                    error={errors[`measures[${i}].field`] ?? errors[`measures[${i}]`]}
                  />
                )}
                {d.measures.length > 1 && (
                  <button
                    type="button"
                    class="secondary small"
                    onClick={() => set({ measures: d.measures.filter((_, j) => j !== i), chart_measure: d.chart_measure >= i && d.chart_measure > 0 ? d.chart_measure - 1 : d.chart_measure })}
                  >
                    Remove measure {i + 1}
                  </button>
                )}
              </div>
            ))}
            <button type="button" class="secondary small" disabled={d.measures.length >= 10} onClick={() => set({ measures: [...d.measures, { function: "sum", field: measurable[0]?.name ?? "" }] })}>
              Add a measure
            </button>
          </fieldset>

          <div class="builder-row">
            <Select label="Chart" name="chart_type" value={d.chart_type} onValue={(v) => set({ chart_type: v as Draft["chart_type"] })} options={CHART_TYPES} error={errors["chart_type"]} />
            {d.chart_type && d.measures.length > 1 && (
              <Select
                label="Chart shows"
                name="chart_measure"
                value={String(d.chart_measure)}
                onValue={(v) => set({ chart_measure: Number(v) })}
                options={d.measures.map((m, i): [string, string] => [String(i), measureLabel(m, labelOf)])}
                error={errors["chart_measure"]}
              />
            )}
          </div>
          <div class="builder-row">
            <Select label="Sort by" name="sort.column" value={d.sort.column} onValue={(v) => set({ sort: { ...d.sort, column: v } })} options={columnOptions} error={errors["sort.column"]} />
            <label class="inline">
              <input type="checkbox" checked={d.sort.descending} onChange={(e) => set({ sort: { ...d.sort, descending: (e.currentTarget as HTMLInputElement).checked } })} />
              Descending
            </label>
          </div>
          <label class="inline">
            <input type="checkbox" name="shared" checked={d.shared} onChange={(e) => set({ shared: (e.currentTarget as HTMLInputElement).checked })} />
            {vendor ? "Share with vendor staff" : "Share with my company"}
          </label>
          <ErrorMessage error={saveError} />
          <div class="actions">
            <button type="submit" disabled={saving}>
              {id ? "Save report" : "Save the report"}
            </button>
            <a href={id ? `/reports/${id}` : "/reports"}>Cancel</a>
          </div>
        </form>
        <section class="preview" aria-label="Preview">
          <h2>Preview</h2>
          <p class="visually-hidden" role="status" aria-live="polite">
            {announced}
          </p>
          <ResultPanel result={preview.result} chart={preview.chart} error={preview.error} loading={preview.loading} />
        </section>
      </div>
    </section>
  );
}

/** The draft run as the person edits it, a moment after the last change (a stale answer never overwrites a newer one). */
function usePreview(d: Draft, say: (m: string) => void) {
  const [state, setState] = useState<{ result?: Result; chart: string; error: unknown; loading: boolean }>({ chart: "", error: null, loading: true });
  const key = useMemo(() => JSON.stringify(definitionBody(d, true)), [d]);
  useEffect(() => {
    const body = JSON.parse(key) as ReturnType<typeof definitionBody>;
    // A grouping or measure still without its field is not worth a round trip.
    if (body.group_by.some((g) => !g.field) || body.measures.some((m) => m.function !== "count" && !m.field)) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      setState((s) => ({ ...s, loading: true }));
      const result = ok(api.POST("/api/v1/reports:run", { body, signal: ctrl.signal }));
      const chart = body.chart_type
        ? rawResponse("POST", "/api/v1/reports:renderChart", { json: body, headers: { Accept: "image/svg+xml" }, signal: ctrl.signal }).then((r) => r.text())
        : Promise.resolve("");
      Promise.all([result, chart]).then(
        ([r, c]) => {
          if (ctrl.signal.aborted) return;
          setState({ result: r, chart: c, error: null, loading: false });
          say(`Preview updated: ${r.rows.length} ${r.rows.length === 1 ? "row" : "rows"}.`);
        },
        (e) => {
          if (ctrl.signal.aborted) return;
          setState((s) => ({ ...s, error: e, loading: false }));
        },
      );
    }, 350);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [key]);
  return state;
}

/** The filter as text the server checks, with a helper that adds one condition at a time. */
function FilterEditor({ value, onValue, fields, error }: { value: string; onValue: (v: string) => void; fields: SourceField[]; error?: string }) {
  const [field, setField] = useState("");
  const [op, setOp] = useState("=");
  const [v, setV] = useState("");
  const f = fields.find((x) => x.name === field) ?? fields[0];
  const add = () => {
    if (!f || !v.trim()) return;
    const t = f.kind === "text" && f.values.length === 0 ? term(f.name, op, v.trim()) : `${f.name} ${op} ${v.trim()}`;
    onValue(and(value, t));
    setV("");
  };
  return (
    <fieldset class="field">
      <legend>Filter</legend>
      <TextInput label="Filter" name="filter" value={value} onValue={onValue} error={error} hint="Conditions joined by AND, e.g. stage != closed_lost AND currency_code = EUR." />
      <div class="builder-row">
        <Select label="Condition field" name="cond-field" value={f?.name ?? ""} onValue={setField} options={fields.map((x): [string, string] => [x.name, x.label])} />
        <Select label="Condition" name="cond-op" value={op} onValue={setOp} options={OPS} />
        {f && f.values.length > 0 ? (
          <Select label="Condition value" name="cond-value" value={v} onValue={setV} options={[["", "Choose"], ...f.values.map((x): [string, string] => [x, words(x)])]} />
        ) : (
          <Field label="Condition value">
            {(fid) => <input id={fid} type={f?.kind === "date" || f?.kind === "timestamp" ? "date" : "text"} value={v} onInput={(e) => setV((e.currentTarget as HTMLInputElement).value)} />}
          </Field>
        )}
        <button type="button" class="secondary small" disabled={!f || !v.trim()} onClick={add}>
          Add condition
        </button>
      </div>
    </fieldset>
  );
}
