// People who sign in (partner admins and vendor admins): the users of the
// caller's scope as the server answers it (a partner admin's own company's,
// a vendor admin's all, or one partner's), a new user with an initial
// password, a rename, a change of role, deactivate and reactivate. Who may
// give which role to whom is the server's rule: its refusal is shown.

import { useState } from "preact/hooks";
import { api, input, ok } from "../../api/client";
import type { components } from "../../api/schema";
import type { Role } from "../../api/session";
import { useMe } from "../../lib/me";
import { PARTNER_ROLES, ROLE_LABELS } from "../../lib/domain";
import { setQuery, useLocation } from "../../lib/router";
import { remember } from "../../lib/people";
import { Dialog, ErrorMessage, Loading, Select, useAsync } from "../../components/ui";
import { SpecForm, type FieldSpec } from "../../components/Form";
import { partnerName, usePartners, useActions, type Partner } from "./shared";

type User = components["schemas"]["UserView"];

const ALL_ROLES = Object.entries(ROLE_LABELS) as [Role, string][];

/** The /users page: a vendor admin chooses whose users (`?partner=`), a partner admin sees their company's. */
export function UsersPage() {
  const me = useMe();
  const loc = useLocation();
  const partners = usePartners();
  const vendor = me.role === "vendor_admin";
  const chosen = vendor ? (loc.query.get("partner") ?? "") : (me.partner_id ?? "");
  const own = !vendor ? partners.data?.find((p) => p.id === me.partner_id) : undefined;
  return (
    <section class="vendor-page">
      <div class="page-head">
        <div>
          <h1>Users</h1>
          <p class="hint">{vendor ? "Everyone who signs in: vendor staff and every partner's people." : `The people of ${own?.name ?? "your company"} who sign in to the portal.`}</p>
        </div>
      </div>
      <ErrorMessage error={partners.error} />
      {vendor && (
        <div class="toolbar">
          <Select
            label="Show the users of"
            name="partner"
            value={chosen}
            onValue={(v) => setQuery({ partner: v })}
            options={[["", "Everyone (vendor staff and all partners)"], ...(partners.data ?? []).map((p) => [p.id, p.name] as const)]}
          />
        </div>
      )}
      <UserAdmin partnerId={chosen || undefined} partners={partners.data} />
    </section>
  );
}

/** The users table with its create, edit and (de)activate actions; `partnerId` narrows a vendor admin's list to one partner. */
export function UserAdmin({ partnerId, partners, heading }: { partnerId?: string; partners?: Partner[]; heading?: string }) {
  const me = useMe();
  const vendor = me.role === "vendor_admin";
  // A vendor admin's list of everyone says whose each user is; one partner's list need not.
  const partnerColumn = vendor && !partnerId;
  const users = useAsync(async (signal) => (await ok(api.GET("/api/v1/users", { params: { query: { partner_id: partnerId } }, signal }))).items, [partnerId]);
  const [dialog, setDialog] = useState<{ kind: "new" } | { kind: "edit"; user: User } | null>(null);
  const act = useActions();
  const close = () => setDialog(null);
  const list = [...(users.data ?? [])].sort((a, b) => a.display_name.localeCompare(b.display_name));
  // What the server would accept is its call; the form offers what the caller's role is meant to give.
  const roles: [Role, string][] = vendor ? ALL_ROLES : ALL_ROLES.filter(([r]) => PARTNER_ROLES.includes(r));
  const newFields: FieldSpec[] = [
    { name: "email", label: "E-mail", type: "email", required: true },
    { name: "display_name", label: "Name", required: true },
    { name: "password", label: "Initial password", required: true, hint: "Tell it to the person; they sign in with it." },
    { name: "role", label: "Role", type: "select", options: roles },
    ...(vendor ? [{ name: "partner_id", label: "Partner", type: "select" as const, options: [["", "None (vendor staff)"] as const, ...(partners ?? []).map((p) => [p.id, p.name] as const)] }] : []),
  ];
  const setActive = (u: User, active: boolean) =>
    act.run(async () => {
      await ok(api.PATCH("/api/v1/users/{id}", { params: { path: { id: u.id } }, body: input<"UpdateUserBody">({ active }) }));
      users.reload();
    }, `${u.display_name} is ${active ? "reactivated" : "deactivated"}.`);
  return (
    <section class="card" aria-labelledby="users-h">
      <div class="page-head">
        <h2 id="users-h">{heading ?? (partnerId && vendor ? `Users of ${partnerName(partners, partnerId)}` : "Users")}</h2>
        <button type="button" onClick={() => setDialog({ kind: "new" })}>
          New user
        </button>
      </div>
      {act.status}
      <ErrorMessage error={users.error || act.error} />
      {users.loading && !users.data && <Loading what="Loading the users" />}
      {users.data && list.length === 0 && <p class="empty-state">No users yet.</p>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="list users">
            <caption class="visually-hidden">{heading ?? "Users"}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                {partnerColumn && <th scope="col">Partner</th>}
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id} class={u.active ? undefined : "inactive"}>
                  <th scope="row">
                    {u.display_name}
                    {u.id === me.id && <span class="hint"> (you)</span>}
                  </th>
                  <td>{u.email}</td>
                  <td>{ROLE_LABELS[u.role] ?? u.role}</td>
                  {partnerColumn && <td>{u.partner_id ? partnerName(partners, u.partner_id) : "Vendor"}</td>}
                  <td>{u.active ? "Active" : "Deactivated"}</td>
                  <td class="row-actions">
                    <button type="button" class="secondary small" aria-label={`Edit ${u.display_name}`} onClick={() => setDialog({ kind: "edit", user: u })}>
                      Edit
                    </button>
                    {u.active ? (
                      <button
                        type="button"
                        class="secondary small danger"
                        disabled={act.busy}
                        aria-label={`Deactivate ${u.display_name}`}
                        onClick={() => confirm(`Deactivate ${u.display_name}? They can no longer sign in.`) && void setActive(u, false)}
                      >
                        Deactivate
                      </button>
                    ) : (
                      <button type="button" class="secondary small" disabled={act.busy} aria-label={`Reactivate ${u.display_name}`} onClick={() => void setActive(u, true)}>
                        Reactivate
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={dialog?.kind === "new"} title="New user" onClose={close}>
        {dialog?.kind === "new" && (
          <SpecForm
            fields={newFields}
            initial={{ role: "partner_user", partner_id: partnerId ?? "" }}
            submitLabel="Create user"
            onCancel={close}
            onSubmit={async (v) => {
              const s = (k: string) => String(v[k] ?? "").trim();
              const u = await ok(
                api.POST("/api/v1/users", {
                  body: input<"CreateUserBody">({
                    email: s("email"),
                    display_name: s("display_name"),
                    password: String(v.password ?? ""),
                    role: s("role") as Role,
                    ...(vendor ? { partner_id: s("partner_id") || null } : {}),
                  }),
                }),
              );
              remember(u);
              close();
              users.reload();
              act.announce(`${u.display_name} (${u.email}) can sign in now.`);
            }}
          />
        )}
      </Dialog>
      <Dialog open={dialog?.kind === "edit"} title={dialog?.kind === "edit" ? `Edit ${dialog.user.display_name}` : "Edit user"} onClose={close}>
        {dialog?.kind === "edit" && (
          <SpecForm
            fields={[
              { name: "display_name", label: "Name", required: true },
              { name: "role", label: "Role", type: "select", options: roles.some(([r]) => r === dialog.user.role) ? roles : [[dialog.user.role, ROLE_LABELS[dialog.user.role]], ...roles] },
            ]}
            initial={dialog.user}
            submitLabel="Save"
            onCancel={close}
            onSubmit={async (v) => {
              const u = dialog.user;
              const display_name = String(v.display_name ?? "").trim();
              const role = v.role as Role;
              const body = input<"UpdateUserBody">({ ...(display_name !== u.display_name ? { display_name } : {}), ...(role !== u.role ? { role } : {}) });
              if (Object.keys(body).length) remember(await ok(api.PATCH("/api/v1/users/{id}", { params: { path: { id: u.id } }, body })));
              close();
              users.reload();
              act.announce(`${display_name} is saved.`);
            }}
          >
            <p class="hint">{dialog.user.email}</p>
          </SpecForm>
        )}
      </Dialog>
    </section>
  );
}
