// A form drawn from a list of fields: native controls, a label for each, the
// server's field errors shown on the field they name and the rest above.

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError, fieldErrors, problemMessage } from "../lib/problem";
import { Field, errorText } from "./ui";

export type FieldType = "text" | "email" | "tel" | "url" | "number" | "date" | "textarea" | "select" | "checkbox" | "multi" | "decimal";

export interface FieldSpec {
  name: string;
  label: string;
  type?: FieldType;
  options?: readonly (readonly [string, string])[];
  required?: boolean;
  hint?: string;
}

export type Values = Record<string, unknown>;

/** Reads a dotted field (`billing_address.city`) of a record. */
export function getPath(o: Values, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Values)[k] : undefined), o);
}

/** Builds the nested JSON of dotted fields: `{billing_address: {city}}`. */
export function toBody(fields: FieldSpec[], values: Values, skipEmpty = true): Values {
  const out: Values = {};
  for (const f of fields) {
    let v = values[f.name];
    if (f.type === "number") v = v === "" || v === undefined || v === null ? undefined : Number(v);
    if (skipEmpty && (v === "" || v === undefined || (Array.isArray(v) && v.length === 0))) continue;
    const parts = f.name.split(".");
    let o = out;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Values;
    o[parts[parts.length - 1]] = v;
  }
  return out;
}

export function Control({
  f,
  value,
  onValue,
  id,
  describedBy,
  invalid,
  autoFocus,
}: {
  f: FieldSpec;
  value: unknown;
  onValue: (v: unknown) => void;
  id: string;
  describedBy?: string;
  invalid: boolean;
  autoFocus?: boolean;
}) {
  const common = { id, name: f.name, "aria-describedby": describedBy, "aria-invalid": invalid || undefined, required: f.required, autoFocus };
  switch (f.type) {
    case "textarea":
      return <textarea {...common} rows={3} value={String(value ?? "")} onInput={(e) => onValue(e.currentTarget.value)} />;
    case "select":
      return (
        <select {...common} value={String(value ?? "")} onChange={(e) => onValue(e.currentTarget.value)}>
          {(f.options ?? []).map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      );
    case "checkbox":
      return <input {...common} type="checkbox" checked={!!value} onChange={(e) => onValue(e.currentTarget.checked)} />;
    case "multi": {
      const arr = Array.isArray(value) ? (value as string[]) : [];
      return (
        <span class="multi" id={id} role="group" aria-describedby={describedBy}>
          {(f.options ?? []).map(([v, l]) => (
            <label key={v} class="inline">
              <input
                type="checkbox"
                name={f.name}
                value={v}
                checked={arr.includes(v)}
                onChange={(e) => onValue(e.currentTarget.checked ? [...arr, v] : arr.filter((x) => x !== v))}
              />{" "}
              {l}
            </label>
          ))}
        </span>
      );
    }
    case "decimal":
      return <input {...common} type="text" inputMode="decimal" pattern="-?[0-9]+([.,][0-9]+)?" value={String(value ?? "")} onInput={(e) => onValue(e.currentTarget.value.replace(",", "."))} />;
    default:
      return <input {...common} type={f.type ?? "text"} value={String(value ?? "")} onInput={(e) => onValue(e.currentTarget.value)} />;
  }
}

export function FormFields({
  fields,
  values,
  errors,
  onChange,
}: {
  fields: FieldSpec[];
  values: Values;
  errors: Record<string, string>;
  onChange: (name: string, v: unknown) => void;
}) {
  return (
    <>
      {fields.map((f, i) =>
        f.type === "multi" ? (
          <fieldset key={f.name} class={errors[f.name] ? "field invalid" : "field"}>
            <legend>{f.label}</legend>
            <Control f={f} value={values[f.name]} onValue={(v) => onChange(f.name, v)} id={`fs-${f.name}`} invalid={!!errors[f.name]} />
            {errors[f.name] && <small class="field-error">{errors[f.name]}</small>}
          </fieldset>
        ) : (
          <Field key={f.name} label={f.label} error={errors[f.name]} hint={f.hint}>
            {(id, d, inv) => <Control f={f} value={values[f.name]} onValue={(v) => onChange(f.name, v)} id={id} describedBy={d} invalid={inv} autoFocus={i === 0} />}
          </Field>
        ),
      )}
    </>
  );
}

/** A whole form: fields, a submit button, and the problem of a refused submit. */
export function SpecForm({
  fields,
  initial = {},
  submitLabel,
  onSubmit,
  onCancel,
  children,
}: {
  fields: FieldSpec[];
  initial?: Values;
  submitLabel: string;
  onSubmit: (values: Values) => Promise<void>;
  onCancel?: () => void;
  children?: ComponentChildren;
}) {
  const [values, setValues] = useState<Values>(() => {
    const v: Values = {};
    for (const f of fields) v[f.name] = initial[f.name] ?? getPath(initial, f.name) ?? (f.type === "multi" ? [] : f.type === "checkbox" ? false : f.type === "select" ? (f.options?.[0]?.[0] ?? "") : "");
    return v;
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const names = fields.map((f) => f.name);
  return (
    <form
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError("");
        setErrors({});
        try {
          await onSubmit(values);
        } catch (err) {
          if (err instanceof ApiError) {
            const fe = fieldErrors(err.problem, names);
            setErrors(fe);
            const placed = Object.keys(fe).some((k) => names.includes(k));
            setError(placed ? `${problemMessage(err.problem, err.retryAfter)}` : problemMessage(err.problem, err.retryAfter));
          } else setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <FormFields fields={fields} values={values} errors={errors} onChange={(n, v) => setValues((o) => ({ ...o, [n]: v }))} />
      {children}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
