// The browser session: the access token lives in memory only; the refresh
// token is an HttpOnly cookie scoped to /api/v1/auth/session that this code
// never sees. On load the app asks for a refresh to restore a session, but
// only when a flag in localStorage says this browser signed in (the cookie
// cannot be seen, and a refresh without one answers 401, an error in the
// console of every first visit); the token is renewed silently a minute
// before it runs out; an API call answered 401 refreshes once and is
// retried, else the person is signed out.

import type { components } from "./schema";
import { ApiError, parseRetryAfter, problemOf } from "../lib/problem";

type Schemas = components["schemas"];
export type Role = Schemas["Role"];
/** The signed-in person, as the gateway's document describes them. */
export type SessionUser = Schemas["UserView"];
/** The answer of a sign-in or a refresh of the cookie's session. */
export type SessionAnswer = Schemas["SessionResponse"];

const SESSION = "/api/v1/auth/session";
const CSRF = { "X-PRM-CSRF": "1" };
/** localStorage key: "1" while this browser holds a session cookie (set on sign-in, cleared on sign-out). */
export const SESSION_HINT = "prm.session";

type HintStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

function defaultHints(): HintStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    // Storage disabled: no hint, so a restore always asks the server.
    return null;
  }
}

export interface SessionDeps {
  fetch?: typeof fetch;
  setTimeout?: (f: () => void, ms: number) => unknown;
  clearTimeout?: (t: unknown) => void;
  /** Seconds before expiry at which the token is renewed. */
  leadSeconds?: number;
  /** Where the "signed in" flag lives (localStorage by default; null: none, always ask). */
  hints?: HintStore | null;
}

type Listener = (user: SessionUser | null) => void;

export class Session {
  private token: string | null = null;
  private current: SessionUser | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: unknown = null;
  private listeners = new Set<Listener>();
  private readonly f: typeof fetch;
  private readonly setT: (f: () => void, ms: number) => unknown;
  private readonly clearT: (t: unknown) => void;
  private readonly lead: number;
  private readonly hints: HintStore | null;

  constructor(deps: SessionDeps = {}) {
    this.f = deps.fetch ?? ((input, init) => fetch(input, init));
    this.setT = deps.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearT = deps.clearTimeout ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.lead = deps.leadSeconds ?? 60;
    this.hints = deps.hints === undefined ? defaultHints() : deps.hints;
  }

  private hint(on: boolean) {
    try {
      if (on) this.hints?.setItem(SESSION_HINT, "1");
      else this.hints?.removeItem(SESSION_HINT);
    } catch {
      // A full or disabled storage only costs the hint.
    }
  }

  /** Whether a restore is worth a request: the flag is set, or there is no storage to keep it. */
  mayHaveSession(): boolean {
    if (!this.hints) return true;
    try {
      return this.hints.getItem(SESSION_HINT) === "1";
    } catch {
      return true;
    }
  }

  /** On load: refreshes from the cookie when this browser signed in, else answers false without a request. */
  restore(): Promise<boolean> {
    return this.mayHaveSession() ? this.refresh() : Promise.resolve(false);
  }

  get user(): SessionUser | null {
    return this.current;
  }

  get accessToken(): string | null {
    return this.token;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit() {
    for (const l of this.listeners) l(this.current);
  }

  private accept(a: SessionAnswer) {
    this.token = a.access_token;
    const changed = this.current?.id !== a.user.id || this.current?.role !== a.user.role;
    this.current = a.user;
    this.hint(true);
    if (this.timer !== null) this.clearT(this.timer);
    const ms = Math.max(5, a.expires_in - this.lead) * 1000;
    this.timer = this.setT(() => {
      this.timer = null;
      void this.refresh();
    }, ms);
    if (changed) this.emit();
  }

  private drop() {
    const had = this.current !== null || this.token !== null;
    this.token = null;
    this.current = null;
    this.hint(false);
    if (this.timer !== null) this.clearT(this.timer);
    this.timer = null;
    if (had) this.emit();
  }

  /** Signs in; throws an ApiError (401 for bad credentials). */
  async signIn(email: string, password: string): Promise<SessionUser> {
    const res = await this.f(SESSION, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...CSRF },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new ApiError(await problemOf(res), parseRetryAfter(res.headers.get("Retry-After")));
    const a = (await res.json()) as SessionAnswer;
    this.accept(a);
    return a.user;
  }

  /** Renews the access token from the cookie; one request at a time. False when there is no session. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const res = await this.f(`${SESSION}/refresh`, {
            method: "POST",
            credentials: "same-origin",
            headers: { Accept: "application/json", ...CSRF },
          });
          if (!res.ok) {
            if (res.status === 401 || res.status === 403 || res.status === 404) this.drop();
            return false;
          }
          this.accept((await res.json()) as SessionAnswer);
          return true;
        } catch {
          return false;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  async signOut(): Promise<void> {
    const token = this.token;
    try {
      await this.f(SESSION, {
        method: "DELETE",
        credentials: "same-origin",
        headers: { ...CSRF, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      });
    } finally {
      this.drop();
    }
  }

  /**
   * fetch for the API: adds the bearer; a 401 is refreshed once and the
   * request retried with the new token; a second 401 ends the session.
   */
  readonly fetch = async (input: Request): Promise<Response> => {
    const spare = input.clone();
    const send = (req: Request) => {
      if (this.token) req.headers.set("Authorization", `Bearer ${this.token}`);
      return this.f(req);
    };
    const first = await send(input);
    if (first.status !== 401) return first;
    // Another call may have refreshed meanwhile (the token changed); else refresh now.
    const sentWith = bearerOf(input);
    const ok = this.token !== null && this.token !== sentWith ? true : await this.refresh();
    if (!ok || this.token === null) {
      this.drop();
      return first;
    }
    const second = await send(spare);
    if (second.status === 401) this.drop();
    return second;
  };
}

function bearerOf(r: Request): string | null {
  const h = r.headers.get("Authorization");
  return h && h.startsWith("Bearer ") ? h.slice(7) : null;
}
