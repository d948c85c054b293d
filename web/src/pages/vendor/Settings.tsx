// The vendor's project settings (vendor admin): the default probability of
// each stage (a project takes it when it enters the stage) and the Demo
// Answers questions a project answers in Demo (add, edit, reorder, remove;
// saved as one list, so answers keep their question when its text changes).

import { useEffect, useState } from "preact/hooks";
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { stageLabel, type Stage } from "../../lib/domain";
import { ErrorMessage, Loading, useAsync, useId } from "../../components/ui";
import { rowErrors, useActions } from "./shared";

type S = components["schemas"];
type Settings = S["SettingsJson"];
type Question = S["DemoQuestionJson"];

export function ProjectSettings() {
  const settings = useAsync((signal) => ok(api.GET("/api/v1/projects/settings", { signal })), []);
  return (
    <section class="vendor-page">
      <h1>Project settings</h1>
      <ErrorMessage error={settings.error} />
      {settings.loading && !settings.data && <Loading />}
      {settings.data && (
        <>
          <Probabilities settings={settings.data} onSaved={settings.set} />
          <Questions settings={settings.data} onSaved={settings.set} />
        </>
      )}
    </section>
  );
}

function Probabilities({ settings, onSaved }: { settings: Settings; onSaved: (s: Settings) => void }) {
  const rows = settings.probabilities ?? [];
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(rows.map((r) => [r.stage, String(r.probability)])));
  const act = useActions();
  useEffect(() => setValues(Object.fromEntries(rows.map((r) => [r.stage, String(r.probability)]))), [settings]);
  // What is sent: the stages whose value changed, in this order (the errors name their index).
  const changed = rows.filter((r) => values[r.stage] !== undefined && values[r.stage] !== String(r.probability));
  const errs = rowErrors(act.error, "probabilities", "probability");
  const errorOf = (stage: Stage) => {
    const i = changed.findIndex((r) => r.stage === stage);
    return i >= 0 ? errs[i] : undefined;
  };
  return (
    <section class="card" aria-labelledby="set-prob">
      <h2 id="set-prob">Default probability per stage</h2>
      <p class="hint">A project's probability becomes its stage's default when it enters the stage; people may change it afterwards.</p>
      {act.status}
      <form
        noValidate
        aria-labelledby="set-prob"
        onSubmit={(e) => {
          e.preventDefault();
          const sent = changed;
          if (!sent.length) {
            act.announce("Nothing changed.");
            return;
          }
          void act.run(async () => {
            // A whole number of percent (not money); what is not one is the server's to refuse.
            const body = { probabilities: sent.map((r) => ({ stage: r.stage, probability: Number(values[r.stage].trim() || NaN) })) };
            onSaved(await ok(api.PATCH("/api/v1/projects/settings", { body })));
          }, `The default probabilities are saved (${sent.map((r) => stageLabel(r.stage)).join(", ")}).`);
        }}
      >
        <RowsRefused error={act.error} rows={Object.entries(errs).map(([i, m]) => `${stageLabel(changed[Number(i)]?.stage ?? "")}: ${m}`)} />
        <table class="compact probabilities">
          <caption class="visually-hidden">Default probability of each stage, in percent</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Default probability (%)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <ProbabilityRow key={r.stage} stage={r.stage} value={values[r.stage] ?? ""} error={errorOf(r.stage)} onValue={(v) => setValues((o) => ({ ...o, [r.stage]: v }))} />
            ))}
          </tbody>
        </table>
        <div class="actions">
          <button type="submit" disabled={act.busy}>
            Save probabilities
          </button>
        </div>
      </form>
    </section>
  );
}

/** A refused save: the rows it names (each also shown on its row), or the server's message. */
function RowsRefused({ error, rows }: { error: unknown; rows: string[] }) {
  if (!error) return null;
  if (!rows.length) return <ErrorMessage error={error} />;
  return (
    <div class="error" role="alert">
      <p>Not saved:</p>
      <ul>
        {rows.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

function ProbabilityRow({ stage, value, error, onValue }: { stage: Stage; value: string; error?: string; onValue: (v: string) => void }) {
  const id = useId("prob");
  return (
    <tr>
      <th scope="row">
        <label for={id}>{stageLabel(stage)}</label>
      </th>
      <td>
        <input
          id={id}
          name={`probability-${stage}`}
          type="number"
          min={0}
          max={100}
          step={1}
          class="qty"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-err` : undefined}
          onInput={(e) => onValue(e.currentTarget.value)}
        />{" "}
        %
        {error && (
          <small id={`${id}-err`} class="field-error">
            {" "}
            {error}
          </small>
        )}
      </td>
    </tr>
  );
}

function Questions({ settings, onSaved }: { settings: Settings; onSaved: (s: Settings) => void }) {
  const [list, setList] = useState<Question[]>(() => (settings.demo_questions ?? []).map((q) => ({ ...q })));
  const act = useActions();
  const base = useId("q");
  useEffect(() => setList((settings.demo_questions ?? []).map((q) => ({ ...q }))), [settings]);
  const errs = rowErrors(act.error, "demo_questions", "text");
  const saved = settings.demo_questions ?? [];
  const dirty = JSON.stringify(saved.map((q) => [q.id, q.text])) !== JSON.stringify(list.map((q) => [q.id ?? "", q.text]));
  const move = (i: number, by: number) =>
    setList((l) => {
      const out = [...l];
      [out[i], out[i + by]] = [out[i + by], out[i]];
      return out;
    });
  const focusRow = (i: number) => setTimeout(() => (document.getElementById(`${base}-${i}`) as HTMLElement | null)?.focus(), 0);
  return (
    <section class="card" aria-labelledby="set-q">
      <h2 id="set-q">Demo Answers questions</h2>
      <p class="hint">Asked on a project in Demo; when every one is answered and the project moves on, it is Demo Done. Saved answers stay with their question when its wording changes.</p>
      {act.status}
      <form
        noValidate
        aria-labelledby="set-q"
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(async () => {
            onSaved(await ok(api.PATCH("/api/v1/projects/settings", { body: { demo_questions: list.map((q) => ({ id: q.id ?? "", text: q.text })) } })));
          }, "The Demo Answers questions are saved.");
        }}
      >
        <RowsRefused error={act.error} rows={Object.entries(errs).map(([i, m]) => `Question ${Number(i) + 1}: ${m}`)} />
        {list.length === 0 && <p class="empty">No questions: a project is Demo Done as soon as it moves on from Demo.</p>}
        <ol class="questions">
          {list.map((q, i) => (
            <li key={q.id || `new-${i}`} class={errs[i] ? "field invalid" : "field"}>
              <label for={`${base}-${i}`}>Question {i + 1}</label>
              <div class="question-row">
                <input
                  id={`${base}-${i}`}
                  name={`question-${i}`}
                  value={q.text}
                  aria-invalid={errs[i] ? true : undefined}
                  aria-describedby={errs[i] ? `${base}-${i}-err` : undefined}
                  onInput={(e) => {
                    const text = e.currentTarget.value;
                    setList((l) => l.map((x, j) => (j === i ? { ...x, text } : x)));
                  }}
                />
                <button type="button" class="secondary small" aria-label={`Move question ${i + 1} up`} disabled={i === 0} onClick={() => (move(i, -1), focusRow(i - 1))}>
                  Up
                </button>
                <button type="button" class="secondary small" aria-label={`Move question ${i + 1} down`} disabled={i === list.length - 1} onClick={() => (move(i, 1), focusRow(i + 1))}>
                  Down
                </button>
                <button type="button" class="secondary small danger" aria-label={`Remove question ${i + 1}`} onClick={() => setList((l) => l.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
              {!q.id && <small class="hint">New: saved with the list.</small>}
              {errs[i] && (
                <small id={`${base}-${i}-err`} class="field-error">
                  {errs[i]}
                </small>
              )}
            </li>
          ))}
        </ol>
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setList((l) => [...l, { id: "", text: "" }]);
              focusRow(list.length);
            }}
          >
            Add a question
          </button>
          <button type="submit" disabled={act.busy}>
            Save questions
          </button>
          {dirty && <span class="hint">Unsaved changes.</span>}
        </div>
      </form>
    </section>
  );
}
