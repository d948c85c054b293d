// The Kanban board's state: columns with their count, MRR totals per
// currency and loaded cards, each column paged on its own. A drag or a
// "Move to stage…" moves the card at once (optimistic), remembers where it
// came from, and either keeps it (the server's project replaces the card and
// the totals are re-read from the server) or puts it back where it was.

export interface Card {
  id: string;
  stage: string;
  [k: string]: unknown;
}

export interface Column<C extends Card = Card> {
  stage: string;
  count: number;
  mrr_total: Record<string, string>;
  items: C[];
  next_page_token: string;
  loading?: boolean;
}

export interface Pending {
  cardId: string;
  from: string;
  to: string;
  index: number;
}

export interface BoardState<C extends Card = Card> {
  columns: Column<C>[];
  pending: Pending[];
}

export type BoardAction<C extends Card = Card> =
  | { type: "loaded"; columns: Column<C>[] }
  | { type: "loading"; stage: string }
  | { type: "page"; stage: string; items: C[]; next_page_token: string }
  | { type: "move"; cardId: string; to: string }
  | { type: "confirm"; cardId: string; card: C }
  | { type: "revert"; cardId: string }
  | { type: "totals"; columns: Pick<Column, "stage" | "count" | "mrr_total">[] };

export function initialBoard<C extends Card>(): BoardState<C> {
  return { columns: [], pending: [] };
}

export function findCard<C extends Card>(s: BoardState<C>, id: string): { column: Column<C>; index: number } | null {
  for (const column of s.columns) {
    const index = column.items.findIndex((c) => c.id === id);
    if (index >= 0) return { column, index };
  }
  return null;
}

function mapColumn<C extends Card>(s: BoardState<C>, stage: string, f: (c: Column<C>) => Column<C>): Column<C>[] {
  return s.columns.map((c) => (c.stage === stage ? f(c) : c));
}

export function boardReducer<C extends Card>(s: BoardState<C>, a: BoardAction<C>): BoardState<C> {
  switch (a.type) {
    case "loaded":
      return { columns: a.columns.map((c) => ({ ...c, loading: false })), pending: [] };
    case "loading":
      return { ...s, columns: mapColumn(s, a.stage, (c) => ({ ...c, loading: true })) };
    case "page":
      return {
        ...s,
        columns: mapColumn(s, a.stage, (c) => {
          const seen = new Set(c.items.map((i) => i.id));
          return {
            ...c,
            items: [...c.items, ...a.items.filter((i) => !seen.has(i.id))],
            next_page_token: a.next_page_token,
            loading: false,
          };
        }),
      };
    case "move": {
      const at = findCard(s, a.cardId);
      if (!at || at.column.stage === a.to || !s.columns.some((c) => c.stage === a.to)) return s;
      const card = { ...at.column.items[at.index], stage: a.to };
      const pending: Pending = { cardId: a.cardId, from: at.column.stage, to: a.to, index: at.index };
      return {
        pending: [...s.pending.filter((p) => p.cardId !== a.cardId), pending],
        columns: s.columns.map((c) => {
          if (c.stage === at.column.stage)
            return { ...c, count: Math.max(0, c.count - 1), items: c.items.filter((i) => i.id !== a.cardId) };
          if (c.stage === a.to) return { ...c, count: c.count + 1, items: [card, ...c.items] };
          return c;
        }),
      };
    }
    case "confirm": {
      const stage = a.card.stage;
      let columns = s.columns.map((c) => ({ ...c, items: c.items.filter((i) => i.id !== a.cardId || c.stage === stage) }));
      columns = columns.map((c) => {
        if (c.stage !== stage) return c;
        const has = c.items.some((i) => i.id === a.cardId);
        return { ...c, items: has ? c.items.map((i) => (i.id === a.cardId ? a.card : i)) : [a.card, ...c.items] };
      });
      return { columns, pending: s.pending.filter((x) => x.cardId !== a.cardId) };
    }
    case "revert": {
      const p = s.pending.find((x) => x.cardId === a.cardId);
      if (!p) return s;
      const at = findCard(s, a.cardId);
      const card = at ? { ...at.column.items[at.index], stage: p.from } : null;
      return {
        pending: s.pending.filter((x) => x.cardId !== a.cardId),
        columns: s.columns.map((c) => {
          if (c.stage === p.to) return { ...c, count: Math.max(0, c.count - 1), items: c.items.filter((i) => i.id !== a.cardId) };
          if (c.stage === p.from && card) {
            const items = [...c.items];
            items.splice(Math.min(p.index, items.length), 0, card);
            return { ...c, count: c.count + 1, items };
          }
          return c;
        }),
      };
    }
    case "totals":
      return {
        ...s,
        columns: s.columns.map((c) => {
          const t = a.columns.find((x) => x.stage === c.stage);
          return t ? { ...c, count: t.count, mrr_total: t.mrr_total } : c;
        }),
      };
  }
}
