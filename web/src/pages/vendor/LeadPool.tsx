// The vendor's lead pool (vendor admin): the leads of no partner (the lead
// service keeps them under the nil partner id), each distributed to a partner
// chosen by name; a new pool lead; and the distributed leads with their
// partner's answer (pending, accepted, or rejected with the reason, which
// puts the lead back in the pool).

import { useState } from "preact/hooks";
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { DateText, Dialog, ErrorMessage, Loading, Select, words } from "../../components/ui";
import { CreateLeadDialog } from "../../components/Create";
import { errorsOf, partnerName, POOL, usePaged, usePartners, useActions, type Partner } from "./shared";

type Lead = components["schemas"]["LeadJson"];

const PAGE = 25;

const person = (l: Lead) => `${l.first_name} ${l.last_name}`.trim() || "—";

const ACCEPTANCE: [string, string][] = [
  ["", "Every answer"],
  ["pending", "Pending"],
  ["accepted", "Accepted"],
  ["rejected", "Rejected"],
];

export function LeadPool() {
  const partners = usePartners();
  const [creating, setCreating] = useState(false);
  const [distributing, setDistributing] = useState<Lead | null>(null);
  const [state, setState] = useState("");
  const act = useActions();
  const pool = usePaged<Lead>(
    "Pages of the pool",
    (token, signal) => ok(api.GET("/api/v1/leads", { params: { query: { page_size: PAGE, page_token: token || undefined, filter: `partner_id = "${POOL}"`, order_by: "create_time desc" } }, signal })),
    [],
  );
  const distributed = usePaged<Lead>(
    "Pages of the distributed leads",
    (token, signal) =>
      ok(
        api.GET("/api/v1/leads", {
          params: {
            query: {
              page_size: PAGE,
              page_token: token || undefined,
              filter: [`distributed_partner_id != "${POOL}"`, state ? `acceptance_state = ${state}` : ""].filter(Boolean).join(" AND "),
              order_by: "update_time desc",
            },
          },
          signal,
        }),
      ),
    [state],
  );
  const poolItems = pool.page.data?.items ?? [];
  const sent = distributed.page.data?.items ?? [];
  return (
    <section class="vendor-page">
      <div class="page-head">
        <div>
          <h1>Lead pool</h1>
          <p class="hint">The vendor's own leads, not yet any partner's. A distributed lead waits for a partner admin of that company to accept or reject it; a rejected one comes back here.</p>
        </div>
        <button type="button" onClick={() => setCreating(true)}>
          New pool lead
        </button>
      </div>
      {act.status}
      <ErrorMessage error={partners.error} />
      <section class="card" aria-labelledby="pool-h">
        <h2 id="pool-h">In the pool</h2>
        <ErrorMessage error={pool.page.error} />
        {pool.page.loading && !pool.page.data && <Loading what="Loading the pool" />}
        {pool.page.data && poolItems.length === 0 && <p class="empty-state">The pool is empty: every lead is with a partner.</p>}
        {poolItems.length > 0 && (
          <div class="table-wrap">
            <table class="list pool">
              <caption class="visually-hidden">Leads in the vendor's pool, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Company</th>
                  <th scope="col">Person</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Est. users
                  </th>
                  <th scope="col">Came back</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {poolItems.map((l) => (
                  <tr key={l.id}>
                    <th scope="row">
                      <a href={`/leads/${l.id}`}>{l.company}</a>
                    </th>
                    <td>
                      {person(l)}
                      {l.email && <div class="hint">{l.email}</div>}
                    </td>
                    <td>{words(l.status)}</td>
                    <td class="num">{l.estimated_users || "—"}</td>
                    <td>{l.acceptance_state === "rejected" ? `Rejected by ${partnerName(partners.data, l.distributed_partner_id)}: ${l.reject_reason}` : "—"}</td>
                    <td class="row-actions">
                      {l.status !== "converted" && (
                        <button type="button" class="secondary small" aria-label={`Distribute ${l.company}`} onClick={() => setDistributing(l)}>
                          Distribute…
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pool.pager}
      </section>
      <section class="card" aria-labelledby="sent-h">
        <div class="page-head">
          <h2 id="sent-h">Distributed</h2>
          <Select
            label="Partner's answer"
            name="acceptance_state"
            value={state}
            onValue={(v) => {
              distributed.restart();
              setState(v);
            }}
            options={ACCEPTANCE}
          />
        </div>
        <ErrorMessage error={distributed.page.error} />
        {distributed.page.loading && !distributed.page.data && <Loading what="Loading the distributed leads" />}
        {distributed.page.data && sent.length === 0 && <p class="empty-state">No distributed leads{state ? ` with this answer` : ""}.</p>}
        {sent.length > 0 && (
          <div class="table-wrap">
            <table class="list distributed">
              <caption class="visually-hidden">Distributed leads and their partner's answer, latest change first</caption>
              <thead>
                <tr>
                  <th scope="col">Company</th>
                  <th scope="col">Distributed to</th>
                  <th scope="col">On</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {sent.map((l) => (
                  <tr key={l.id}>
                    <th scope="row">
                      <a href={`/leads/${l.id}`}>{l.company}</a>
                    </th>
                    <td>{partnerName(partners.data, l.distributed_partner_id)}</td>
                    <td>
                      <DateText value={l.distribute_time} time />
                    </td>
                    <td>
                      <span class={`acceptance ${l.acceptance_state}`}>{l.acceptance_state ? words(l.acceptance_state) : "—"}</span>
                    </td>
                    <td>{l.reject_reason || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {distributed.pager}
      </section>
      <CreateLeadDialog open={creating} onClose={() => setCreating(false)} />
      <DistributeDialog
        lead={distributing}
        partners={partners.data ?? []}
        onClose={() => setDistributing(null)}
        onDone={(l) => {
          setDistributing(null);
          pool.page.reload();
          distributed.page.reload();
          act.announce(`${l.company} is distributed to ${partnerName(partners.data, l.distributed_partner_id)}: it waits for their answer.`);
        }}
      />
    </section>
  );
}

function DistributeDialog({ lead, partners, onClose, onDone }: { lead: Lead | null; partners: Partner[]; onClose: () => void; onDone: (l: Lead) => void }) {
  const [partner, setPartner] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const chosen = partner || partners[0]?.id || "";
  const errors = errorsOf(error, ["partner_id"]);
  const close = () => {
    setError(null);
    setPartner("");
    onClose();
  };
  return (
    <Dialog open={lead !== null} title={lead ? `Distribute ${lead.company}` : "Distribute lead"} onClose={close}>
      {lead && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              const l = await ok(api.POST("/api/v1/leads/{id}:distribute", { params: { path: { id: lead.id } }, body: { partner_id: chosen } }));
              setPartner("");
              onDone(l);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <ErrorMessage error={error} />
          <p>
            {person(lead)} of {lead.company}
            {lead.estimated_users ? `, about ${lead.estimated_users} users` : ""}.
          </p>
          <Select label="Partner" name="partner_id" value={chosen} onValue={setPartner} error={errors.partner_id} options={partners.map((p) => [p.id, p.name] as const)} />
          <p class="hint">The lead becomes the partner's, read-only and marked vendor-distributed, until a partner admin of that company accepts or rejects it.</p>
          <div class="actions">
            <button type="submit" disabled={busy || !chosen}>
              Distribute
            </button>
            <button type="button" class="secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
