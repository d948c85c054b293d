// The typed REST client (openapi-fetch over the types openapi-typescript
// generates from the gateway's document), going through the session's fetch
// (bearer, refresh once on 401 and retry): a REST change fails tsc. `raw`
// serves what is not JSON: a file's bytes, up and down.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { Session } from "./session";
import { ApiError, parseRetryAfter, problemFrom, problemOf } from "../lib/problem";

export const session = new Session();

/** Query values as `raw` sends them: undefined and empty strings are left out (the server reads `filter=` as a filter). */
export function querySerializer(q: Record<string, unknown>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  return u.toString();
}

export function typedClient(fetch: (r: Request) => Promise<Response>, baseUrl = "") {
  return createClient<paths>({ baseUrl, fetch, querySerializer, headers: { Accept: "application/json" } });
}

export const api = typedClient(session.fetch);

type Schemas = components["schemas"];

/**
 * A request body of one of the document's schemas, with only the fields sent:
 * openapi-typescript makes every field that has a default required, but the
 * server fills the defaults in (and a PATCH sends only what changes). The
 * fields given are still checked against the schema.
 */
export function input<K extends keyof Schemas>(fields: Partial<Schemas[K]>): Schemas[K] {
  return fields as Schemas[K];
}

/** A UUID for `Idempotency-Key` (creates are safe to retry). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/** The header of a POST that is safe to retry. */
export function idempotent(): { "Idempotency-Key": string } {
  return { "Idempotency-Key": idempotencyKey() };
}

const NETWORK = { status: 0, title: "Network error", detail: "The portal could not reach the server. Check your connection." };

/** The data of an openapi-fetch answer, or an ApiError with the problem (as `raw` would throw it). */
export async function ok<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(NETWORK);
  }
  if (r.response.ok) return r.data as T;
  throw new ApiError(problemFrom(r.error, r.response), parseRetryAfter(r.response.headers.get("Retry-After")));
}

export interface RawOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  idempotent?: boolean;
}

/** A request whose body or answer is not JSON (a file's bytes). */
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
    throw new ApiError(NETWORK);
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
