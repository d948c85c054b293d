// Quick-create dialogs: lead (with its likely duplicates), account, contact,
// project and case.

import { useState } from "preact/hooks";
import { api, idempotent, ok } from "../api/client";
import type { components } from "../api/schema";
import { navigate } from "../lib/router";
import { isoDay } from "../lib/date";
import { ACCOUNT_CREATE, CASE_CREATE, CONTACT_FIELDS, LEAD_CREATE, RECORD_TYPES } from "../lib/specs";
import { SOLUTIONS } from "../lib/domain";
import { Dialog, useAsync } from "./ui";
import { SpecForm, toBody, type FieldSpec, type Values } from "./Form";

type S = components["schemas"];
type LeadLite = Pick<S["LeadJson"], "id" | "company" | "first_name" | "last_name" | "email" | "phone" | "status">;
// The forms build their bodies from field specs (lib/specs.ts); the server names any field it refuses.
const asInput = <T,>(v: Values) => v as T;
function leadName(l: LeadLite) {
  return `${l.first_name} ${l.last_name}`.trim() || l.company;
}

/** Likely duplicates of what is typed, asked before saving by the server's own rule (the same e-mail, or the same company and phone). */
async function likelyDuplicates(v: Values): Promise<LeadLite[]> {
  const text = (k: string) => (typeof v[k] === "string" ? (v[k] as string).trim() : "");
  try {
    const r = await ok(
      api.POST("/api/v1/leads:findDuplicates", { body: { email: text("email"), company: text("company"), phone: text("phone") } }),
    );
    return r.items;
  } catch {
    // The check is a courtesy; the create answer names duplicates anyway.
    return [];
  }
}

export function CreateLeadDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [dupes, setDupes] = useState<LeadLite[] | null>(null);
  const [pending, setPending] = useState<Values | null>(null);
  const [created, setCreated] = useState<{ lead: LeadLite; duplicates: LeadLite[] } | null>(null);
  const close = () => {
    setDupes(null);
    setPending(null);
    setCreated(null);
    onClose();
  };
  const save = async (v: Values) => {
    const r = await ok(api.POST("/api/v1/leads", { body: asInput<S["LeadCreate"]>(toBody(LEAD_CREATE, v)), headers: idempotent() }));
    if (r.duplicates.length) setCreated(r);
    else {
      close();
      navigate(`/leads/${r.lead.id}`);
    }
  };
  return (
    <Dialog open={open} title="New lead" onClose={close} wide>
      {created ? (
        <div>
          <p role="status">
            Lead <a href={`/leads/${created.lead.id}`}>{leadName(created.lead)}</a> saved. It likely duplicates:
          </p>
          <ul class="dupes" aria-label="Likely duplicates">
            {created.duplicates.map((d) => (
              <li key={d.id}>
                <a href={`/leads/${d.id}`} onClick={close}>
                  {leadName(d)} · {d.company}
                </a>{" "}
                <span class="hint">
                  {d.email} {d.phone} ({d.status})
                </span>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button type="button" onClick={() => (close(), navigate(`/leads/${created.lead.id}`))}>
              Open the new lead
            </button>
          </div>
        </div>
      ) : (
        <SpecForm
          fields={LEAD_CREATE}
          initial={pending ?? { source: "web" }}
          submitLabel={dupes?.length ? "Save anyway" : "Save lead"}
          onCancel={close}
          onSubmit={async (v) => {
            if (!dupes) {
              const found = await likelyDuplicates(v);
              if (found.length) {
                setPending(v);
                setDupes(found);
                return;
              }
            }
            await save(v);
          }}
        >
          {dupes && dupes.length > 0 && (
            <section class="notice" role="alert" aria-labelledby="dupes-title">
              <h3 id="dupes-title">Likely duplicates</h3>
              <p>These leads have the same e-mail, or the same company and phone. Open one instead, or save anyway.</p>
              <ul class="dupes">
                {dupes.map((d) => (
                  <li key={d.id}>
                    <a href={`/leads/${d.id}`} onClick={close}>
                      {leadName(d)} · {d.company}
                    </a>{" "}
                    <span class="hint">
                      {d.email} {d.phone} ({d.status})
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </SpecForm>
      )}
    </Dialog>
  );
}

export function CreateAccountDialog({ open, onClose, initial }: { open: boolean; onClose: () => void; initial?: Values }) {
  return (
    <Dialog open={open} title={initial ? "Clone account" : "New account"} onClose={onClose}>
      <SpecForm
        fields={ACCOUNT_CREATE}
        initial={initial ?? { type: "prospect" }}
        submitLabel="Save account"
        onCancel={onClose}
        onSubmit={async (v) => {
          const a = await ok(api.POST("/api/v1/accounts", { body: asInput<S["AccountCreate"]>(toBody(ACCOUNT_CREATE, v)), headers: idempotent() }));
          onClose();
          navigate(`/accounts/${a.id}`);
        }}
      />
    </Dialog>
  );
}

export function CreateCaseDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [done, setDone] = useState<{ id: string; number: string } | null>(null);
  const close = () => {
    setDone(null);
    onClose();
  };
  return (
    <Dialog open={open} title="Submit a case" onClose={close}>
      {done ? (
        <div>
          <p role="status">
            Case <a href={`/cases/${done.id}`}>{done.number}</a> submitted. Support will answer by e-mail and on the case.
          </p>
          <div class="actions">
            <button type="button" onClick={close}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <SpecForm
          fields={CASE_CREATE}
          submitLabel="Submit case"
          onCancel={close}
          onSubmit={async (v) => {
            const c = await ok(api.POST("/api/v1/cases", { body: asInput<S["CaseCreate"]>(toBody(CASE_CREATE, v)), headers: idempotent() }));
            setDone(c);
          }}
        />
      )}
    </Dialog>
  );
}

function useAccountOptions(open: boolean): [string, string][] {
  const a = useAsync(
    async () => (open ? (await ok(api.GET("/api/v1/accounts", { params: { query: { page_size: 500, order_by: "name" } } }))).items : []),
    [open],
  );
  return (a.data ?? []).map((x) => [x.id, x.name]);
}

export function CreateContactDialog({ open, onClose, accountId, initial }: { open: boolean; onClose: () => void; accountId?: string; initial?: Values }) {
  const accounts = useAccountOptions(open && !accountId);
  const fields: FieldSpec[] = accountId ? CONTACT_FIELDS : [{ name: "account_id", label: "Account", type: "select", options: [["", "Choose an account"], ...accounts], required: true }, ...CONTACT_FIELDS];
  return (
    <Dialog open={open} title={initial ? "Clone contact" : "New contact"} onClose={onClose}>
      {(accountId || accounts.length > 0) && (
        <SpecForm
          fields={fields}
          initial={initial}
          submitLabel="Save contact"
          onCancel={onClose}
          onSubmit={async (v) => {
            const body = toBody(fields, v);
            if (accountId) body.account_id = accountId;
            const c = await ok(api.POST("/api/v1/contacts", { body: asInput<S["ContactCreate"]>(body), headers: idempotent() }));
            onClose();
            navigate(`/contacts/${c.id}`);
          }}
        />
      )}
    </Dialog>
  );
}

export function CreateProjectDialog({ open, onClose, accountId }: { open: boolean; onClose: () => void; accountId?: string }) {
  const accounts = useAccountOptions(open && !accountId);
  const fields: FieldSpec[] = [
    { name: "name", label: "Project name", required: true },
    ...(accountId ? [] : [{ name: "account_id", label: "Account", type: "select", options: [["", "Choose an account"], ...accounts], required: true } as FieldSpec]),
    { name: "record_type", label: "Record type", type: "select", options: RECORD_TYPES },
    { name: "close_date", label: "Close date", type: "date", required: true },
    { name: "total_users", label: "Total Users", type: "number" },
    { name: "interested_solutions", label: "Interested Solution", type: "multi", options: SOLUTIONS },
    { name: "currency_code", label: "Currency", hint: "ISO 4217, e.g. EUR" },
  ];
  return (
    <Dialog open={open} title="New project" onClose={onClose}>
      {(accountId || accounts.length > 0) && (
        <SpecForm
          fields={fields}
          initial={{ close_date: isoDay(90), currency_code: "EUR", record_type: "new_business" }}
          submitLabel="Save project"
          onCancel={onClose}
          onSubmit={async (v) => {
            const body = toBody(fields, v);
            if (accountId) body.account_id = accountId;
            const p = await ok(api.POST("/api/v1/projects", { body: asInput<S["ProjectCreate"]>(body), headers: idempotent() }));
            onClose();
            navigate(`/projects/${p.id}`);
          }}
        />
      )}
    </Dialog>
  );
}
