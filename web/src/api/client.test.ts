import { describe, expect, it } from "vitest";
import { idempotent, ok, querySerializer, typedClient } from "./client";
import { ApiError } from "../lib/problem";

function server(answer: (req: Request) => Response) {
  const calls: Request[] = [];
  const client = typedClient(async (req) => {
    calls.push(req);
    return answer(req);
  }, "http://portal.test");
  return { client, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("typed client", () => {
  it("sends the query as raw did: no undefined or empty values", async () => {
    const s = server(() => json({ items: [], next_page_token: "" }));
    await ok(s.client.GET("/api/v1/projects", { params: { query: { page_size: 25, page_token: "", filter: 'name : "a b"', view: undefined } } }));
    const url = new URL(s.calls[0].url);
    expect(url.pathname).toBe("/api/v1/projects");
    expect([...url.searchParams.entries()]).toEqual([
      ["page_size", "25"],
      ["filter", 'name : "a b"'],
    ]);
    expect(s.calls[0].headers.get("Accept")).toBe("application/json");
    expect(querySerializer({ a: "", b: 0, c: false })).toBe("b=0&c=false");
  });

  it("fills path parameters, sends JSON and the idempotency key", async () => {
    const s = server(() => json({ contact_id: "c1", role: "decision maker" }));
    const key = idempotent();
    const r = await ok(
      s.client.PUT("/api/v1/projects/{id}/contacts/{contact_id}", { params: { path: { id: "p1", contact_id: "c1" } }, body: { role: "decision maker" }, headers: key }),
    );
    expect(r.role).toBe("decision maker");
    expect(new URL(s.calls[0].url).pathname).toBe("/api/v1/projects/p1/contacts/c1");
    expect(s.calls[0].method).toBe("PUT");
    expect(s.calls[0].headers.get("Content-Type")).toBe("application/json");
    expect(s.calls[0].headers.get("Idempotency-Key")).toBe(key["Idempotency-Key"]);
    expect(await s.calls[0].text()).toBe('{"role":"decision maker"}');
  });

  it("answers nothing for a 204", async () => {
    const s = server(() => new Response(null, { status: 204 }));
    expect(await ok(s.client.DELETE("/api/v1/projects/{id}/contacts/{contact_id}", { params: { path: { id: "p1", contact_id: "c1" } } }))).toBeUndefined();
  });

  it("throws the problem with its fields and Retry-After", async () => {
    const problem = { type: "about:blank", title: "Bad Request", status: 400, detail: "role is required", errors: [{ field: "role", message: "is required" }] };
    const s = server(() => json(problem, 400, { "Retry-After": "3" }));
    const e = await ok(s.client.PUT("/api/v1/projects/{id}/contacts/{contact_id}", { params: { path: { id: "p", contact_id: "c" } }, body: { role: "" } })).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).problem.errors).toEqual(problem.errors);
    expect((e as ApiError).retryAfter).toBe(3);
  });

  it("a failure that is not problem+json reads as raw's did", async () => {
    const s = server(() => new Response("", { status: 404, statusText: "Not Found" }));
    const e = (await ok(s.client.GET("/api/v1/projects/{id}", { params: { path: { id: "x" } } })).catch((x) => x)) as ApiError;
    expect(e.status).toBe(404);
    expect(e.message).toBe("This record does not exist, or you may not see it.");
  });

  it("a network failure is an ApiError with status 0", async () => {
    const client = typedClient(async () => {
      throw new TypeError("Failed to fetch");
    }, "http://portal.test");
    const e = (await ok(client.GET("/api/v1/home")).catch((x) => x)) as ApiError;
    expect(e.status).toBe(0);
  });
});
