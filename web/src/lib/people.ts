// People's names for ids (owners, authors, who changed a field): read once
// from /api/v1/users/{id} in the caller's scope and kept for the session.

import { useEffect, useState } from "preact/hooks";
import { READ, type Kind } from "../api/records";
import type { SessionUser } from "../api/session";

const cache = new Map<string, Promise<SessionUser | null>>();

export function person(id: string): Promise<SessionUser | null> {
  if (!id) return Promise.resolve(null);
  let p = cache.get(id);
  if (!p) {
    p = READ.users(id).catch(() => null);
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
export function recordName(kind: Kind, id: string): Promise<string> {
  const key = `${kind}/${id}`;
  let p = records.get(key);
  if (!p) {
    p = READ[kind](id)
      .then((r) => nameOf(kind, r as Record<string, unknown>))
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

export function useRecordName(kind: Kind, id: string | null | undefined): string {
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
