// The project's own panels: the stage path with the current stage, the gate
// of the next stage and what it misses (the server's 409 detail is shown as
// is), Cost Info as the server computed it, the Demo Answers on Demo, Bonus
// Pipeline state, Approved by AM, and closing as lost.

import { useState } from "preact/hooks";
import { api, input, ok } from "../api/client";
import { useMe } from "../lib/me";
import { AUTOMATIC, GATES, PATHS, isStage, stageLabel } from "../lib/domain";
import { formatMoney } from "../lib/money";
import { DateText, Dialog, ErrorMessage, TextInput, useAsync, useAnnouncer } from "../components/ui";
import type { Values } from "../components/Form";

type Project = Values & {
  id: string;
  stage: string;
  record_type: string;
  currency_code: string;
  partner_id: string;
  cost_info: { expected_mrr: string; mrr: string; weighted_pipeline: string; pipeline_mrr?: string | null };
  demo_answers: { question_id: string; answer: string }[];
};

export function nextStage(p: { stage: string; record_type: string }): string | null {
  const path = PATHS[p.record_type] ?? [];
  const i = path.indexOf(p.stage);
  if (i < 0 || i + 1 >= path.length) return null;
  const next = path[i + 1];
  return AUTOMATIC.has(next) ? null : next;
}

function DemoAnswers({ p, setProject, editable }: { p: Project; setProject: (x: Project) => void; editable: boolean }) {
  const settings = useAsync(() => ok(api.GET("/api/v1/projects/settings")), []);
  const [answers, setAnswers] = useState<Record<string, string>>(() => Object.fromEntries(p.demo_answers.map((a) => [a.question_id, a.answer])));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  // A saved question has its id (the schema's is optional: a new one has none yet).
  const qs = (settings.data?.demo_questions ?? []).map((q) => ({ id: q.id ?? "", text: q.text }));
  return (
    <section class="card" aria-labelledby="demo-h">
      <h2 id="demo-h">Demo Answers</h2>
      <ErrorMessage error={settings.error || error} />
      {qs.length === 0 && settings.data && <p class="empty">The vendor has set no Demo questions.</p>}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setSaved("");
          try {
            const demo_answers = qs.map((q) => ({ question_id: q.id, answer: answers[q.id] ?? "" })).filter((a) => a.answer.trim() !== "");
            setProject(await ok<Project>(api.PATCH("/api/v1/projects/{id}", { params: { path: { id: p.id } }, body: input<"ProjectInput">({ demo_answers }) })));
            setSaved("Demo Answers saved.");
          } catch (err) {
            setError(err);
          }
        }}
      >
        {qs.map((q, i) => (
          <div class="field" key={q.id}>
            <label for={`demo-q-${i}`}>{q.text}</label>
            <textarea id={`demo-q-${i}`} rows={2} disabled={!editable} value={answers[q.id] ?? ""} onInput={(e) => setAnswers((a) => ({ ...a, [q.id]: e.currentTarget.value }))} />
          </div>
        ))}
        {editable && qs.length > 0 && <button type="submit">Save Demo Answers</button>}
        <span role="status">{saved}</span>
      </form>
    </section>
  );
}

export function ProjectPanels({ project, setProject, editable }: { project: Values; setProject: (x: never) => void; editable: boolean }) {
  const p = project as Project;
  const set = setProject as (x: Project) => void;
  const me = useMe();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [lostOpen, setLostOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [announce, say] = useAnnouncer();
  const path = PATHS[p.record_type] ?? [];
  const closed = p.stage === "closed_won" || p.stage === "closed_lost";
  const next = nextStage(p);
  const gate = GATES[p.stage];
  const mayApprove = me.role === "vendor_admin" || me.role === "account_manager";
  const move = async (stage: string, lost_reason?: string) => {
    setBusy(true);
    setError(null);
    try {
      if (!isStage(stage)) throw new Error(`${stage} is not a stage`);
      const r = await ok<Project>(api.POST("/api/v1/projects/{id}:move", { params: { path: { id: p.id } }, body: lost_reason ? { stage, lost_reason } : { stage } }));
      set(r);
      say(`Moved to ${stageLabel(r.stage)}.`);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const money = (v: string | null | undefined) => formatMoney(v, p.currency_code);
  return (
    <>
      <section class="card stage-card" aria-labelledby="stage-h">
        <h2 id="stage-h">Stage</h2>
        <ol class="stage-path" aria-label={`Stage path (${p.record_type === "existing_customer" ? "existing customer" : "new business"})`}>
          {path.map((s, i) => {
            const at = path.indexOf(p.stage);
            const state = s === p.stage ? "current" : at > i || p.stage === "closed_won" ? "done" : "todo";
            return (
              <li key={s} class={state} aria-current={s === p.stage ? "step" : undefined}>
                <span>{stageLabel(s)}</span>
                {AUTOMATIC.has(s) && <small> (automatic)</small>}
              </li>
            );
          })}
        </ol>
        {p.stage === "closed_lost" && <p class="notice">Closed as lost: {p.lost_reason as string}</p>}
        {p.held_event && <p class="notice">Waiting: {p.held_event as string}</p>}
        <p class="visually-hidden" role="status" aria-live="polite">
          {announce}
        </p>
        <ErrorMessage error={error} />
        {!closed && (
          <div class="gate">
            {gate && (
              <p>
                To leave {stageLabel(p.stage)}: <strong>{gate.label}</strong> —{" "}
                {gate.met(p) ? <span class="ok">given</span> : <span class="missing">missing</span>}
              </p>
            )}
            {editable && (
              <div class="actions">
                {next ? (
                  <button type="button" disabled={busy} onClick={() => void move(next)}>
                    Move to {stageLabel(next)}
                  </button>
                ) : (
                  <p class="hint">The next stage follows by itself (the primary quote's contract, then the order).</p>
                )}
                <button type="button" class="secondary" disabled={busy} onClick={() => setLostOpen(true)}>
                  Close as lost…
                </button>
              </div>
            )}
          </div>
        )}
      </section>
      <div class="record-grid">
        <section class="card" aria-labelledby="cost-h">
          <h2 id="cost-h">Cost Info</h2>
          <p class="hint">Computed by the server from Total Users, the Interested Solutions and the vendor's prices.</p>
          <dl class="details">
            <div class="detail-row">
              <dt>Expected MRR (Calculated)</dt>
              <dd>{money(p.cost_info.expected_mrr)}</dd>
            </div>
            <div class="detail-row">
              <dt>MRR</dt>
              <dd>
                {money(p.cost_info.mrr)} {p.primary_quote_id ? "(primary quote)" : ""}
              </dd>
            </div>
            <div class="detail-row">
              <dt>Weighted Pipeline</dt>
              <dd>{money(p.cost_info.weighted_pipeline)}</dd>
            </div>
            <div class="detail-row">
              <dt>Pipeline MRR</dt>
              <dd>{p.cost_info.pipeline_mrr === null || p.cost_info.pipeline_mrr === undefined ? "— (set on the Demo Date)" : money(p.cost_info.pipeline_mrr)}</dd>
            </div>
            <div class="detail-row">
              <dt>Probability</dt>
              <dd>{p.probability as number} %</dd>
            </div>
          </dl>
        </section>
        <section class="card" aria-labelledby="bonus-h">
          <h2 id="bonus-h">Bonus Pipeline</h2>
          <dl class="details">
            <div class="detail-row">
              <dt>Demo Done</dt>
              <dd>{p.demo_done ? "Yes" : "No"}</dd>
            </div>
            <div class="detail-row">
              <dt>Demo Date</dt>
              <dd>
                <DateText value={p.demo_date as string | null} />
              </dd>
            </div>
            <div class="detail-row">
              <dt>
                <label for="approved-am">Approved by AM</label>
              </dt>
              <dd>
                <input
                  id="approved-am"
                  type="checkbox"
                  checked={!!p.approved_by_am}
                  disabled={!mayApprove || busy}
                  aria-describedby="approved-am-hint"
                  onChange={async (e) => {
                    const approved = e.currentTarget.checked;
                    setError(null);
                    try {
                      set(await ok<Project>(api.POST("/api/v1/projects/{id}:setApprovedByAm", { params: { path: { id: p.id } }, body: { approved } })));
                      say(approved ? "Approved by AM." : "Approval removed.");
                    } catch (err) {
                      setError(err);
                      e.currentTarget.checked = !approved;
                    }
                  }}
                />{" "}
                <small id="approved-am-hint" class="hint">
                  {mayApprove ? "You may set this as the partner's account manager." : "Only the partner's account manager or a vendor admin sets this."}
                </small>
              </dd>
            </div>
            <div class="detail-row">
              <dt>Requirements satisfied</dt>
              <dd>{p.bonus_pipeline_satisfied ? "Yes" : "No"}</dd>
            </div>
          </dl>
        </section>
      </div>
      {(p.stage === "demo" || p.demo_answers.length > 0) && <DemoAnswers p={p} setProject={set} editable={editable && p.stage === "demo"} />}
      <Dialog open={lostOpen} title="Close as lost" onClose={() => setLostOpen(false)}>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await move("closed_lost", reason)) setLostOpen(false);
          }}
        >
          <ErrorMessage error={error} />
          <TextInput label="Reason" name="lost_reason" required value={reason} onValue={setReason} />
          <div class="actions">
            <button type="submit">Close as lost</button>
            <button type="button" class="secondary" onClick={() => setLostOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
