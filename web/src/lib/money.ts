// Money arrives as exact decimal strings ("1132.00"). It is shown in the
// person's locale with its currency, without ever going through a float: the
// integer part is formatted as a BigInt (exact) and the fraction digits are
// the string's own, padded to the currency's minor unit. Nothing here adds,
// multiplies or rounds money: the server computes it.

const DECIMAL = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/;

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string | undefined, currency: string): Intl.NumberFormat {
  const key = `${locale ?? ""}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: "currency", currency});
    formatters.set(key, f);
  }
  return f;
}

/** Splits a decimal string into sign, integer digits and fraction digits; null if it is not one. */
export function splitDecimal(s: string): { negative: boolean; int: string; frac: string } | null {
  const m = DECIMAL.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const int = (m[2] || "0").replace(/^0+(?=\d)/, "");
  return { negative: m[1] === "-", int, frac: m[3] ?? "" };
}

/**
 * `formatMoney("1234.50", "EUR", "de-DE")` → "1.234,50 EUR".
 * The currency is always shown (its symbol in the locale, e.g. € or US$).
 */
export function formatMoney(amount: string | null | undefined, currency: string, locale?: string): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const d = splitDecimal(amount);
  if (!d || !currency) return currency ? `${amount} ${currency}` : amount;
  let f: Intl.NumberFormat;
  try {
    f = formatter(locale, currency);
  } catch {
    return `${amount} ${currency}`;
  }
  const minor = f.resolvedOptions().maximumFractionDigits ?? 2;
  let frac = d.frac;
  // Pad to the minor unit; keep extra digits the server sent (never round here).
  if (frac.length < minor) frac = frac.padEnd(minor, "0");
  else if (frac.length > minor) frac = frac.replace(/0+$/, "").padEnd(minor, "0");
  const isZero = /^0*$/.test(d.int) && /^0*$/.test(frac);
  const negative = d.negative && !isZero;
  const int = BigInt(d.int);
  // -0 does not exist as a BigInt: format -1 and put the zero back.
  const value = negative ? -(int === 0n ? 1n : int) : int;
  const parts = f.formatToParts(value);
  let out = "";
  let fracDone = false;
  let decimalSeen = false;
  for (const p of parts) {
    if (p.type === "integer" && int === 0n) out += "0";
    else if (p.type === "decimal") {
      decimalSeen = true;
      if (frac.length) out += p.value;
    } else if (p.type === "fraction") {
      if (!fracDone) out += frac;
      fracDone = true;
    } else out += p.value;
  }
  // A currency of 0 minor digits with a fraction the server sent anyway.
  if (!decimalSeen && frac.length) {
    const sep = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";
    out = out.replace(/(\d)(?!.*\d)/, `$1${sep}${frac}`);
  }
  return out;
}

const counters = new Map<string, Intl.NumberFormat>();

/** A number shown in the locale (counts, users). */
export function formatCount(n: number | null | undefined, locale?: string): string {
  if (n === null || n === undefined) return "unavailable";
  const key = locale ?? "";
  let f = counters.get(key);
  if (!f) counters.set(key, (f = new Intl.NumberFormat(locale)));
  return f.format(n);
}

/**
 * A decimal string as a number for drawing only (the height of a bar); never
 * for money that is shown or sent.
 */
export function magnitude(amount: string): number {
  const n = Number(amount);
  return Number.isFinite(n) ? Math.abs(n) : 0;
}
