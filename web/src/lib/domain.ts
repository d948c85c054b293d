// Words of the domain (DOMAIN.md): stages, paths, roles, and what each role sees.

import type { Role } from "../api/session";
import type { components } from "../api/schema";

type Schemas = components["schemas"];
/** A stage's word, as the gateway's document lists them: a stage added there fails tsc here until it has a label. */
export type Stage = Schemas["MoveInput"]["stage"];
/** A project's record type (its path through the stages). */
export type RecordType = Exclude<Schemas["ProjectJson"]["record_type"], "">;

export const STAGE_LABELS: Record<Stage, string> = {
  intro_qualification: "Intro / Qualification",
  demo: "Demo",
  project_presentation: "Project Presentation",
  presentation: "Presentation",
  proposal: "Proposal",
  contract_out: "Contract out",
  order_management: "Order Management",
  closed_won: "Closed",
  closed_lost: "Closed lost",
};

const PATH_OF = {
  new_business: ["intro_qualification", "demo", "project_presentation", "proposal", "contract_out", "order_management", "closed_won"],
  existing_customer: ["presentation", "proposal", "contract_out", "order_management", "closed_won"],
} satisfies Record<RecordType, Stage[]>;

/** The stages of each record type's path, in order (looked up by any word: an unknown one has none). */
export const PATHS: Partial<Record<string, string[]>> = PATH_OF;

/** Whether a word is one of the document's record types. */
export function isRecordType(s: string): s is RecordType {
  return Object.hasOwn(PATH_OF, s);
}

/** Whether a word is one of the document's stages. */
export function isStage(s: string): s is Stage {
  return Object.hasOwn(STAGE_LABELS, s);
}

/** Stages the system moves projects into by itself. */
export const AUTOMATIC = new Set<string>(["contract_out", "order_management", "closed_won"] satisfies Stage[]);

/** What leaving a stage needs (the server is the judge; this only tells people in advance). */
export const GATES: Partial<Record<string, { field: string; label: string; met: (p: ProjectLike) => boolean }>> = {
  intro_qualification: { field: "users_of_poc", label: "Users of POC", met: (p: ProjectLike) => p.users_of_poc !== null && p.users_of_poc !== undefined },
  demo: { field: "amount_mrr", label: "Amount MRR or Capex", met: (p: ProjectLike) => !!p.amount_mrr || !!p.capex },
  proposal: { field: "verbal_agreement", label: "Verbal Agreement", met: (p: ProjectLike) => !!p.verbal_agreement },
} satisfies Partial<Record<Stage, unknown>>;

export type ProjectLike = Record<string, unknown>;

export function stageLabel(s: string): string {
  return STAGE_LABELS[s as Stage] ?? s.replace(/_/g, " ");
}

export const ROLE_LABELS: Record<Role, string> = {
  partner_user: "Partner user",
  partner_admin: "Partner admin",
  account_manager: "Account manager",
  support_agent: "Support agent",
  vendor_admin: "Vendor admin",
};

export const PARTNER_ROLES: Role[] = ["partner_user", "partner_admin"];
const SALES: Role[] = ["partner_user", "partner_admin", "account_manager", "vendor_admin"];
const ALL: Role[] = ["partner_user", "partner_admin", "account_manager", "support_agent", "vendor_admin"];

export interface NavItem {
  path: string;
  label: string;
  roles: Role[];
}

export const NAV: NavItem[] = [
  { path: "/", label: "Home", roles: ALL },
  { path: "/leads", label: "Leads", roles: SALES },
  { path: "/accounts", label: "Accounts", roles: SALES },
  { path: "/projects", label: "Projects", roles: SALES },
  { path: "/contacts", label: "Contacts", roles: SALES },
  { path: "/quotes", label: "Quotes", roles: SALES },
  { path: "/orders", label: "Orders", roles: SALES },
  { path: "/tasks", label: "Tasks", roles: ALL },
  { path: "/cases", label: "Cases", roles: ALL },
  { path: "/reports", label: "Reports", roles: ALL },
  { path: "/users", label: "Users", roles: ["partner_admin", "vendor_admin"] },
  { path: "/partners", label: "Partners", roles: ["vendor_admin"] },
  { path: "/news", label: "News", roles: ["vendor_admin"] },
  { path: "/price-book", label: "Price book", roles: ["vendor_admin"] },
  { path: "/lead-pool", label: "Lead pool", roles: ["vendor_admin"] },
  { path: "/bonus-pipeline", label: "Bonus Pipeline", roles: ["account_manager", "vendor_admin"] },
  { path: "/settings", label: "Project settings", roles: ["vendor_admin"] },
];

export function navFor(role: Role): NavItem[] {
  return NAV.filter((n) => n.roles.includes(role));
}

export function canCreate(role: Role): boolean {
  return PARTNER_ROLES.includes(role);
}

/** May this person edit this record? Partners edit their own (admins their company's); vendor staff read. */
export function canEdit(user: { id: string; role: Role; partner_id: string | null }, rec: { owner_id?: string; partner_id?: string }): boolean {
  if (user.role === "partner_admin") return !rec.partner_id || rec.partner_id === user.partner_id;
  if (user.role === "partner_user") return rec.owner_id === user.id;
  return false;
}

export const SOLUTIONS: [string, string][] = [
  ["licenses", "Licenses"],
  ["hwaas", "HWaaS"],
  ["classound", "CLASSOUND"],
];
