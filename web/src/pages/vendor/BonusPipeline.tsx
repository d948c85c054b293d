// The Bonus Pipeline of an account manager's partners (and a vendor admin's
// of any partner): each project of the chosen partner with Demo Done, Demo
// Date, Pipeline MRR and Approved by AM, which the account manager sets here;
// Demo Done and Approved by AM together satisfy the requirements. The
// built-in report sums it up per partner.
//
// The projects list cannot filter on Demo Done (it is a display-only column
// of the project service's list), so the page lists every project of the
// partner and shows whether each is Demo Done, rather than only those.

import { useState } from "preact/hooks";
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { stageLabel } from "../../lib/domain";
import { formatMoney } from "../../lib/money";
import { DateText, ErrorMessage, Loading, Select, useId } from "../../components/ui";
import { usePaged, usePartners, useActions } from "./shared";

type Project = components["schemas"]["ProjectJson"];

export function BonusPipeline() {
  const partners = usePartners();
  const [partner, setPartner] = useState("");
  const chosen = partner || partners.data?.[0]?.id || "";
  const name = partners.data?.find((p) => p.id === chosen)?.name ?? "";
  const act = useActions();
  const [overrides, setOverrides] = useState<Record<string, Project>>({});
  const projects = usePaged<Project>(
    "Pages of the partner's projects",
    async (token, signal) => {
      if (!chosen) return { items: [], next_page_token: "" };
      return ok(api.GET("/api/v1/projects", { params: { query: { page_size: 50, page_token: token || undefined, filter: `partner_id = "${chosen}"`, order_by: "name" } }, signal }));
    },
    [chosen],
  );
  const rows = (projects.page.data?.items ?? []).map((p) => overrides[p.id] ?? p);
  const approve = async (p: Project, approved: boolean) => {
    // The box shows the change at once; a refusal puts it back as the server has it.
    setOverrides((o) => ({ ...o, [p.id]: { ...p, approved_by_am: approved } }));
    const done = await act.run(async () => {
      const next = await ok(api.POST("/api/v1/projects/{id}:setApprovedByAm", { params: { path: { id: p.id } }, body: { approved } }));
      setOverrides((o) => ({ ...o, [p.id]: next }));
    }, `${p.name}: ${approved ? "Approved by AM" : "approval by AM taken back"}${approved && p.demo_done ? "; the Bonus Pipeline requirements are satisfied" : ""}.`);
    if (!done) setOverrides((o) => ({ ...o, [p.id]: p }));
  };
  return (
    <section class="vendor-page">
      <div class="page-head">
        <div>
          <h1>Bonus Pipeline</h1>
          <p class="hint">
            A project is Demo Done when it moves on from Demo with every Demo Answers question answered; with Approved by AM it satisfies the Bonus Pipeline requirements. The report{" "}
            <a href="/reports/bonus-pipeline-by-partner">Bonus Pipeline status by partner</a> sums it up per partner.
          </p>
        </div>
      </div>
      <ErrorMessage error={partners.error} />
      {partners.loading && !partners.data && <Loading what="Loading your partners" />}
      {partners.data && partners.data.length === 0 && <p class="empty-state">No partner is assigned to you yet: a vendor admin assigns account managers on a partner's page.</p>}
      {partners.data && partners.data.length > 0 && (
        <>
          <div class="toolbar">
            <Select
              label="Partner"
              name="partner"
              value={chosen}
              onValue={(v) => {
                projects.restart();
                act.setError(null);
                setPartner(v);
              }}
              options={partners.data.map((p) => [p.id, p.name] as const)}
            />
          </div>
          {act.status}
          <ErrorMessage error={projects.page.error || act.error} />
          {projects.page.loading && !projects.page.data && <Loading what="Loading the projects" />}
          {projects.page.data && rows.length === 0 && <p class="empty-state">{name} has no projects yet.</p>}
          {rows.length > 0 && (
            <div class="table-wrap">
              <table class="list bonus">
                <caption>Projects of {name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Project</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Demo Done</th>
                    <th scope="col">Demo Date</th>
                    <th scope="col" class="num">
                      Pipeline MRR
                    </th>
                    <th scope="col">Approved by AM</th>
                    <th scope="col">Requirements satisfied</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((p) => (
                    <Row key={p.id} p={p} busy={act.busy} onApprove={(v) => void approve(p, v)} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {projects.pager}
        </>
      )}
    </section>
  );
}

function Row({ p, busy, onApprove }: { p: Project; busy: boolean; onApprove: (approved: boolean) => void }) {
  const id = useId("am");
  return (
    <tr class={p.demo_done ? "demo-done" : undefined}>
      <th scope="row">
        <a href={`/projects/${p.id}`}>{p.name}</a>
      </th>
      <td>{stageLabel(p.stage)}</td>
      <td>{p.demo_done ? "Yes" : "No"}</td>
      <td>
        <DateText value={p.demo_date} />
      </td>
      <td class="num">{p.cost_info.pipeline_mrr ? formatMoney(p.cost_info.pipeline_mrr, p.currency_code) : "—"}</td>
      <td>
        <input
          id={id}
          type="checkbox"
          checked={p.approved_by_am}
          disabled={busy}
          onChange={(e) => onApprove(e.currentTarget.checked)}
        />{" "}
        <label for={id} class="visually-hidden">
          Approved by AM: {p.name}
        </label>
        <span aria-hidden="true">{p.approved_by_am ? "Yes" : "No"}</span>
      </td>
      <td>{p.bonus_pipeline_satisfied ? "Yes" : "No"}</td>
    </tr>
  );
}
