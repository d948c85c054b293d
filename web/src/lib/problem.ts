// RFC 9457 problem details as the gateway answers them, and how the portal
// shows them: a message for the whole form and one per named field.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

/** An API call that failed: the problem, and `Retry-After` seconds when given. */
export class ApiError extends Error {
  readonly problem: Problem;
  readonly retryAfter: number | null;
  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problemMessage(problem, retryAfter));
    this.name = "ApiError";
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** A problem from any failed response, even one that is not problem+json. */
export async function problemOf(res: Response): Promise<Problem> {
  let body: unknown = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return problemFrom(body, res);
}

/** The problem of a failed response whose body is already read (parsed JSON, text, or nothing). */
export function problemFrom(body: unknown, res: { status: number; statusText: string }): Problem {
  if (body && typeof body === "object" && "status" in body) {
    const p = body as Problem;
    return { ...p, status: typeof p.status === "number" ? p.status : res.status };
  }
  return { status: res.status, title: res.statusText || "Error", detail: defaultDetail(res.status) };
}

function defaultDetail(status: number): string {
  if (status === 0) return "The portal could not reach the server. Check your connection.";
  if (status === 404) return "This record does not exist, or you may not see it.";
  if (status === 429) return "Too many requests.";
  if (status === 503) return "The service is unavailable.";
  if (status >= 500) return "The server failed to answer.";
  return `The request failed (${status}).`;
}

/** The message shown for a problem: its detail, the field it names, and when to try again. */
export function problemMessage(p: Problem, retryAfter: number | null = null): string {
  let msg = p.detail || p.title || defaultDetail(p.status);
  const fields = (p.errors ?? []).map((e) => e.field).filter(Boolean);
  if (fields.length && !fields.some((f) => msg.includes(f))) msg = `${label(fields[0])}: ${msg}`;
  if (p.status === 429 || p.status === 503) {
    const wait = retryAfter ?? 0;
    msg = wait > 0 ? `${msg} Try again in ${wait} s.` : `${msg} Try again shortly.`;
  }
  return msg;
}

/** `billing_address.city` → "Billing address city"; the label a field has in the forms. */
export function label(field: string): string {
  const s = field.replace(/[._]/g, " ").replace(/\s+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Field errors keyed by the form's field names. A server field names the
 * request field (`billing_address.city`, `demo_answers[0].answer`); it is kept
 * as is, and also mapped to its top-level field when the form has no such key.
 */
export function fieldErrors(p: Problem, known: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of p.errors ?? []) {
    if (!e.field) continue;
    const msg = e.message || p.detail || "is not valid";
    let key = e.field;
    if (known.length && !known.includes(key)) {
      const top = key.split(/[.[]/)[0];
      const prefixed = known.find((k) => key.endsWith(`.${k}`) || k.endsWith(`.${key}`));
      key = known.includes(top) ? top : (prefixed ?? key);
    }
    if (!(key in out)) out[key] = msg;
  }
  return out;
}

/** Errors that no field of the form shows: they go to the form's summary. */
export function unplacedErrors(p: Problem, known: readonly string[]): string[] {
  const placed = fieldErrors(p, known);
  const keys = Object.keys(placed).filter((k) => !known.includes(k));
  return keys.map((k) => `${label(k)}: ${placed[k]}`);
}
