import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, isoDay } from "./date";

describe("dates", () => {
  it("formats a calendar day without moving it by a time zone", () => {
    const today = isoDay();
    const [y, m, d] = today.split("-").map(Number);
    const expected = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(y, m - 1, d));
    expect(formatDate(today, "en-US")).toBe(expected);
  });
  it("derives days from today", () => {
    const now = new Date();
    const t = isoDay(0, now);
    const later = isoDay(31, now);
    expect(later > t).toBe(true);
    expect(isoDay(1, new Date(2030, 11, 31))).toBe("2031-01-01");
  });
  it("formats timestamps in the given zone and tolerates nothing", () => {
    expect(formatDateTime("2030-01-02T03:04:05Z", "en-GB", "UTC")).toContain("03:04");
    expect(formatDate(null)).toBe("—");
  });
});
