// The typed REST client (openapi-fetch over the types openapi-typescript
// generates from the gateway's document), going through the session's fetch
// (bearer, refresh once on 401 and retry), and `raw` for the routes whose
// document entry declares no parameters or body yet.

import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { Session } from "./session";
import { ApiError, parseRetryAfter, problemOf, type Problem } from "../lib/problem";

export const session = new Session();

export const api = createClient<paths>({ baseUrl: "", fetch: session.fetch });

/** A UUID for `Idempotency-Key` (creates are safe to retry). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

function isProblem(e: unknown): e is Problem {
  return !!e && typeof e === "object" && "status" in e;
}

/** The data of an openapi-fetch answer, or an ApiError with the problem. */
export async function ok<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError({ status: 0, title: "Network error", detail: "The portal could not reach the server. Check your connection." });
  }
  if (r.response.ok) return r.data as T;
  const retry = parseRetryAfter(r.response.headers.get("Retry-After"));
  const problem: Problem = isProblem(r.error)
    ? r.error
    : { status: r.response.status, title: r.response.statusText, detail: typeof r.error === "string" && r.error ? r.error : undefined };
  throw new ApiError({ ...problem, status: problem.status || r.response.status }, retry);
}

export interface RawOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  idempotent?: boolean;
}

/** A request to a route the generated types do not describe well yet. */
export async function rawResponse(method: string, path: string, o: RawOptions = {}): Promise<Response> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
  const headers = new Headers({ Accept: "application/json", ...o.headers });
  let body = o.body;
  if (o.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(o.json);
  }
  if (o.idempotent) headers.set("Idempotency-Key", idempotencyKey());
  let res: Response;
  try {
    res = await session.fetch(new Request(url, { method, headers, body, signal: o.signal, credentials: "same-origin" }));
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError({ status: 0, title: "Network error", detail: "The portal could not reach the server. Check your connection." });
  }
  if (!res.ok) throw new ApiError(await problemOf(res), parseRetryAfter(res.headers.get("Retry-After")));
  return res;
}

export async function raw<T>(method: string, path: string, o: RawOptions = {}): Promise<T> {
  const res = await rawResponse(method, path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
