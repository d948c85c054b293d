// The vendor's partners (vendor admin): the list, a new partner (name and
// tier), and one partner's page: its Partner Address and Reseller Address
// (what quotes ship to), its account managers, and its users.

import { useState } from "preact/hooks";
import { api, input, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { navigate } from "../../lib/router";
import { ApiError } from "../../lib/problem";
import { forgetRecord } from "../../lib/people";
import { DateText, Dialog, ErrorMessage, Loading, Select, useAsync } from "../../components/ui";
import { SpecForm, toBody, type FieldSpec } from "../../components/Form";
import { addressLine, usePartners, useActions } from "./shared";
import { UserAdmin } from "./Users";

type Partner = components["schemas"]["Partner"];

export function PartnerList() {
  const partners = usePartners();
  const [open, setOpen] = useState(false);
  const list = partners.data ?? [];
  return (
    <section class="vendor-page">
      <div class="page-head">
        <div>
          <h1>Partners</h1>
          <p class="hint">The reseller companies. Open one for its addresses, account managers and users.</p>
        </div>
        <button type="button" onClick={() => setOpen(true)}>
          New partner
        </button>
      </div>
      <ErrorMessage error={partners.error} />
      {partners.loading && !partners.data && <Loading />}
      {partners.data && list.length === 0 && <p class="empty-state">No partners yet.</p>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="list partners">
            <caption class="visually-hidden">Partners, by name</caption>
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Tier</th>
                <th scope="col">Partner address</th>
                <th scope="col">Partner since</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <a href={`/partners/${p.id}`}>{p.name}</a>
                  </th>
                  <td>{p.tier || "—"}</td>
                  <td>{addressLine(p.partner_address)}</td>
                  <td>
                    <DateText value={p.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={open} title="New partner" onClose={() => setOpen(false)}>
        <SpecForm
          fields={[
            { name: "name", label: "Company name", required: true },
            { name: "tier", label: "Tier", hint: "e.g. gold; a tier's discount applies to its partners. Optional." },
          ]}
          submitLabel="Create partner"
          onCancel={() => setOpen(false)}
          onSubmit={async (v) => {
            const tier = String(v.tier ?? "").trim();
            const p = await ok(api.POST("/api/v1/partners", { body: { name: String(v.name ?? "").trim(), tier: tier || null } }));
            setOpen(false);
            navigate(`/partners/${p.id}`);
          }}
        />
      </Dialog>
    </section>
  );
}

const ADDRESS_PARTS: [string, string, string?][] = [
  ["street", "street"],
  ["postal_code", "postal code"],
  ["city", "city"],
  ["region", "region"],
  ["country", "country", "Two-letter code, e.g. DE"],
];

const addressFields = (prefix: string, label: string): FieldSpec[] => ADDRESS_PARTS.map(([k, l, hint]) => ({ name: `${prefix}.${k}`, label: `${label}: ${l}`, hint }));

const ADDRESS_FIELDS: FieldSpec[] = [...addressFields("partner_address", "Partner address"), ...addressFields("reseller_address", "Reseller address")];

export function PartnerPage({ id }: { id: string }) {
  const partner = useAsync((signal) => ok(api.GET("/api/v1/partners/{id}", { params: { path: { id } }, signal })), [id]);
  const [editing, setEditing] = useState(false);
  const act = useActions();
  if (partner.loading && !partner.data) return <Loading />;
  if (!partner.data)
    return (
      <section>
        <h1>Partner</h1>
        <ErrorMessage error={partner.error} />
        <p>
          <a href="/partners">Back to partners</a>
        </p>
      </section>
    );
  const p = partner.data;
  return (
    <article class="record vendor-page">
      <p class="kind">Partner</p>
      <h1>{p.name}</h1>
      {act.status}
      <div class="record-grid">
        <section class="card" aria-labelledby="partner-details">
          <div class="page-head">
            <h2 id="partner-details">Details and addresses</h2>
            <button type="button" class="secondary" onClick={() => setEditing(true)}>
              Edit addresses
            </button>
          </div>
          <dl class="details">
            <div class="detail-row">
              <dt>Tier</dt>
              <dd>{p.tier || "— (no tier)"}</dd>
            </div>
            <div class="detail-row">
              <dt>Partner since</dt>
              <dd>
                <DateText value={p.created_at} />
              </dd>
            </div>
            <div class="detail-row">
              <dt>Partner address</dt>
              <dd data-testid="partner-address">{addressLine(p.partner_address)}</dd>
            </div>
            <div class="detail-row">
              <dt>Reseller address</dt>
              <dd data-testid="reseller-address">{addressLine(p.reseller_address)}</dd>
            </div>
          </dl>
          <p class="hint">A quote's Partner Address and Reseller Address come from here.</p>
        </section>
        <AccountManagers partner={p} />
      </div>
      <UserAdmin partnerId={p.id} partners={[p]} heading={`Users of ${p.name}`} />
      <Dialog open={editing} title={`Addresses of ${p.name}`} onClose={() => setEditing(false)} wide>
        {editing && (
          <SpecForm
            fields={ADDRESS_FIELDS}
            initial={p}
            submitLabel="Save addresses"
            onCancel={() => setEditing(false)}
            onSubmit={async (v) => {
              // Both addresses whole, every part: an emptied part is cleared.
              const body = toBody(ADDRESS_FIELDS, v, false);
              const next = await ok(api.PATCH("/api/v1/partners/{id}", { params: { path: { id } }, body: input<"UpdatePartnerBody">(body) }));
              partner.set(next);
              forgetRecord("partners", id);
              setEditing(false);
              act.announce("The addresses are saved.");
            }}
          />
        )}
      </Dialog>
      <p>
        <a href="/partners">Back to partners</a>
      </p>
    </article>
  );
}

/**
 * Assigns an account manager to the partner, or takes the assignment back.
 * The gateway answers no list of a partner's account managers, so the
 * current ones are not shown here (the account manager sees their partners).
 */
function AccountManagers({ partner }: { partner: Partner }) {
  const managers = useAsync(async (signal) => (await ok(api.GET("/api/v1/users", { signal }))).items.filter((u) => u.role === "account_manager" && u.active), []);
  const [chosen, setChosen] = useState("");
  const act = useActions();
  const list = managers.data ?? [];
  const user = chosen || list[0]?.id || "";
  const name = list.find((u) => u.id === user)?.display_name ?? "The account manager";
  const path = { params: { path: { partner_id: partner.id, user_id: user } } };
  return (
    <section class="card" aria-labelledby="partner-ams">
      <h2 id="partner-ams">Account managers</h2>
      <p class="hint">An account manager sees every record of the partners assigned to them and sets Approved by AM on their projects.</p>
      {act.status}
      <ErrorMessage error={managers.error || act.error} />
      {managers.loading && !managers.data && <Loading what="Loading the account managers" />}
      {managers.data && list.length === 0 && <p class="empty-state">No active user has the Account manager role. Create one under Users.</p>}
      {list.length > 0 && (
        <form
          class="inline-form"
          aria-label={`Account managers of ${partner.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void act.run(() => ok(api.PUT("/api/v1/partners/{partner_id}/account_managers/{user_id}", path)), `${name} is an account manager of ${partner.name}.`);
          }}
        >
          <Select label="Account manager" name="user_id" value={user} onValue={setChosen} options={list.map((u) => [u.id, `${u.display_name} (${u.email})`] as const)} />
          <button type="submit" disabled={act.busy}>
            Assign
          </button>
          <button
            type="button"
            class="secondary"
            disabled={act.busy}
            onClick={() =>
              void act.run(async () => {
                try {
                  await ok(api.DELETE("/api/v1/partners/{partner_id}/account_managers/{user_id}", path));
                } catch (e) {
                  // The gateway's answer for a pair that is not assigned.
                  if (e instanceof ApiError && e.status === 404) throw new ApiError({ ...e.problem, detail: `${name} is not an account manager of ${partner.name}.` });
                  throw e;
                }
              }, `${name} is no longer an account manager of ${partner.name}.`)
            }
          >
            Unassign
          </button>
        </form>
      )}
    </section>
  );
}
