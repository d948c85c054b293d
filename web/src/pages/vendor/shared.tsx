// What the vendor's pages share: partners by name, a list read page by page
// with Previous / Next, the server's field errors of a refused form keyed by
// the form's own names, and a running action's error and announcement.

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ApiError, fieldErrors } from "../../lib/problem";
import { useAnnouncer, useAsync, type Async } from "../../components/ui";

type S = components["schemas"];
export type Partner = S["Partner"];

/** The id the lead service gives the vendor's pool (leads of no partner). */
export const POOL = "00000000-0000-0000-0000-000000000000";

/** The partners of the caller's scope (all of them for a vendor admin), by name. */
export function usePartners(): Async<Partner[]> {
  return useAsync(async (signal) => (await ok(api.GET("/api/v1/partners", { signal }))).items.sort((a, b) => a.name.localeCompare(b.name)), []);
}

/** A partner's name, never its id: "…" while loading, a plain word when it is not in the caller's scope. */
export function partnerName(partners: Partner[] | undefined, id: string | null | undefined): string {
  if (!id) return "—";
  if (!partners) return "…";
  return partners.find((p) => p.id === id)?.name ?? "(a partner outside your scope)";
}

/** The server's message for each field a refused request names, keyed by the form's names. */
export function errorsOf(e: unknown, names: readonly string[]): Record<string, string> {
  return e instanceof ApiError ? fieldErrors(e.problem, names) : {};
}

/** The errors of a list of rows (`demo_questions[2].text`): row index → message. */
export function rowErrors(e: unknown, list: string, field: string): Record<number, string> {
  const out: Record<number, string> = {};
  if (!(e instanceof ApiError)) return out;
  const re = new RegExp(`^${list}\\[(\\d+)\\](?:\\.${field})?$`);
  for (const fe of e.problem.errors ?? []) {
    const m = re.exec(fe.field ?? "");
    if (m && !(Number(m[1]) in out)) out[Number(m[1])] = fe.message || e.problem.detail || "is not valid";
  }
  return out;
}

export interface Paged<T> {
  page: Async<{ items: T[]; next_page_token: string }>;
  pager: ComponentChildren;
  /** Back to the first page (after a change of filter). */
  restart: () => void;
}

/** A list read a page at a time: `fetch` gets the page token; `pager` is the Previous / Next navigation. */
export function usePaged<T>(label: string, fetch: (token: string, signal: AbortSignal) => Promise<{ items: T[]; next_page_token: string }>, deps: unknown[]): Paged<T> {
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1];
  const page = useAsync((signal) => fetch(token, signal), [...deps, token]);
  const next = page.data?.next_page_token ?? "";
  const pager =
    tokens.length > 1 || next ? (
      <nav class="pager" aria-label={label}>
        <button type="button" class="secondary" disabled={tokens.length <= 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" class="secondary" disabled={!next} onClick={() => setTokens((t) => [...t, next])}>
          Next page
        </button>
      </nav>
    ) : null;
  return { page, pager, restart: () => setTokens([""]) };
}

/** Runs changes one at a time: the error of the last one, and a polite announcement of what was done (shown too). */
export function useActions() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [said, announce] = useAnnouncer();
  const run = async (f: () => Promise<unknown>, done: string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    announce("");
    try {
      await f();
      announce(done);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const status = (
    <p class="said" role="status" aria-live="polite">
      {said}
    </p>
  );
  return { error, setError, busy, run, announce, said, status };
}

/** A postal address on one line (street, postal code and city, country), or a dash. */
export function addressLine(a: S["PostalAddress"] | null | undefined): string {
  if (!a) return "—";
  const city = [a.postal_code, a.city].filter(Boolean).join(" ");
  return [a.street, city, a.region, a.country].filter(Boolean).join(", ") || "—";
}
