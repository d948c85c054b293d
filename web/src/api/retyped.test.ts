import { describe, expect, it } from "vitest";
import doc from "../../openapi.json";
import { RETYPED } from "./retyped";

type Schema = { $ref?: string; type?: string | string[] };
type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
const ref = (s: Schema | undefined) => s?.$ref?.replace("#/components/schemas/", "");

// The table retypes routes by hand; this keeps it equal to the document the
// binary serves (scripts/test-web checks openapi.json against the binary first).
describe("retyped routes", () => {
  for (const [path, methods] of Object.entries(RETYPED)) {
    for (const [method, e] of Object.entries(methods) as [string, { query?: Record<string, string>; body?: string; status?: number; answer: string }][]) {
      it(`${method.toUpperCase()} ${path} is as the document says`, () => {
        const op = paths[path]?.[method];
        expect(op, "the route is in the document").toBeTruthy();
        expect(ref(op.requestBody?.content["application/json"]?.schema)).toBe(e.body);
        const status = String(e.status ?? 200);
        expect(Object.keys(op.responses).filter((c) => c.startsWith("2"))).toContain(status);
        expect(ref(op.responses[status].content?.["application/json"]?.schema)).toBe(e.answer);
        const query = (op.parameters ?? []).filter((p) => p.in === "query");
        expect(Object.fromEntries(query.map((p) => [p.name, p.schema.type]))).toEqual(e.query ?? {});
        expect(query.filter((p) => p.required)).toEqual([]);
      });
    }
  }

  it("every schema the table names exists", () => {
    const names = new Set(Object.keys(doc.components.schemas));
    const used = Object.values(RETYPED).flatMap((m) => Object.values(m).flatMap((e) => [e.answer, "body" in e ? e.body : undefined]));
    expect(used.filter((n) => n && !names.has(n))).toEqual([]);
  });
});
