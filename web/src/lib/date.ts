// Dates: `YYYY-MM-DD` date-only values (close dates, due dates) are calendar
// days with no time zone: they are formatted in UTC so that no offset moves
// them to the day before. Timestamps are shown in the person's own zone.

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

// Building a formatter is costly (a board shows 80 dates): one per locale and options.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

export function formatDate(d: string | null | undefined, locale?: string): string {
  if (!d) return "—";
  const m = DATE_ONLY.exec(d);
  if (!m) return formatDateTime(d, locale);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatter(locale, { dateStyle: "medium", timeZone: "UTC" }).format(t);
}

export function formatDateTime(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return formatter(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(t);
}

/** Today in the person's zone as `YYYY-MM-DD`, optionally `days` later. */
export function isoDay(days = 0, now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
