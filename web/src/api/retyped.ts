// Types of the routes the generated `paths` gets wrong. openapi-typescript
// keys `operations` by operationId, and the gateway's document gives every
// collection's handlers the same ids (`list`, `read`, `create`, `update`,
// `custom`, `search`); TypeScript keeps the first declaration of each, the
// accounts' (or the cases' search), so e.g. `GET /api/v1/contacts` would be
// typed as answering accounts. This table names, for each such route the
// portal calls, the document's own schemas; retyped.test.ts checks it against
// openapi.json, so a REST change still fails a check. Once the document has
// unique operation ids, the table can go.
//
// Only types leave this module (client.ts imports `Paths` as a type), so the
// table is not in the bundle.

import type { components, paths } from "./schema";

const LIST = { page_size: "integer", page_token: "string", filter: "string", order_by: "string" } as const;
const LIST_VIEW = { ...LIST, view: "string" } as const;

export const RETYPED = {
  "/api/v1/leads": {
    get: { query: LIST, answer: "Page_LeadJson" },
    post: { body: "LeadInput", status: 201, answer: "CreatedLeadJson" },
  },
  "/api/v1/leads/{id}": {
    get: { answer: "LeadJson" },
    patch: { body: "LeadInput", answer: "LeadJson" },
  },
  "/api/v1/leads/{id}:convert": { post: { body: "ConvertInput", answer: "LeadJson" } },
  "/api/v1/leads:search": { get: { query: { query: "string", page_size: "integer" }, answer: "Page_LeadHitJson" } },
  "/api/v1/contacts": {
    get: { query: LIST, answer: "Page_ContactJson" },
    post: { body: "ContactInput", status: 201, answer: "ContactJson" },
  },
  "/api/v1/contacts/{id}": {
    get: { answer: "ContactJson" },
    patch: { body: "ContactInput", answer: "ContactJson" },
  },
  "/api/v1/contacts/{id}:changeOwner": { post: { body: "ChangeOwnerInput", answer: "ContactJson" } },
  "/api/v1/projects": {
    get: { query: LIST_VIEW, answer: "Page_ProjectJson" },
    post: { body: "ProjectInput", status: 201, answer: "ProjectJson" },
  },
  "/api/v1/projects/{id}": {
    get: { answer: "ProjectJson" },
    patch: { body: "ProjectInput", answer: "ProjectJson" },
  },
  "/api/v1/projects/{id}:move": { post: { body: "MoveInput", answer: "ProjectJson" } },
  "/api/v1/quotes": { get: { query: LIST, answer: "Page_QuoteJson" } },
  "/api/v1/quotes/{id}": { get: { answer: "QuoteJson" } },
  "/api/v1/orders": { get: { query: LIST, answer: "Page_OrderJson" } },
  "/api/v1/orders/{id}": { get: { answer: "OrderJson" } },
  "/api/v1/cases": {
    get: { query: LIST, answer: "Page_CaseJson" },
    post: { body: "CaseInput", status: 201, answer: "CaseJson" },
  },
  "/api/v1/cases/{id}": { get: { answer: "CaseJson" } },
  "/api/v1/tasks": {
    get: { query: LIST_VIEW, answer: "Page_TaskJson" },
    post: { body: "TaskInput", status: 201, answer: "TaskJson" },
  },
  "/api/v1/tasks/{id}": { get: { answer: "TaskJson" } },
  "/api/v1/reports": { get: { query: { page_size: "integer", page_token: "string", source: "string" }, answer: "Page_ReportJson" } },
  "/api/v1/reports/{id}": { get: { answer: "ReportJson" } },
  "/api/v1/search": { get: { query: { q: "string", types: "string", page_size: "integer" }, answer: "SearchJson" } },
} as const;

type S = components["schemas"];
type Scalar = { integer: number; string: string; boolean: boolean };
type Json<T> = { headers: { [name: string]: unknown }; content: { "application/json": T } };
type ProblemAnswer = { headers: { [name: string]: unknown }; content: { "application/problem+json": S["Problem"] } };

type Names<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | Names<Rest> : never;
type PathOf<P extends string> = [Names<P>] extends [never] ? { path?: never } : { path: { [K in Names<P>]: string } };
type QueryOf<E> = E extends { query: infer Q } ? { query?: { [K in keyof Q]?: Scalar[Q[K] & keyof Scalar] } } : { query?: never };
type BodyOf<E> = E extends { body: infer B extends keyof S } ? { requestBody: { content: { "application/json": S[B] } } } : { requestBody?: never };
type StatusOf<E> = E extends { status: infer N extends number } ? N : 200;
type AnswerOf<E> = E extends { answer: infer A extends keyof S } ? S[A] : never;

/** One operation as openapi-typescript would have written it. */
type Op<P extends string, E> = {
  parameters: QueryOf<E> & PathOf<P> & { header?: never; cookie?: never };
  responses: { [C in StatusOf<E>]: Json<AnswerOf<E>> } & { default: ProblemAnswer };
} & BodyOf<E>;

type Table = typeof RETYPED;

/** `paths` with the table's operations typed from their own schemas. */
export type Paths = Omit<paths, keyof Table> & {
  [P in keyof Table & keyof paths]: Omit<paths[P], keyof Table[P]> & { [M in keyof Table[P]]: Op<P & string, Table[P][M]> };
};

type Assert<T extends true> = T;
/** Compile-time: every route of the table is in the document (tsc fails here when one is gone). */
export type RoutesExist = Assert<[Exclude<keyof Table, keyof paths>] extends [never] ? true : false>;
