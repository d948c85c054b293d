// The vendor pages' helpers, and their choices held to the gateway's document:
// a family, billing or stage the document adds fails here until a page offers it.
import { describe, expect, it } from "vitest";
import doc from "../../../openapi.json";
import { ApiError } from "../../lib/problem";
import { STAGE_LABELS } from "../../lib/domain";
import { BILLINGS, FAMILIES } from "./PriceBook";
import { addressLine, partnerName, rowErrors } from "./shared";

type Schema = { properties: Record<string, { enum?: string[] }> };
const schemas = doc.components.schemas as unknown as Record<string, Schema>;
const words = (e: string[] | undefined) => (e ?? []).filter(Boolean).sort();

describe("the price book's choices", () => {
  it("offer every product family and billing of the document", () => {
    expect(FAMILIES.map(([v]) => v).sort()).toEqual(words(schemas.ProductCreate.properties.family.enum));
    expect(BILLINGS.map(([v]) => v).sort()).toEqual(words(schemas.ProductCreate.properties.billing.enum));
  });
  it("label every stage the settings answer", () => {
    expect(Object.keys(STAGE_LABELS).sort()).toEqual(words(schemas.StageProbabilityJson.properties.stage.enum));
  });
});

describe("rowErrors", () => {
  const refused = new ApiError({
    status: 400,
    detail: "must not be empty",
    errors: [
      { field: "demo_questions[2].text", message: "must not be empty" },
      { field: "demo_questions[0].id", message: "appears twice" },
      { field: "probabilities[1].probability", message: "150 is not a percentage from 0 to 100" },
    ],
  });
  it("keys a list's field errors by row", () => {
    expect(rowErrors(refused, "demo_questions", "text")).toEqual({ 2: "must not be empty" });
    expect(rowErrors(refused, "probabilities", "probability")).toEqual({ 1: "150 is not a percentage from 0 to 100" });
  });
  it("is empty for what is not a refusal", () => {
    expect(rowErrors(new Error("offline"), "demo_questions", "text")).toEqual({});
    expect(rowErrors(null, "probabilities", "probability")).toEqual({});
  });
});

describe("names and addresses", () => {
  const none = { street: "", postal_code: "", city: "", region: "", country: "" };
  const partners = [{ id: "p1", name: "Acme Telecom", tier: "gold", created_at: "", partner_address: none, reseller_address: none }];
  it("names a partner, never shows its id", () => {
    expect(partnerName(partners, "p1")).toBe("Acme Telecom");
    expect(partnerName(partners, "p2")).not.toContain("p2");
    expect(partnerName(undefined, "p1")).toBe("…");
    expect(partnerName(partners, "")).toBe("—");
  });
  it("writes an address on one line, leaving out the parts not given", () => {
    expect(addressLine({ street: "Bryggen 3", postal_code: "5003", city: "Bergen", region: "", country: "NO" })).toBe("Bryggen 3, 5003 Bergen, NO");
    expect(addressLine(none)).toBe("—");
    expect(addressLine(null)).toBe("—");
  });
});
