// A report's definition as the builder edits it, and its result as the
// portal shows it. The report service checks every definition and computes
// every figure; this only shapes what is sent and formats what comes back.

import type { components } from "../api/schema";
import { formatCount, formatMoney } from "./money";

type S = components["schemas"];
export type Report = S["ReportJson"];
export type Result = S["ResultJson"];
export type Source = Exclude<S["ReportCreate"]["source"], "">;
export type ChartType = NonNullable<S["ReportCreate"]["chart_type"]>;
export type Fn = Exclude<NonNullable<S["MeasureJson"]["function"]>, "">;
export type Bucket = NonNullable<S["GroupingJson"]["bucket"]>;

export const SOURCES: [Source, string][] = [
  ["projects", "Projects"],
  ["leads", "Leads"],
  ["quotes", "Quotes"],
  ["orders", "Orders"],
  ["cases", "Cases"],
  ["tasks", "Tasks"],
];

export const CHART_TYPES: [ChartType, string][] = [
  ["", "No chart"],
  ["bar", "Bar"],
  ["line", "Line"],
  ["pie", "Pie"],
  ["funnel", "Funnel"],
];

export const FUNCTIONS: [Fn, string][] = [
  ["count", "Count of records"],
  ["sum", "Sum"],
  ["avg", "Average"],
  ["min", "Minimum"],
  ["max", "Maximum"],
];

export const BUCKET_LABELS: Record<string, string> = {
  "": "The date itself",
  day: "Day",
  week: "Week",
  month: "Month",
  quarter: "Quarter",
  year: "Year",
  age: "Age (days ago)",
};

/** What the builder edits: the fields of a new report (ReportCreate). */
export interface Draft {
  name: string;
  description: string;
  source: Source;
  filter: string;
  group_by: { field: string; bucket: Bucket }[];
  measures: { function: Fn; field: string }[];
  chart_type: ChartType;
  chart_measure: number;
  shared: boolean;
  sort: { column: string; descending: boolean };
}

export const MAX_GROUPINGS = 3;

export function blankDraft(source: Source = "projects"): Draft {
  return {
    name: "",
    description: "",
    source,
    filter: "",
    group_by: [],
    measures: [{ function: "count", field: "" }],
    chart_type: "bar",
    chart_measure: 0,
    shared: false,
    sort: { column: "", descending: false },
  };
}

/** A saved or built-in report as a draft (a built-in's copy starts from it). */
export function draftOf(r: Report): Draft {
  return {
    name: r.name,
    description: r.description,
    source: (r.source || "projects") as Source,
    filter: r.filter,
    group_by: r.group_by.map((g) => ({ field: g.field ?? "", bucket: g.bucket === "none" ? "" : (g.bucket ?? "") })),
    measures: r.measures.map((m) => ({ function: (m.function || "count") as Fn, field: m.field ?? "" })),
    chart_type: r.chart_type,
    chart_measure: r.chart_measure,
    shared: r.shared,
    sort: { column: r.sort.column ?? "", descending: !!r.sort.descending },
  };
}

/**
 * The body sent to save or preview a draft. A count needs no field, so none
 * is sent; a preview needs a name the person may not have typed yet.
 */
export function definitionBody(d: Draft, preview = false): S["ReportCreate"] {
  return {
    name: d.name.trim() || (preview ? "Preview" : ""),
    description: d.description,
    source: d.source,
    filter: d.filter.trim(),
    group_by: d.group_by.map((g) => ({ field: g.field, bucket: g.bucket })),
    measures: d.measures.map((m) => ({ function: m.function, field: m.function === "count" ? "" : m.field })),
    chart_type: d.chart_type,
    chart_measure: Math.min(d.chart_measure, Math.max(0, d.measures.length - 1)),
    shared: d.shared,
    sort: d.sort,
  };
}

/** A measure's name as the table heads it, before the server has run it. */
export function measureLabel(m: { function: Fn; field: string }, fieldLabel: (f: string) => string): string {
  if (m.function === "count") return "Count of records";
  const fn = FUNCTIONS.find(([f]) => f === m.function)?.[1] ?? m.function;
  return m.field ? `${fn} of ${fieldLabel(m.field)}` : fn;
}

type Column = S["ColumnJson"];
type Row = S["RowJson"];

/** The key and measure columns of a result, and where its currency sits among the keys. */
export function layout(r: Result): { keys: Column[]; measures: Column[]; currency: number } {
  const keys = r.columns.filter((c) => c.kind === "key");
  const measures = r.columns.filter((c) => c.kind === "measure");
  return { keys, measures, currency: keys.findIndex((c) => c.field === "currency_code") };
}

/** A measure's cell: money in the row's currency, whole numbers grouped, the rest as the server wrote them. */
export function cellText(col: Column, value: string, currency: string): string {
  if (value === "") return "—";
  if (col.money && currency) return formatMoney(value, currency);
  if (/^-?\d{1,15}$/.test(value)) return formatCount(Number(value));
  return value;
}

/** A row's currency: its currency key, if the report has one. */
export function rowCurrency(row: Row, currency: number): string {
  return currency >= 0 ? (row.keys[currency] ?? "") : "";
}
