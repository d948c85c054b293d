// A create form asks for exactly what the gateway's document says the
// create needs: a field the service requires is in the form and marked
// required (or is a choice with no empty option), and the form requires
// nothing the service does not.
import { describe, expect, it } from "vitest";
import doc from "../../openapi.json";
import type { FieldSpec } from "../components/Form";
import { ACCOUNT_CREATE, CASE_CREATE, CONTACT_FIELDS, LEAD_CREATE } from "./specs";

type Schemas = Record<string, { required?: string[] }>;
const schemas = doc.components.schemas as unknown as Schemas;

/** Fields the page fills itself rather than asking (a contact's account is the page's). */
const FILLED_BY_THE_PAGE: Record<string, string[]> = { ContactCreate: ["account_id"] };

const forms: [string, FieldSpec[]][] = [
  ["AccountCreate", ACCOUNT_CREATE],
  ["LeadCreate", LEAD_CREATE],
  ["ContactCreate", CONTACT_FIELDS],
  ["CaseCreate", CASE_CREATE],
];

describe("create forms", () => {
  it.each(forms)("%s: the form requires what the document requires", (schema, fields) => {
    const required = (schemas[schema].required ?? []).filter((f) => !(FILLED_BY_THE_PAGE[schema] ?? []).includes(f)).sort();
    expect(required.length).toBeGreaterThan(0);
    // A choice with no empty option always sends a word.
    const alwaysSent = (f: FieldSpec) => f.required || (f.type === "select" && !(f.options ?? []).some(([value]) => value === ""));
    for (const name of required) {
      const field = fields.find((f) => f.name === name);
      expect(field, `${schema}.${name} is not in the form`).toBeDefined();
      expect(alwaysSent(field!), `${schema}.${name} may be left empty`).toBe(true);
    }
    expect(fields.filter((f) => f.required).map((f) => f.name).filter((n) => !required.includes(n))).toEqual([]);
  });
});
