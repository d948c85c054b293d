// Dates: `YYYY-MM-DD` date-only values (close dates, due dates) are calendar
// days with no time zone: they are formatted in UTC so that no offset moves
// them to the day before. Timestamps are shown in the person's own zone.

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function formatDate(d: string | null | undefined, locale?: string): string {
  if (!d) return "—";
  const m = DATE_ONLY.exec(d);
  if (!m) return formatDateTime(d, locale);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(t);
}

export function formatDateTime(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(t);
}

/** Today in the person's zone as `YYYY-MM-DD`, optionally `days` later. */
export function isoDay(days = 0, now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
