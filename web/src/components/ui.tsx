import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, problemMessage } from "../lib/problem";
import { formatMoney } from "../lib/money";
import { formatDate, formatDateTime } from "../lib/date";

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return problemMessage(e.problem, e.retryAfter);
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A failure, always shown with the problem's detail. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  set: (d: T) => void;
}

export function useAsync<T>(f: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    f(ctrl.signal).then(
      (d) => {
        if (ctrl.signal.aborted) return;
        setData(d);
        setLoading(false);
      },
      (e) => {
        if (ctrl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload, set: setData };
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p class="loading" role="status">
      {what}…
    </p>
  );
}

export function Money({ amount, currency }: { amount: string | null | undefined; currency: string }) {
  return <span class="money">{formatMoney(amount, currency)}</span>;
}

export function DateText({ value, time = false }: { value: string | null | undefined; time?: boolean }) {
  if (!value) return <span>—</span>;
  return <time dateTime={value}>{time ? formatDateTime(value) : formatDate(value)}</time>;
}

let idSeq = 0;
export function useId(prefix = "f"): string {
  const r = useRef<string>("");
  if (!r.current) r.current = `${prefix}-${++idSeq}`;
  return r.current;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

/** A label, the control, its hint and its error, tied together for assistive technology. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      {children(id, ids, !!error)}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-err`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "label" | "value" | "onInput"> & {
  label: string;
  name: string;
  value: string;
  onValue: (v: string) => void;
  error?: string;
  hint?: string;
};

export function TextInput({ label, name, value, onValue, error, hint, ...rest }: InputProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, described, invalid) => (
        <input
          {...rest}
          id={id}
          name={name}
          value={value}
          aria-invalid={invalid || undefined}
          aria-describedby={described}
          onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        />
      )}
    </Field>
  );
}

export function Select({
  label,
  name,
  value,
  onValue,
  options,
  error,
  required,
}: {
  label: string;
  name: string;
  value: string;
  onValue: (v: string) => void;
  options: readonly (readonly [string, string])[];
  error?: string;
  required?: boolean;
}) {
  return (
    <Field label={label} error={error}>
      {(id, described, invalid) => (
        <select
          id={id}
          name={name}
          value={value}
          required={required}
          aria-invalid={invalid || undefined}
          aria-describedby={described}
          onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}
        >
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A modal <dialog>: Escape closes it, focus goes back where it was. */
export function Dialog({
  open,
  title,
  onClose,
  children,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId("dlg");
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      const back = document.activeElement as HTMLElement | null;
      d.showModal();
      return () => back?.focus?.();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class={wide ? "wide" : undefined} aria-labelledby={id} onClose={onClose} onCancel={onClose}>
      {open && (
        <>
          <header class="dialog-head">
            <h2 id={id}>{title}</h2>
            <button type="button" class="icon" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

/** A polite live region for announcements (moves, saves). */
export function useAnnouncer(): [string, (msg: string) => void] {
  const [msg, setMsg] = useState("");
  const say = useCallback((m: string) => {
    setMsg("");
    setTimeout(() => setMsg(m), 30);
  }, []);
  return [msg, say];
}

export const words = (s: string) => s.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
