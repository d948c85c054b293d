import { describe, expect, it } from "vitest";
import { ApiError, fieldErrors, parseRetryAfter, problemMessage, problemOf } from "./problem";

describe("problems", () => {
  const p = { status: 400, title: "Bad Request", detail: "must be a valid e-mail", errors: [{ field: "email", message: "must be a valid e-mail" }] };
  it("maps errors to the form's fields", () => {
    expect(fieldErrors(p, ["email", "name"])).toEqual({ email: "must be a valid e-mail" });
    const nested = { status: 400, errors: [{ field: "billing_address.city", message: "too long" }] };
    expect(fieldErrors(nested, ["billing_address.city"])).toEqual({ "billing_address.city": "too long" });
    expect(fieldErrors(nested, ["billing_address"])).toEqual({ billing_address: "too long" });
    const indexed = { status: 400, errors: [{ field: "demo_answers[0].answer", message: "empty" }] };
    expect(fieldErrors(indexed, ["demo_answers"])).toEqual({ demo_answers: "empty" });
  });
  it("names the field in the message", () => {
    expect(problemMessage(p)).toBe("Email: must be a valid e-mail");
    expect(problemMessage({ status: 409, detail: "Users of POC is required to leave Intro / Qualification" })).toContain("Users of POC");
  });
  it("says when to try again", () => {
    expect(problemMessage({ status: 429, detail: "Rate limit exceeded." }, 7)).toBe("Rate limit exceeded. Try again in 7 s.");
    expect(problemMessage({ status: 503, detail: "The lead service is unavailable." }, 3)).toContain("Try again in 3 s.");
    expect(parseRetryAfter("12")).toBe(12);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThanOrEqual(4);
    expect(new ApiError({ status: 429 }, 2).message).toContain("2 s");
  });
  it("reads problems from any response", async () => {
    const r = new Response(JSON.stringify(p), { status: 400, headers: { "Content-Type": "application/problem+json" } });
    expect((await problemOf(r)).errors?.[0].field).toBe("email");
    const html = new Response("<h1>bad gateway</h1>", { status: 502 });
    expect((await problemOf(html)).detail).toMatch(/server/);
  });
});
