// The global search field's request logic: wait for a pause in typing
// (debounce), then ask; a newer query aborts the request still running for
// an older one, whose answer is then never shown.

export interface SearcherOptions<T> {
  fetch: (query: string, signal: AbortSignal) => Promise<T>;
  onResult: (result: T, query: string) => void;
  onError?: (error: unknown, query: string) => void;
  onBusy?: (busy: boolean) => void;
  delay?: number;
  minLength?: number;
}

export interface Searcher {
  input(query: string): void;
  cancel(): void;
}

export function createSearcher<T>(o: SearcherOptions<T>): Searcher {
  const delay = o.delay ?? 250;
  const min = o.minLength ?? 2;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: AbortController | null = null;
  let seq = 0;

  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    running?.abort();
    running = null;
    seq++;
    o.onBusy?.(false);
  };

  return {
    cancel,
    input(query: string) {
      cancel();
      const q = query.trim();
      if (q.length < min) return;
      const mine = seq;
      timer = setTimeout(() => {
        timer = null;
        const ctrl = new AbortController();
        running = ctrl;
        o.onBusy?.(true);
        o.fetch(q, ctrl.signal).then(
          (r) => {
            if (mine !== seq || ctrl.signal.aborted) return;
            running = null;
            o.onBusy?.(false);
            o.onResult(r, q);
          },
          (e) => {
            if (mine !== seq || ctrl.signal.aborted) return;
            running = null;
            o.onBusy?.(false);
            o.onError?.(e, q);
          },
        );
      }, delay);
    },
  };
}

/** Generic debounce for the list filters' text boxes. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): ((...a: A) => void) & { cancel(): void } {
  let t: ReturnType<typeof setTimeout> | null = null;
  const d = (...a: A) => {
    if (t !== null) clearTimeout(t);
    t = setTimeout(() => {
      t = null;
      fn(...a);
    }, ms);
  };
  d.cancel = () => {
    if (t !== null) clearTimeout(t);
    t = null;
  };
  return d;
}
