// One field of a record page: its value, and (when the person may edit) an
// edit button that turns it into its control; saving PATCHes that field only
// and a refusal naming the field is shown right under it.

import { useState } from "preact/hooks";
import { ApiError, fieldErrors, problemMessage } from "../lib/problem";
import { Control, getPath, type FieldSpec, type Values } from "./Form";
import { errorText, useId } from "./ui";
import { formatMoney } from "../lib/money";
import { formatDate } from "../lib/date";

export function display(f: FieldSpec, v: unknown, record: Values = {}): string {
  if (v === null || v === undefined || v === "") return "—";
  if (f.type === "decimal" && typeof record.currency_code === "string") return formatMoney(String(v), record.currency_code);
  if (f.type === "date") return formatDate(String(v));
  if (f.type === "checkbox") return v ? "Yes" : "No";
  if (f.type === "multi" && Array.isArray(v)) return v.length ? v.map((x) => f.options?.find((o) => o[0] === x)?.[1] ?? x).join(", ") : "—";
  if (f.type === "select") return f.options?.find((o) => o[0] === v)?.[1] ?? String(v);
  return String(v);
}

/** The PATCH body of one field: nested for addresses, null to clear. */
export function patchOf(f: FieldSpec, v: unknown): Values {
  let value: unknown = v;
  if (f.type === "number") value = v === "" || v === null || v === undefined ? null : Number(v);
  else if (f.type === "decimal") value = v === "" ? null : v;
  const parts = f.name.split(".");
  if (parts.length === 2) return { [parts[0]]: { [parts[1]]: value ?? "" } };
  return { [f.name]: value };
}

export function InlineField({
  f,
  record,
  editable,
  save,
  render,
}: {
  f: FieldSpec;
  record: Values;
  editable: boolean;
  save: (body: Values) => Promise<void>;
  render?: (v: unknown) => preact.ComponentChildren;
}) {
  const current = getPath(record, f.name);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState<unknown>(current);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const id = useId("if");
  const start = () => {
    setValue(current ?? (f.type === "multi" ? [] : ""));
    setError("");
    setEditing(true);
  };
  if (!editing)
    return (
      <div class="detail-row">
        <dt id={`${id}-l`}>{f.label}</dt>
        <dd>
          <span class="value">{render ? render(current) : display(f, current, record)}</span>
          {editable && (
            <button type="button" class="icon edit" aria-label={`Edit ${f.label}`} onClick={start}>
              ✎
            </button>
          )}
          {error && (
            <small class="field-error" role="alert">
              {error}
            </small>
          )}
        </dd>
      </div>
    );
  return (
    <div class="detail-row editing">
      <dt>
        <label for={id}>{f.label}</label>
      </dt>
      <dd>
        <form
          class="inline-edit"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError("");
            try {
              await save(patchOf(f, value));
              setEditing(false);
            } catch (err) {
              if (err instanceof ApiError) {
                const fe = fieldErrors(err.problem, [f.name]);
                setError(fe[f.name] ? `${fe[f.name]}` : problemMessage(err.problem, err.retryAfter));
              } else setError(errorText(err));
            } finally {
              setBusy(false);
            }
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              setEditing(false);
            }
          }}
        >
          <Control f={f} value={value} onValue={setValue} id={id} invalid={!!error} describedBy={error ? `${id}-e` : undefined} autoFocus />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" class="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {error && (
            <small id={`${id}-e`} class="field-error" role="alert">
              {error}
            </small>
          )}
        </form>
      </dd>
    </div>
  );
}
