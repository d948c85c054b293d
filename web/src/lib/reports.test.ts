import { describe, expect, it } from "vitest";
import { blankDraft, cellText, definitionBody, draftOf, layout, measureLabel, rowCurrency, type Report, type Result } from "./reports";

describe("definitionBody", () => {
  it("sends no field with a count and names a preview", () => {
    const d = { ...blankDraft("leads"), measures: [{ function: "count" as const, field: "amount_mrr" }] };
    const b = definitionBody(d, true);
    expect(b.name).toBe("Preview");
    expect(b.measures).toEqual([{ function: "count", field: "" }]);
    expect(definitionBody(d).name).toBe("");
  });
  it("keeps the chart's measure among the measures", () => {
    const d = { ...blankDraft(), chart_measure: 3 };
    expect(definitionBody(d).chart_measure).toBe(0);
  });
});

describe("draftOf", () => {
  it("reads a built-in back as a draft, `none` as no bucket", () => {
    const r = {
      name: "Pipeline",
      description: "",
      source: "projects",
      filter: "stage != closed_lost",
      group_by: [{ field: "close_date", bucket: "none" }],
      measures: [{ function: "sum", field: "amount_mrr" }],
      chart_type: "bar",
      chart_measure: 0,
      shared: true,
      sort: { column: "", descending: false },
    } as unknown as Report;
    const d = draftOf(r);
    expect(d.group_by).toEqual([{ field: "close_date", bucket: "" }]);
    expect(d.measures[0]).toEqual({ function: "sum", field: "amount_mrr" });
  });
});

describe("cells", () => {
  const result = {
    columns: [
      { key: "stage", label: "Stage", kind: "key", field: "stage", money: false },
      { key: "currency_code", label: "Currency", kind: "key", field: "currency_code", money: false },
      { key: "count", label: "Count", kind: "measure", field: "", money: false },
      { key: "sum_amount_mrr", label: "Sum of MRR", kind: "measure", field: "amount_mrr", money: true },
    ],
    rows: [{ keys: ["demo", "EUR"], labels: ["Demo", "EUR"], values: ["1234", "99.50"] }],
  } as unknown as Result;
  it("finds the currency among the keys and formats money in it", () => {
    const l = layout(result);
    expect(l.keys.map((k) => k.key)).toEqual(["stage", "currency_code"]);
    expect(l.currency).toBe(1);
    const cur = rowCurrency(result.rows[0], l.currency);
    expect(cur).toBe("EUR");
    expect(cellText(l.measures[1], "99.50", cur)).toMatch(/99[.,]50/);
    expect(cellText(l.measures[0], "1234", cur)).toMatch(/1.?234/);
    expect(cellText(l.measures[0], "", cur)).toBe("—");
    expect(cellText(l.measures[0], "2.5", cur)).toBe("2.5");
  });
  it("labels a measure before it runs", () => {
    expect(measureLabel({ function: "sum", field: "amount_mrr" }, () => "MRR")).toBe("Sum of MRR");
    expect(measureLabel({ function: "count", field: "" }, () => "x")).toBe("Count of records");
  });
});
