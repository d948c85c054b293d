// List views, kept on the server by the collection's own service
// (/api/v1/{collection}/views): the built-in views of the collection, then
// the person's saved ones, wherever they sign in.

import { api, idempotent, input, ok } from "../api/client";
import type { components } from "../api/schema";

type ListViewInput = components["schemas"]["ListViewInput"];
type ListViewCreate = components["schemas"]["ListViewCreate"];

export interface View {
  id: string;
  name: string;
  filter: string;
  order_by: string;
  columns: string[];
  built_in: boolean;
}

export interface ViewStore {
  list(): Promise<View[]>;
  create(v: Omit<View, "id" | "built_in">): Promise<View>;
  update(id: string, v: Partial<Omit<View, "id" | "built_in">>): Promise<View>;
  remove(id: string): Promise<void>;
}

/**
 * What a save or a rename sends: the fields of ListViewInput and nothing
 * else (the server refuses unknown fields, e.g. a view's `id` or `built_in`,
 * with 400). A field left out (undefined) is not sent: a rename sends the
 * name only, and the server keeps the rest.
 */
export function viewInput(v: Partial<Omit<View, "id" | "built_in">>): ListViewInput {
  const { name, filter, order_by, columns } = v;
  return input<"ListViewInput">({ name, filter, order_by, columns });
}

/** What a new view sends: as a save, with the name it cannot go without. */
export function viewCreate(v: Omit<View, "id" | "built_in">): ListViewCreate {
  return { ...viewInput(v), name: v.name };
}

/** The collections whose saved views the server keeps. */
export type ViewCollection = "leads" | "accounts" | "contacts" | "projects" | "tasks";

/** The saved and built-in views of one collection. */
export function serverViews(collection: ViewCollection): ViewStore {
  const base = `/api/v1/${collection}/views` as const;
  const one = `/api/v1/${collection}/views/{view_id}` as const;
  const at = (view_id: string) => ({ params: { path: { view_id } } });
  return {
    list: async () => (await ok(api.GET(base))).items,
    create: async (v) => ok(api.POST(base, { body: viewCreate(v), headers: idempotent() })),
    update: async (id, v) => ok(api.PATCH(one, { ...at(id), body: viewInput(v) })),
    remove: async (id) => void (await ok(api.DELETE(one, at(id)))),
  };
}

/** `name : "tel"`: a filter term with its value quoted. */
export function term(field: string, op: string, value: string): string {
  return `${field} ${op} "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function and(...terms: (string | undefined | null | false)[]): string {
  return terms.filter((t): t is string => !!t && t.trim() !== "").join(" AND ");
}
