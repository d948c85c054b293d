import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSearcher } from "./search";

describe("search debounce and cancel", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks once after the pause, with the last query", async () => {
    const fetch = vi.fn(async (q: string) => q);
    const onResult = vi.fn();
    const s = createSearcher({ fetch, onResult, delay: 250 });
    s.input("ac");
    vi.advanceTimersByTime(100);
    s.input("acm");
    vi.advanceTimersByTime(100);
    s.input("acme");
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(250);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe("acme");
    expect(onResult).toHaveBeenCalledWith("acme", "acme");
  });

  it("aborts a stale request and never shows its answer", async () => {
    const signals: AbortSignal[] = [];
    const resolvers: ((v: string) => void)[] = [];
    const fetch = vi.fn((_q: string, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<string>((r) => resolvers.push(r));
    });
    const onResult = vi.fn();
    const s = createSearcher({ fetch, onResult, delay: 250 });
    s.input("first");
    await vi.advanceTimersByTimeAsync(250);
    s.input("second");
    expect(signals[0].aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(250);
    resolvers[0]("old");
    resolvers[1]("new");
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onResult).toHaveBeenCalledWith("new", "second");
  });

  it("ignores queries shorter than two characters", async () => {
    const fetch = vi.fn(async () => "x");
    const s = createSearcher({ fetch, onResult: () => {} });
    s.input("a");
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).not.toHaveBeenCalled();
  });
});
