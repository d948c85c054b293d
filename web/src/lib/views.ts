// List views: the projects' live on the server (/api/v1/projects/views);
// the other lists have no views route, so their saved views are kept in
// this browser, per person (built-in views are the portal's own).

import { api, idempotent, input, ok } from "../api/client";
import type { components } from "../api/schema";

type ListViewInput = components["schemas"]["ListViewInput"];

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

/** The projects' saved views (the only list with a views route the portal uses). */
export function serverViews(): ViewStore {
  const at = (view_id: string) => ({ params: { path: { view_id } } });
  return {
    list: async () => (await ok(api.GET("/api/v1/projects/views"))).items,
    create: async (v) => ok(api.POST("/api/v1/projects/views", { body: viewInput(v), headers: idempotent() })),
    update: async (id, v) => ok(api.PATCH("/api/v1/projects/views/{view_id}", { ...at(id), body: viewInput(v) })),
    remove: async (id) => void (await ok(api.DELETE("/api/v1/projects/views/{view_id}", at(id)))),
  };
}

export function localViews(key: string, builtIns: View[], storage: Storage = localStorage): ViewStore {
  const read = (): View[] => {
    try {
      const v = JSON.parse(storage.getItem(key) ?? "[]");
      return Array.isArray(v) ? (v as View[]) : [];
    } catch {
      return [];
    }
  };
  const write = (v: View[]) => storage.setItem(key, JSON.stringify(v));
  return {
    list: async () => [...builtIns, ...read()],
    create: async (v) => {
      if (!v.name.trim()) throw new Error("A view needs a name.");
      const view: View = { ...v, id: crypto.randomUUID(), built_in: false };
      write([...read(), view]);
      return view;
    },
    update: async (id, patch) => {
      const all = read();
      const i = all.findIndex((x) => x.id === id);
      if (i < 0) throw new Error("This view no longer exists.");
      all[i] = { ...all[i], ...patch };
      write(all);
      return all[i];
    },
    remove: async (id) => write(read().filter((x) => x.id !== id)),
  };
}

/** `name : "tel"`: a filter term with its value quoted. */
export function term(field: string, op: string, value: string): string {
  return `${field} ${op} "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function and(...terms: (string | undefined | null | false)[]): string {
  return terms.filter((t): t is string => !!t && t.trim() !== "").join(" AND ");
}
