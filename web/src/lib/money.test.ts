import { describe, expect, it } from "vitest";
import { formatCount, formatMoney, splitDecimal } from "./money";

describe("formatMoney", () => {
  it("shows the currency and the exact digits", () => {
    expect(formatMoney("1132.00", "EUR", "en-US")).toBe("€1,132.00");
    expect(formatMoney("1234.5", "EUR", "de-DE")).toBe("1.234,50\u00a0€");
    expect(formatMoney("1000", "JPY", "en-US")).toBe("¥1,000");
    expect(formatMoney("-0.50", "USD", "en-US")).toBe("-$0.50");
  });
  it("never goes through floating point", () => {
    // 2^53 + 1 is not a double; the string is formatted exactly.
    expect(formatMoney("9007199254740993.07", "EUR", "en-US")).toBe("€9,007,199,254,740,993.07");
    expect(formatMoney("0.1", "EUR", "en-US")).toBe("€0.10");
  });
  it("keeps extra digits the server sent instead of rounding", () => {
    expect(formatMoney("10.125", "EUR", "en-US")).toBe("€10.125");
  });
  it("shows a dash for no amount and the raw text for a non-decimal", () => {
    expect(formatMoney(null, "EUR")).toBe("—");
    expect(formatMoney("abc", "EUR")).toBe("abc EUR");
  });
  it("splits decimals", () => {
    expect(splitDecimal("-012.340")).toEqual({ negative: true, int: "12", frac: "340" });
    expect(splitDecimal("x")).toBeNull();
  });
});

describe("formatCount", () => {
  it("groups digits as the locale does, the same formatter each time", () => {
    expect(formatCount(10001, "en-US")).toBe("10,001");
    expect(formatCount(36010, "de-DE")).toBe("36.010");
    expect(formatCount(10001, "en-US")).toBe("10,001");
    expect(formatCount(null)).toBe("unavailable");
  });
});
