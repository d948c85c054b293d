// People's names for ids (owners, authors, who changed a field): read once
// from /api/v1/users/{id} in the caller's scope and kept for the session.

import { useEffect, useState } from "preact/hooks";
import { api, ok, raw } from "../api/client";
import type { SessionUser } from "../api/session";

const cache = new Map<string, Promise<SessionUser | null>>();

export function person(id: string): Promise<SessionUser | null> {
  if (!id) return Promise.resolve(null);
  let p = cache.get(id);
  if (!p) {
    // The document declares no answer for users yet: it is the session's user shape.
    p = ok<SessionUser>(api.GET("/api/v1/users/{id}", { params: { path: { id } } })).catch(() => null);
    cache.set(id, p);
  }
  return p;
}

export function remember(u: SessionUser): void {
  cache.set(u.id, Promise.resolve(u));
}

export function forgetPeople(): void {
  cache.clear();
}

export function usePersonName(id: string | null | undefined): string {
  const [name, setName] = useState("");
  useEffect(() => {
    let live = true;
    setName("");
    if (id) void person(id).then((u) => live && setName(u?.display_name ?? "someone outside your scope"));
    return () => {
      live = false;
    };
  }, [id]);
  return id ? name || "…" : "—";
}

const records = new Map<string, Promise<string>>();

/** The display name of a record (an account's name, a contact's full name), cached. */
export function recordName(kind: string, id: string): Promise<string> {
  const key = `${kind}/${id}`;
  let p = records.get(key);
  if (!p) {
    // Any collection's record by name (a link to an account, a contact…): raw, the path is built from the kind.
    p = raw<Record<string, unknown>>("GET", `/api/v1/${kind}/${encodeURIComponent(id)}`)
      .then((r) => nameOf(kind, r))
      .catch(() => "(not visible)");
    records.set(key, p);
  }
  return p;
}

export function forgetRecord(kind: string, id: string): void {
  records.delete(`${kind}/${id}`);
}

export function nameOf(kind: string, r: Record<string, unknown>): string {
  const s = (k: string) => (typeof r[k] === "string" ? (r[k] as string) : "");
  if (kind === "contacts" || kind === "leads") return `${s("first_name")} ${s("last_name")}`.trim() || s("company") || s("email");
  if (kind === "cases") return `${s("number")} · ${s("subject")}`;
  if (kind === "tasks") return s("subject");
  if (kind === "orders") return s("number") || s("id");
  return s("name") || s("number") || s("id");
}

export function useRecordName(kind: string, id: string | null | undefined): string {
  const [name, setName] = useState("");
  useEffect(() => {
    let live = true;
    setName("");
    if (id) void recordName(kind, id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [kind, id]);
  return id ? name || "…" : "—";
}
