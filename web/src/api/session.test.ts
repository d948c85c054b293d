import { describe, expect, it, vi } from "vitest";
import { Session, SESSION_HINT } from "./session";

const user = { id: "u1", email: "a@x", display_name: "A", role: "partner_user" as const, partner_id: "p1", active: true, created_at: "2026-01-01T00:00:00Z" };
const answer = (token: string) => new Response(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 900, user }), { status: 200 });

function server(routes: (req: Request) => Response | Promise<Response>) {
  const calls: Request[] = [];
  const f = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://portal.test"), init);
    calls.push(req);
    return routes(req);
  });
  return { f: f as unknown as typeof fetch, calls };
}

describe("session", () => {
  it("signs in with the CSRF header and keeps the token in memory", async () => {
    const s = server(() => answer("t1"));
    const timers: number[] = [];
    const session = new Session({ fetch: s.f, setTimeout: (_f, ms) => timers.push(ms), clearTimeout: () => {} });
    await session.signIn("a@x", "pw");
    expect(s.calls[0].headers.get("X-PRM-CSRF")).toBe("1");
    expect(session.accessToken).toBe("t1");
    expect(timers[0]).toBe((900 - 60) * 1000);
  });

  it("refreshes once on a 401 and retries the call with the new token", async () => {
    let token = "old";
    const s = server(async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/api/v1/auth/session") return answer("old");
      if (url.pathname === "/api/v1/auth/session/refresh") {
        token = "new";
        return answer("new");
      }
      const auth = req.headers.get("Authorization");
      if (auth !== `Bearer ${token}` || token === "old") return new Response("{}", { status: 401 });
      return new Response(JSON.stringify({ body: await req.text() }), { status: 200 });
    });
    const session = new Session({ fetch: s.f, setTimeout: () => 0, clearTimeout: () => {} });
    await session.signIn("a@x", "pw");
    const res = await session.fetch(new Request("http://portal.test/api/v1/leads", { method: "POST", body: "hello" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: "hello" });
    expect(s.calls.filter((c) => c.url.endsWith("/refresh"))).toHaveLength(1);
  });

  it("two calls that fail together share one refresh", async () => {
    let token = "old";
    const s = server(async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/v1/auth/session") return answer("old");
      if (path.endsWith("/refresh")) {
        await new Promise((r) => setTimeout(r, 5));
        token = "new";
        return answer("new");
      }
      return req.headers.get("Authorization") === `Bearer ${token}` && token === "new" ? new Response("{}") : new Response("{}", { status: 401 });
    });
    const session = new Session({ fetch: s.f, setTimeout: () => 0, clearTimeout: () => {} });
    await session.signIn("a@x", "pw");
    const [a, b] = await Promise.all([session.fetch(new Request("http://portal.test/api/v1/a")), session.fetch(new Request("http://portal.test/api/v1/b"))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(s.calls.filter((c) => c.url.endsWith("/refresh"))).toHaveLength(1);
  });

  it("signs out when the refresh is refused", async () => {
    const s = server((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/v1/auth/session") return answer("t");
      return new Response("{}", { status: 401 });
    });
    const session = new Session({ fetch: s.f, setTimeout: () => 0, clearTimeout: () => {} });
    const seen: unknown[] = [];
    session.subscribe((u) => seen.push(u));
    await session.signIn("a@x", "pw");
    const res = await session.fetch(new Request("http://portal.test/api/v1/home"));
    expect(res.status).toBe(401);
    expect(session.user).toBeNull();
    expect(seen).toEqual([user, null]);
  });

  it("restores nothing when there is no cookie", async () => {
    const s = server(() => new Response("{}", { status: 401 }));
    const session = new Session({ fetch: s.f });
    expect(await session.refresh()).toBe(false);
    expect(s.calls[0].headers.get("X-PRM-CSRF")).toBe("1");
    expect(s.calls[0].credentials).toBe("same-origin");
  });

  it("a fresh visit (no sign-in flag) restores without a request, so the console shows no 401", async () => {
    const s = server(() => new Response("{}", { status: 401 }));
    const session = new Session({ fetch: s.f, hints: memory() });
    expect(session.mayHaveSession()).toBe(false);
    expect(await session.restore()).toBe(false);
    expect(s.calls).toHaveLength(0);
  });

  it("sign-in sets the flag, a restore then refreshes, sign-out clears it", async () => {
    const hints = memory();
    const s = server((req) => (req.method === "DELETE" ? new Response(null, { status: 204 }) : answer("t")));
    const session = new Session({ fetch: s.f, hints, setTimeout: () => 0, clearTimeout: () => {} });
    await session.signIn("a@x", "pw");
    expect(hints.getItem(SESSION_HINT)).toBe("1");
    const next = new Session({ fetch: s.f, hints, setTimeout: () => 0, clearTimeout: () => {} });
    expect(await next.restore()).toBe(true);
    expect(s.calls.filter((c) => c.url.endsWith("/refresh"))).toHaveLength(1);
    await next.signOut();
    expect(hints.getItem(SESSION_HINT)).toBeNull();
  });

  it("a refused refresh clears the flag (the cookie ran out)", async () => {
    const hints = memory();
    hints.setItem(SESSION_HINT, "1");
    const s = server(() => new Response("{}", { status: 401 }));
    const session = new Session({ fetch: s.f, hints });
    expect(await session.restore()).toBe(false);
    expect(hints.getItem(SESSION_HINT)).toBeNull();
    expect(await session.restore()).toBe(false);
    expect(s.calls).toHaveLength(1);
  });

  it("without storage it falls back to asking the server", async () => {
    const s = server(() => new Response("{}", { status: 401 }));
    const session = new Session({ fetch: s.f, hints: null });
    expect(session.mayHaveSession()).toBe(true);
    expect(await session.restore()).toBe(false);
    expect(s.calls).toHaveLength(1);
  });
});

function memory(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}
