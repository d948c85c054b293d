// Words of the domain (DOMAIN.md): stages, paths, roles, and what each role sees.

import type { Role } from "../api/session";

export const STAGE_LABELS: Record<string, string> = {
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

export const PATHS: Record<string, string[]> = {
  new_business: ["intro_qualification", "demo", "project_presentation", "proposal", "contract_out", "order_management", "closed_won"],
  existing_customer: ["presentation", "proposal", "contract_out", "order_management", "closed_won"],
};

/** Stages the system moves projects into by itself. */
export const AUTOMATIC = new Set(["contract_out", "order_management", "closed_won"]);

/** What leaving a stage needs (the server is the judge; this only tells people in advance). */
export const GATES: Record<string, { field: string; label: string; met: (p: ProjectLike) => boolean }> = {
  intro_qualification: { field: "users_of_poc", label: "Users of POC", met: (p) => p.users_of_poc !== null && p.users_of_poc !== undefined },
  demo: { field: "amount_mrr", label: "Amount MRR or Capex", met: (p) => !!p.amount_mrr || !!p.capex },
  proposal: { field: "verbal_agreement", label: "Verbal Agreement", met: (p) => !!p.verbal_agreement },
};

export type ProjectLike = Record<string, unknown>;

export function stageLabel(s: string): string {
  return STAGE_LABELS[s] ?? s.replace(/_/g, " ");
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
