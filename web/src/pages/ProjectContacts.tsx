// The project's contacts with their roles: a contact of the project's account
// is added with a role, its role changed, or it is removed
// (PUT / DELETE /api/v1/projects/{id}/contacts/{contact_id}). The server
// judges (the contact must be of the project's account, the role a line);
// a refusal naming a field is shown on that field.

import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import type { components } from "../api/schema";
import { nameOf } from "../lib/people";
import { ApiError } from "../lib/problem";
import { term } from "../lib/views";
import { Dialog, ErrorMessage, Loading, useAnnouncer, useAsync } from "../components/ui";
import { SpecForm, type FieldSpec } from "../components/Form";
import { RecordLink } from "../components/Names";

type Role = components["schemas"]["ProjectContactJson"];
type Contact = components["schemas"]["ContactJson"];

const ROLE: FieldSpec = { name: "role", label: "Role", required: true, hint: "e.g. decision maker, technical contact" };

type Open = { kind: "add" } | { kind: "change"; role: Role } | null;

export function ProjectContacts({ project, editable }: { project: { id: string; account_id: string }; editable: boolean }) {
  const id = project.id;
  const roles = useAsync(() => ok(api.GET("/api/v1/projects/{id}/contacts", { params: { path: { id } } })), [id]);
  // The contacts a role may name: those of the project's account.
  const contacts = useAsync(
    () =>
      project.account_id
        ? ok(api.GET("/api/v1/contacts", { params: { query: { filter: term("account_id", "=", project.account_id), order_by: "last_name", page_size: 200 } } }))
        : Promise.resolve({ items: [] as Contact[], next_page_token: "" }),
    [project.account_id],
  );
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState<unknown>(null);
  const [announce, say] = useAnnouncer();
  const byId = new Map((contacts.data?.items ?? []).map((c) => [c.id, c]));
  const name = (contactId: string) => {
    const c = byId.get(contactId);
    return c ? nameOf("contacts", c) : "";
  };
  const items = roles.data?.items ?? [];
  const available = (contacts.data?.items ?? []).filter((c) => !items.some((r) => r.contact_id === c.id));

  const setRole = async (contactId: string, role: string) => {
    if (!contactId) throw new ApiError({ status: 400, title: "Bad Request", detail: "Choose a contact.", errors: [{ field: "contact_id", message: "Choose a contact of the account." }] });
    return ok(api.PUT("/api/v1/projects/{id}/contacts/{contact_id}", { params: { path: { id, contact_id: contactId } }, body: { role } }));
  };
  const remove = async (r: Role) => {
    const who = name(r.contact_id) || "this contact";
    if (!confirm(`Remove ${who} from this project?`)) return;
    setError(null);
    try {
      await ok(api.DELETE("/api/v1/projects/{id}/contacts/{contact_id}", { params: { path: { id, contact_id: r.contact_id } } }));
      roles.reload();
      say(`${who} removed from the project.`);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section class="related-section" aria-labelledby="pc-h">
      <h3 id="pc-h">Contacts with roles</h3>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      <ErrorMessage error={roles.error || contacts.error || error} />
      {roles.loading && !roles.data && <Loading what="Loading contacts" />}
      {roles.data && items.length === 0 && <p class="empty">No contacts on this project yet.{editable ? " Add one of the account's contacts with a role." : ""}</p>}
      {items.length > 0 && (
        <table class="compact project-contacts">
          <caption class="visually-hidden">Contacts with roles</caption>
          <thead>
            <tr>
              <th scope="col">Contact</th>
              <th scope="col">Role</th>
              {editable && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.contact_id}>
                <td>{name(r.contact_id) ? <a href={`/contacts/${r.contact_id}`}>{name(r.contact_id)}</a> : <RecordLink kind="contacts" id={r.contact_id} />}</td>
                <td>{r.role || "no role"}</td>
                {editable && (
                  <td class="row-actions">
                    <button type="button" class="secondary small" onClick={() => setOpen({ kind: "change", role: r })}>
                      Change role<span class="visually-hidden"> of {name(r.contact_id) || "this contact"}</span>
                    </button>
                    <button type="button" class="secondary small" onClick={() => void remove(r)}>
                      Remove<span class="visually-hidden"> {name(r.contact_id) || "this contact"}</span>
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable && (
        <button type="button" class="secondary" disabled={!contacts.data} onClick={() => setOpen({ kind: "add" })}>
          Add contact
        </button>
      )}
      <Dialog open={open?.kind === "add"} title="Add a contact to the project" onClose={() => setOpen(null)}>
        {available.length === 0 ? (
          <>
            <p>Every contact of the project's account is on the project already. Create a contact on the account's page first.</p>
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setOpen(null)}>
                Close
              </button>
            </div>
          </>
        ) : (
          <SpecForm
            fields={[{ name: "contact_id", label: "Contact", type: "select", required: true, options: [["", "Choose a contact"], ...available.map((c) => [c.id, contactLabel(c)] as [string, string])] }, ROLE]}
            submitLabel="Add contact"
            onCancel={() => setOpen(null)}
            onSubmit={async (v) => {
              const r = await setRole(String(v.contact_id ?? ""), String(v.role ?? ""));
              setOpen(null);
              roles.reload();
              say(`${name(r.contact_id)} added as ${r.role}.`);
            }}
          />
        )}
      </Dialog>
      <Dialog open={open?.kind === "change"} title={open?.kind === "change" ? `Change the role of ${name(open.role.contact_id) || "the contact"}` : "Change role"} onClose={() => setOpen(null)}>
        {open?.kind === "change" && (
          <SpecForm
            fields={[ROLE]}
            initial={{ role: open.role.role }}
            submitLabel="Save role"
            onCancel={() => setOpen(null)}
            onSubmit={async (v) => {
              const r = await setRole(open.role.contact_id, String(v.role ?? ""));
              setOpen(null);
              roles.reload();
              say(`${name(r.contact_id)} is now ${r.role}.`);
            }}
          />
        )}
      </Dialog>
    </section>
  );
}

function contactLabel(c: Contact): string {
  const n = nameOf("contacts", c);
  return c.title ? `${n} (${c.title})` : n;
}
