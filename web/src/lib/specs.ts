// The fields of each record kind as the forms and record pages show them.

import type { FieldSpec } from "../components/Form";
import { SOLUTIONS, type RecordType } from "./domain";

const address = (prefix: string, label: string): FieldSpec[] => [
  { name: `${prefix}.street`, label: `${label}: street` },
  { name: `${prefix}.city`, label: `${label}: city` },
  { name: `${prefix}.postal_code`, label: `${label}: postal code` },
  { name: `${prefix}.region`, label: `${label}: region` },
  { name: `${prefix}.country`, label: `${label}: country`, hint: "Two-letter code, e.g. DE" },
];

export const LEAD_SOURCES: [string, string][] = [
  ["web", "Web"],
  ["referral", "Referral"],
  ["event", "Event"],
  ["other", "Other"],
];

export const LEAD_STATUSES: [string, string][] = [
  ["new", "New"],
  ["working", "Working"],
  ["nurturing", "Nurturing"],
  ["qualified", "Qualified"],
  ["unqualified", "Unqualified"],
];

export const ACCOUNT_TYPES: [string, string][] = [
  ["prospect", "Prospect"],
  ["customer", "Customer"],
  ["former_customer", "Former customer"],
];

export const LEAD_CREATE: FieldSpec[] = [
  { name: "company", label: "Company", required: true },
  { name: "first_name", label: "First name" },
  { name: "last_name", label: "Last name", required: true },
  { name: "title", label: "Title" },
  { name: "email", label: "E-mail", type: "email" },
  { name: "phone", label: "Phone", type: "tel" },
  { name: "address.city", label: "City" },
  { name: "address.country", label: "Country", hint: "Two-letter code, e.g. DE" },
  { name: "source", label: "Source", type: "select", options: LEAD_SOURCES },
  { name: "estimated_users", label: "Estimated users", type: "number" },
  { name: "interested_solutions", label: "Interested solutions", type: "multi", options: SOLUTIONS },
  { name: "description", label: "Description", type: "textarea" },
];

export const LEAD_DETAIL: FieldSpec[] = [
  { name: "company", label: "Company" },
  { name: "first_name", label: "First name" },
  { name: "last_name", label: "Last name" },
  { name: "title", label: "Title" },
  { name: "email", label: "E-mail", type: "email" },
  { name: "phone", label: "Phone", type: "tel" },
  { name: "status", label: "Status", type: "select", options: LEAD_STATUSES },
  { name: "source", label: "Source", type: "select", options: [...LEAD_SOURCES, ["vendor_distributed", "Vendor distributed"]] },
  { name: "estimated_users", label: "Estimated users", type: "number" },
  { name: "interested_solutions", label: "Interested solutions", type: "multi", options: SOLUTIONS },
  { name: "description", label: "Description", type: "textarea" },
  ...address("address", "Address"),
];

export const ACCOUNT_CREATE: FieldSpec[] = [
  { name: "name", label: "Account name", required: true },
  { name: "type", label: "Type", type: "select", options: ACCOUNT_TYPES },
  { name: "industry", label: "Industry" },
  { name: "website", label: "Website", type: "url" },
  { name: "phone", label: "Phone", type: "tel" },
  { name: "vat_number", label: "VAT number" },
  { name: "billing_address.city", label: "Billing city" },
  { name: "billing_address.country", label: "Billing country", hint: "Two-letter code, e.g. DE" },
];

export const ACCOUNT_DETAIL: FieldSpec[] = [
  { name: "name", label: "Account name" },
  { name: "type", label: "Type", type: "select", options: ACCOUNT_TYPES },
  { name: "industry", label: "Industry" },
  { name: "website", label: "Website", type: "url" },
  { name: "phone", label: "Phone", type: "tel" },
  { name: "vat_number", label: "VAT number" },
  ...address("billing_address", "Billing address"),
  ...address("shipping_address", "Shipping address"),
];

export const CONTACT_FIELDS: FieldSpec[] = [
  { name: "first_name", label: "First name" },
  { name: "last_name", label: "Last name", required: true },
  { name: "title", label: "Title" },
  { name: "email", label: "E-mail", type: "email" },
  { name: "phone", label: "Phone", type: "tel" },
  ...address("mailing_address", "Mailing address"),
];

export const CASE_CREATE: FieldSpec[] = [
  { name: "subject", label: "Subject", required: true },
  {
    name: "product",
    label: "Product",
    type: "select",
    options: [
      ["classound", "CLASSOUND"],
      ["licenses", "Licenses"],
      ["hwaas", "HWaaS"],
      ["hardware", "Hardware"],
      ["other", "Other"],
    ],
  },
  {
    name: "priority",
    label: "Priority",
    type: "select",
    options: [
      ["medium", "Medium"],
      ["low", "Low"],
      ["high", "High"],
      ["urgent", "Urgent"],
    ],
  },
  { name: "description", label: "Description", type: "textarea", required: true },
];

export const RECORD_TYPES: [RecordType, string][] = [
  ["new_business", "New business"],
  ["existing_customer", "Existing customer"],
];

export const PROJECT_DETAIL: FieldSpec[] = [
  { name: "name", label: "Project name" },
  { name: "close_date", label: "Close date", type: "date" },
  { name: "probability", label: "Probability (%)", type: "number" },
  { name: "total_users", label: "Total Users", type: "number" },
  { name: "users_of_poc", label: "Users of POC", type: "number" },
  { name: "interested_solutions", label: "Interested Solution", type: "multi", options: SOLUTIONS },
  { name: "amount_mrr", label: "Amount MRR", type: "decimal" },
  { name: "capex", label: "Capex", type: "decimal" },
  { name: "verbal_agreement", label: "Verbal Agreement", type: "checkbox" },
  { name: "next_step", label: "Next step" },
  { name: "description", label: "Description", type: "textarea" },
];
