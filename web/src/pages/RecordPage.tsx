// Record pages of leads, accounts, contacts and projects: details with
// inline edit, the options panel (edit, clone, follow, change owner, add
// note) and the related panel.

import { useState } from "preact/hooks";
import { api, idempotent, input, ok } from "../api/client";
import { READ } from "../api/records";
import type { components } from "../api/schema";
import { ApiError, fieldErrors } from "../lib/problem";
import { flash } from "../lib/flash";
import { useMe } from "../lib/me";
import { canEdit, stageLabel, type RecordType } from "../lib/domain";
import { navigate } from "../lib/router";
import { forgetRecord, nameOf } from "../lib/people";
import { ACCOUNT_DETAIL, CONTACT_FIELDS, LEAD_DETAIL, PROJECT_DETAIL, RECORD_TYPES } from "../lib/specs";
import { formatMoney } from "../lib/money";
import { isoDay } from "../lib/date";
import { Dialog, ErrorMessage, Loading, DateText, Select, TextInput, useAsync, useAnnouncer, words } from "../components/ui";
import { InlineField } from "../components/InlineField";
import { type FieldSpec, type Values } from "../components/Form";
import { Activities, Files, History, Notes, useFollowing, type RecordCollection } from "../components/Related";
import { PersonName, RecordLink } from "../components/Names";
import { CreateAccountDialog, CreateContactDialog, CreateProjectDialog } from "../components/Create";
import { ProjectPanels } from "./ProjectPanels";
import { ProjectContacts } from "./ProjectContacts";
import { CreateQuoteDialog } from "./QuotePage";

type Rec = Values & { id: string; owner_id: string; partner_id: string };
type S = components["schemas"];
const at = (id: string) => ({ params: { path: { id } } });

interface RecordPageConfig {
  fields: FieldSpec[];
  singular: string;
  /** The record and a change of some of its fields, through the typed client (the fields' names come from lib/specs.ts). */
  read: (id: string) => Promise<Rec>;
  patch: (id: string, fields: Values) => Promise<Rec>;
  /** Hands the record to a colleague (`:changeOwner`). */
  changeOwner: (id: string, newOwnerId: string) => Promise<Rec>;
}

const owner = (id: string, new_owner_id: string) => ({ ...at(id), body: { new_owner_id } });

export const RECORD_PAGES: Record<string, RecordPageConfig> = {
  leads: {
    fields: LEAD_DETAIL,
    singular: "Lead",
    read: READ.leads,
    patch: (id, fields) => ok(api.PATCH("/api/v1/leads/{id}", { ...at(id), body: fields as S["LeadInput"] })),
    changeOwner: (id, to) => ok(api.POST("/api/v1/leads/{id}:changeOwner", owner(id, to))),
  },
  accounts: {
    fields: ACCOUNT_DETAIL,
    singular: "Account",
    read: READ.accounts,
    patch: (id, fields) => ok(api.PATCH("/api/v1/accounts/{id}", { ...at(id), body: fields as S["AccountInput"] })),
    changeOwner: (id, to) => ok(api.POST("/api/v1/accounts/{id}:changeOwner", owner(id, to))),
  },
  contacts: {
    fields: CONTACT_FIELDS,
    singular: "Contact",
    read: READ.contacts,
    patch: (id, fields) => ok(api.PATCH("/api/v1/contacts/{id}", { ...at(id), body: fields as S["ContactInput"] })),
    changeOwner: (id, to) => ok(api.POST("/api/v1/contacts/{id}:changeOwner", owner(id, to))),
  },
  projects: {
    fields: PROJECT_DETAIL,
    singular: "Project",
    read: READ.projects,
    patch: (id, fields) => ok(api.PATCH("/api/v1/projects/{id}", { ...at(id), body: fields as S["ProjectInput"] })),
    changeOwner: (id, to) => ok(api.POST("/api/v1/projects/{id}:changeOwner", owner(id, to))),
  },
};

function ChangeOwnerDialog({ open, onClose, rec, cfg, onDone }: { open: boolean; onClose: () => void; rec: Rec; cfg: RecordPageConfig; onDone: (r: Rec) => void }) {
  const users = useAsync(async () => (open ? (await ok(api.GET("/api/v1/users", { params: { query: { partner_id: rec.partner_id } } }))).items : []), [open, rec.partner_id]);
  const colleagues = (users.data ?? []).filter((u) => u.active && u.partner_id === rec.partner_id);
  const [owner, setOwner] = useState("");
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open={open} title="Change owner" onClose={onClose}>
      <ErrorMessage error={users.error || error} />
      {users.loading && <Loading what="Loading colleagues" />}
      {colleagues.length > 0 && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              const to = owner || colleagues.find((c) => c.id !== rec.owner_id)?.id || "";
              onDone(await cfg.changeOwner(rec.id, to));
              onClose();
            } catch (err) {
              setError(err);
            }
          }}
        >
          <Select
            label="New owner (a colleague)"
            name="new_owner_id"
            value={owner || colleagues.find((c) => c.id !== rec.owner_id)?.id || ""}
            onValue={setOwner}
            options={colleagues.filter((c) => c.id !== rec.owner_id).map((c) => [c.id, `${c.display_name} (${words(c.role)})`] as const)}
          />
          <div class="actions">
            <button type="submit">Change owner</button>
            <button type="button" class="secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function CloneProjectDialog({ open, onClose, rec }: { open: boolean; onClose: () => void; rec: Rec }) {
  const [name, setName] = useState(`${rec.name as string} (copy)`);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open={open} title="Clone project" onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const p = await ok(api.POST("/api/v1/projects/{id}:clone", { ...at(rec.id), body: { name }, headers: idempotent() }));
            onClose();
            navigate(`/projects/${p.id}`);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <ErrorMessage error={error} />
        <TextInput label="Name of the copy" name="clone-name" required value={name} onValue={setName} />
        <p class="hint">The copy has no quotes, history or Bonus Pipeline state.</p>
        <div class="actions">
          <button type="submit">Clone</button>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ConvertDialog({ open, onClose, lead, onDone }: { open: boolean; onClose: () => void; lead: Rec; onDone: (r: Rec) => void }) {
  const [withProject, setWithProject] = useState(true);
  const [name, setName] = useState((lead.company as string) || "");
  const [type, setType] = useState<RecordType>("new_business");
  const [close, setClose] = useState(isoDay(90));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} title="Convert lead" onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const body = withProject ? { create_project: true, project_name: name, project_record_type: type, project_close_date: close } : { create_project: false };
            const r = await ok(api.POST("/api/v1/leads/{id}:convert", { ...at(lead.id), body: input<"ConvertInput">(body), headers: idempotent() }));
            onDone(r);
            onClose();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorMessage error={error} />
        <p>Converting creates an account and a contact from this lead{withProject ? ", and a project" : ""}.</p>
        <label class="inline">
          <input type="checkbox" checked={withProject} onChange={(e) => setWithProject(e.currentTarget.checked)} /> Also create a project
        </label>
        {withProject && (
          <>
            <TextInput label="Project name" name="project_name" value={name} onValue={setName} />
            <Select label="Record type" name="project_record_type" value={type} onValue={(v) => setType(v as RecordType)} options={RECORD_TYPES} />
            <TextInput label="Close date" name="project_close_date" type="date" value={close} onValue={setClose} />
          </>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Converting…" : "Convert"}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RejectDialog({ open, onClose, lead }: { open: boolean; onClose: () => void; lead: Rec }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fieldError = error instanceof ApiError ? fieldErrors(error.problem, ["reason"]).reason : undefined;
  return (
    <Dialog open={open} title="Reject distributed lead" onClose={onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await ok(api.POST("/api/v1/leads/{id}:reject", { ...at(lead.id), body: { reason } }));
            // The lead is back in the vendor's pool: the partner no longer sees it, so its page goes too.
            forgetRecord("leads", lead.id);
            onClose();
            flash(`${nameOf("leads", lead) || "The lead"} was rejected and went back to the vendor.`);
            navigate("/leads", true);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorMessage error={error} />
        <TextInput label="Reason" name="reason" required value={reason} onValue={setReason} error={fieldError} hint="The vendor sees it with the lead." />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Reject lead
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DistributeDialog({ open, onClose, lead, onDone }: { open: boolean; onClose: () => void; lead: Rec; onDone: (r: Rec) => void }) {
  const partners = useAsync(async () => (open ? (await ok(api.GET("/api/v1/partners"))).items : []), [open]);
  const [partner, setPartner] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const chosen = partner || partners.data?.[0]?.id || "";
  const fieldError = error instanceof ApiError ? fieldErrors(error.problem, ["partner_id"]).partner_id : undefined;
  return (
    <Dialog open={open} title="Distribute lead" onClose={onClose}>
      <ErrorMessage error={partners.error || error} />
      {partners.loading && <Loading what="Loading partners" />}
      {partners.data && partners.data.length > 0 && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              onDone(await ok<Rec>(api.POST("/api/v1/leads/{id}:distribute", { ...at(lead.id), body: { partner_id: chosen } })));
              onClose();
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Select label="Partner" name="partner_id" value={chosen} onValue={setPartner} error={fieldError} options={partners.data.map((p) => [p.id, p.name] as const)} />
          <p class="hint">The lead waits, read-only, until a partner admin of that company accepts or rejects it.</p>
          <div class="actions">
            <button type="submit" disabled={busy}>
              Distribute
            </button>
            <button type="button" class="secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function LeadPanel({ lead, setLead, isAdmin, isVendor, canWrite }: { lead: Rec; setLead: (r: Rec) => void; isAdmin: boolean; isVendor: boolean; canWrite: boolean }) {
  const [dialog, setDialog] = useState<"convert" | "reject" | "distribute" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [announce, say] = useAnnouncer();
  const converted = lead.status === "converted";
  return (
    <section class="card lead-panel" aria-labelledby="lead-state">
      <h2 id="lead-state">Status: {words(lead.status as string)}</h2>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      <ErrorMessage error={error} />
      {lead.acceptance_state === "pending" && (
        <div class="notice">
          <p>
            <strong>Pending acceptance.</strong>{" "}
            {isVendor ? "Distributed to a partner: it waits for a partner admin of that company to accept or reject it." : "The vendor distributed this lead to your company. It waits for a partner admin to accept or reject it."}
          </p>
          {isAdmin && (
            <div class="actions">
              <button
                type="button"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  setError(null);
                  try {
                    // Accepting makes the partner admin its owner.
                    setLead(await ok<Rec>(api.POST("/api/v1/leads/{id}:accept", { params: { path: { id: lead.id } } })));
                    say("Lead accepted: you own it now.");
                  } catch (e) {
                    setError(e);
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                Accept lead
              </button>
              <button type="button" class="secondary" onClick={() => setDialog("reject")}>
                Reject lead
              </button>
            </div>
          )}
        </div>
      )}
      {lead.reject_reason && <p>Rejected by the partner it was distributed to: {lead.reject_reason as string}</p>}
      {isVendor && !lead.partner_id && !converted && (
        <div class="actions">
          <p class="hint">This lead is in the vendor's pool.</p>
          <button type="button" onClick={() => setDialog("distribute")}>
            Distribute to a partner…
          </button>
        </div>
      )}
      {converted ? (
        <div class="converted" role="status">
          <p>
            Converted <DateText value={lead.convert_time as string} time />:
          </p>
          <ul>
            <li>
              Account: <RecordLink kind="accounts" id={lead.converted_account_id as string} />
            </li>
            <li>
              Contact: <RecordLink kind="contacts" id={lead.converted_contact_id as string} />
            </li>
            {lead.converted_project_id && (
              <li>
                Project: <RecordLink kind="projects" id={lead.converted_project_id as string} />
              </li>
            )}
          </ul>
        </div>
      ) : (
        canWrite &&
        lead.acceptance_state !== "pending" &&
        (lead.status === "qualified" ? (
          <button type="button" onClick={() => setDialog("convert")}>
            Convert lead
          </button>
        ) : (
          <p class="hint">A lead is converted once it is qualified: set its status to Qualified.</p>
        ))
      )}
      <ConvertDialog open={dialog === "convert"} onClose={() => setDialog(null)} lead={lead} onDone={setLead} />
      <RejectDialog open={dialog === "reject"} onClose={() => setDialog(null)} lead={lead} />
      <DistributeDialog
        open={dialog === "distribute"}
        onClose={() => setDialog(null)}
        lead={lead}
        onDone={(r) => {
          setLead(r);
          say("Lead distributed: it waits for the partner's answer.");
        }}
      />
    </section>
  );
}

function RelatedOfAccount({ id, canAdd }: { id: string; canAdd: boolean }) {
  const query = { filter: `account_id = "${id}"`, page_size: 100 };
  const contacts = useAsync(() => ok(api.GET("/api/v1/contacts", { params: { query } })), [id]);
  const projects = useAsync(() => ok(api.GET("/api/v1/projects", { params: { query } })), [id]);
  const quotes = useAsync(() => ok(api.GET("/api/v1/quotes", { params: { query } })), [id]);
  const [dialog, setDialog] = useState<"contact" | "project" | null>(null);
  return (
    <>
      <section class="related-section" aria-labelledby="rc-h">
        <h3 id="rc-h">Contacts</h3>
        <ErrorMessage error={contacts.error} />
        {contacts.data?.items.length === 0 && <p class="empty">No contacts yet.</p>}
        <ul>
          {contacts.data?.items.map((c) => (
            <li key={c.id}>
              <a href={`/contacts/${c.id}`}>{nameOf("contacts", c)}</a> {c.title ? `· ${c.title as string}` : ""}
            </li>
          ))}
        </ul>
        {canAdd && (
          <button type="button" class="secondary" onClick={() => setDialog("contact")}>
            New contact
          </button>
        )}
      </section>
      <section class="related-section" aria-labelledby="rp-h">
        <h3 id="rp-h">Projects</h3>
        <ErrorMessage error={projects.error} />
        {projects.data?.items.length === 0 && <p class="empty">No projects yet.</p>}
        <ul>
          {projects.data?.items.map((p) => (
            <li key={p.id}>
              <a href={`/projects/${p.id}`}>{p.name as string}</a> · {stageLabel(p.stage as string)}
            </li>
          ))}
        </ul>
        {canAdd && (
          <button type="button" class="secondary" onClick={() => setDialog("project")}>
            New project
          </button>
        )}
      </section>
      <QuotesList quotes={quotes.data?.items} error={quotes.error} />
      <CreateContactDialog open={dialog === "contact"} onClose={() => setDialog(null)} accountId={id} />
      <CreateProjectDialog open={dialog === "project"} onClose={() => setDialog(null)} accountId={id} />
    </>
  );
}

export function QuotesList({ quotes, error }: { quotes: Rec[] | undefined; error: unknown }) {
  return (
    <section class="related-section" aria-labelledby="rq-h">
      <h3 id="rq-h">Quotes</h3>
      <ErrorMessage error={error} />
      {quotes?.length === 0 && <p class="empty">No quotes yet.</p>}
      <ul>
        {quotes?.map((q) => (
          <li key={q.id}>
            <a href={`/quotes/${q.id}`}>{(q.name as string) || (q.number as string) || "Quote"}</a> · {words(q.status as string)}
            {q.primary ? " · primary" : ""} · MRR {formatMoney(q.mrr as string, q.currency_code as string)}
            {Array.isArray(q.lines) && q.lines.length > 0 && <span class="hint"> · {(q.lines as { product_name?: string; name?: string }[]).map((l) => l.product_name ?? l.name ?? "").filter(Boolean).join(", ")}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function RecordPage({ kind, id }: { kind: string; id: string }) {
  const cfg = RECORD_PAGES[kind];
  const me = useMe();
  const base = `/api/v1/${kind}/${id}`;
  const rec = useAsync(() => cfg.read(id), [base]);
  const follow = useFollowing(kind as RecordCollection, id);
  const [version, setVersion] = useState(0);
  const [dialog, setDialog] = useState<"owner" | "clone" | "quote" | null>(null);
  const [editAll, setEditAll] = useState(false);
  const [announce, say] = useAnnouncer();
  if (rec.loading && !rec.data) return <Loading />;
  if (rec.error || !rec.data)
    return (
      <section>
        <h1>{cfg.singular}</h1>
        <ErrorMessage error={rec.error} />
        <p>
          <a href={`/${kind}`}>Back to the list</a>
        </p>
      </section>
    );
  const r = rec.data;
  const editable = canEdit(me, r) && !(kind === "leads" && (r.status === "converted" || r.acceptance_state === "pending"));
  const setRec = (x: Rec) => {
    rec.set(x);
    forgetRecord(kind, id);
    setVersion((v) => v + 1);
  };
  const save = async (body: Values) => {
    setRec(await cfg.patch(id, body));
    say("Saved.");
  };
  const title = nameOf(kind, r);
  return (
    <article class="record">
      <div class="page-head">
        <div>
          <p class="kind">{cfg.singular}</p>
          <h1>{title}</h1>
          <p class="hint">
            Owner <PersonName id={r.owner_id} />
            {r.account_id ? (
              <>
                {" "}
                · Account <RecordLink kind="accounts" id={r.account_id as string} />
              </>
            ) : null}
            {kind === "projects" && (
              <>
                {" "}
                · {stageLabel(r.stage as string)} · {words(r.record_type as string)}
              </>
            )}
          </p>
        </div>
        <section class="options" aria-label="Options">
          {editable && (
            <button type="button" class="secondary" aria-pressed={editAll} onClick={() => setEditAll((x) => !x)}>
              {editAll ? "Done editing" : "Edit"}
            </button>
          )}
          {kind === "projects" && editable && (
            <button type="button" onClick={() => setDialog("quote")}>
              Create quote
            </button>
          )}
          {(kind === "projects" || kind === "accounts" || kind === "contacts") && me.partner_id && (
            <button type="button" class="secondary" onClick={() => setDialog("clone")}>
              Clone
            </button>
          )}
          <button type="button" class="secondary" aria-pressed={follow.following} disabled={!follow.loaded} onClick={() => void follow.toggle()}>
            {follow.following ? "Unfollow" : "Follow"}
          </button>
          {me.role === "partner_admin" && r.partner_id === me.partner_id && (
            <button type="button" class="secondary" onClick={() => setDialog("owner")}>
              Change owner
            </button>
          )}
          <a class="button secondary" href="#note-body">
            Add note
          </a>
          <span class="hint">{follow.count} following</span>
        </section>
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      {follow.error && (
        <p class="error" role="alert">
          {follow.error}
        </p>
      )}
      {kind === "leads" && <LeadPanel lead={r} setLead={setRec} isAdmin={me.role === "partner_admin"} isVendor={me.role === "vendor_admin"} canWrite={canEdit(me, r)} />}
      {kind === "projects" && <ProjectPanels project={r} setProject={setRec} editable={editable} />}
      <div class="record-grid">
        <section class="card" aria-labelledby="details-h">
          <h2 id="details-h">Details</h2>
          {!editable && <p class="hint">{me.partner_id ? "Only its owner or a partner admin edits this record." : "Vendor staff read partners' records."}</p>}
          <dl class={editAll ? "details edit-all" : "details"}>
            {cfg.fields.map((f) => (
              <InlineField key={`${f.name}-${version}`} f={f} record={r} editable={editable} save={save} />
            ))}
            <div class="detail-row">
              <dt>Created</dt>
              <dd>
                <DateText value={r.create_time as string} time />
              </dd>
            </div>
            <div class="detail-row">
              <dt>Last modified</dt>
              <dd>
                <DateText value={r.update_time as string} time />
              </dd>
            </div>
          </dl>
        </section>
        <section class="card related" aria-labelledby="related-h">
          <h2 id="related-h">Related</h2>
          {kind === "accounts" && <RelatedOfAccount id={id} canAdd={editable || canEdit(me, { ...r, owner_id: me.id })} />}
          {kind === "projects" && <ProjectRelated project={r} editable={editable} />}
          {kind === "contacts" && <p>Account: <RecordLink kind="accounts" id={r.account_id as string} /></p>}
          {kind !== "tasks" && <Activities collection={kind as Exclude<RecordCollection, "tasks">} id={id} canAdd={!!me.partner_id} />}
          <Notes collection={kind as RecordCollection} id={id} version={version} />
          <Files collection={kind as RecordCollection} id={id} />
          <History collection={kind as RecordCollection} id={id} version={version} />
        </section>
      </div>
      <ChangeOwnerDialog open={dialog === "owner"} onClose={() => setDialog(null)} rec={r} cfg={cfg} onDone={(x) => (setRec(x), say("Owner changed."))} />
      {kind === "projects" && <CreateQuoteDialog open={dialog === "quote"} onClose={() => setDialog(null)} project={r} />}
      {kind === "projects" && <CloneProjectDialog open={dialog === "clone"} onClose={() => setDialog(null)} rec={r} />}
      {kind === "accounts" && <CreateAccountDialog open={dialog === "clone"} onClose={() => setDialog(null)} initial={{ ...r, name: `${r.name as string} (copy)` }} />}
      {kind === "contacts" && <CreateContactDialog open={dialog === "clone"} onClose={() => setDialog(null)} accountId={r.account_id as string} initial={r} />}
    </article>
  );
}

function ProjectRelated({ project, editable }: { project: Rec; editable: boolean }) {
  const quotes = useAsync(() => ok(api.GET("/api/v1/projects/{id}/quotes", at(project.id))), [project.id]);
  return (
    <>
      <ProjectContacts project={{ id: project.id, account_id: project.account_id as string }} editable={editable} />
      <QuotesList quotes={quotes.data?.items} error={quotes.error} />
    </>
  );
}
