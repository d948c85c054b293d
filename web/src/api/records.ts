// One typed read of a record per collection, by the collection's path word:
// the record pages, the plain lists and the names of linked records share it.

import { api, ok } from "./client";

const at = (id: string) => ({ params: { path: { id } } });

export const READ = {
  leads: (id: string) => ok(api.GET("/api/v1/leads/{id}", at(id))),
  accounts: (id: string) => ok(api.GET("/api/v1/accounts/{id}", at(id))),
  contacts: (id: string) => ok(api.GET("/api/v1/contacts/{id}", at(id))),
  projects: (id: string) => ok(api.GET("/api/v1/projects/{id}", at(id))),
  quotes: (id: string) => ok(api.GET("/api/v1/quotes/{id}", at(id))),
  orders: (id: string) => ok(api.GET("/api/v1/orders/{id}", at(id))),
  tasks: (id: string) => ok(api.GET("/api/v1/tasks/{id}", at(id))),
  cases: (id: string) => ok(api.GET("/api/v1/cases/{id}", at(id))),
  reports: (id: string) => ok(api.GET("/api/v1/reports/{id}", at(id))),
  users: (id: string) => ok(api.GET("/api/v1/users/{id}", at(id))),
  partners: (id: string) => ok(api.GET("/api/v1/partners/{id}", at(id))),
};

/** A collection the portal reads records of. */
export type Kind = keyof typeof READ;

/** Whether a path word names a collection the portal reads records of. */
export const isKind = (k: string): k is Kind => k in READ;
