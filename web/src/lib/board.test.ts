import { describe, expect, it } from "vitest";
import { boardReducer, initialBoard, type BoardState, type Card } from "./board";

const card = (id: string, stage: string): Card => ({ id, stage });
function board(): BoardState {
  return boardReducer(initialBoard(), {
    type: "loaded",
    columns: [
      { stage: "intro_qualification", count: 3, mrr_total: { EUR: "10.00" }, items: [card("a", "intro_qualification"), card("b", "intro_qualification")], next_page_token: "t1" },
      { stage: "demo", count: 1, mrr_total: { EUR: "5.00" }, items: [card("c", "demo")], next_page_token: "" },
    ],
  });
}

describe("board state", () => {
  it("moves a card at once and counts it", () => {
    const s = boardReducer(board(), { type: "move", cardId: "b", to: "demo" });
    expect(s.columns[0].items.map((c) => c.id)).toEqual(["a"]);
    expect(s.columns[0].count).toBe(2);
    expect(s.columns[1].items.map((c) => c.id)).toEqual(["b", "c"]);
    expect(s.columns[1].count).toBe(2);
    expect(s.pending).toHaveLength(1);
  });
  it("puts a refused card back where it was", () => {
    const moved = boardReducer(board(), { type: "move", cardId: "a", to: "demo" });
    const back = boardReducer(moved, { type: "revert", cardId: "a" });
    expect(back.columns[0].items.map((c) => c.id)).toEqual(["a", "b"]);
    expect(back.columns[0].count).toBe(3);
    expect(back.columns[1].count).toBe(1);
    expect(back.pending).toHaveLength(0);
  });
  it("keeps a confirmed card with the server's copy and takes the server's totals", () => {
    const moved = boardReducer(board(), { type: "move", cardId: "a", to: "demo" });
    const ok = boardReducer(moved, { type: "confirm", cardId: "a", card: { id: "a", stage: "demo", name: "new" } });
    expect(ok.columns[1].items[0]).toMatchObject({ id: "a", name: "new" });
    const t = boardReducer(ok, { type: "totals", columns: [{ stage: "demo", count: 2, mrr_total: { EUR: "9.00" } }] });
    expect(t.columns[1].mrr_total).toEqual({ EUR: "9.00" });
    expect(t.columns[1].count).toBe(2);
  });
  it("appends a column's next page without duplicates", () => {
    const s = boardReducer(board(), { type: "page", stage: "intro_qualification", items: [card("b", "intro_qualification"), card("d", "intro_qualification")], next_page_token: "" });
    expect(s.columns[0].items.map((c) => c.id)).toEqual(["a", "b", "d"]);
    expect(s.columns[0].next_page_token).toBe("");
  });
  it("ignores a move to the same or an unknown column", () => {
    const b = board();
    expect(boardReducer(b, { type: "move", cardId: "a", to: "intro_qualification" })).toBe(b);
    expect(boardReducer(b, { type: "move", cardId: "a", to: "nowhere" })).toBe(b);
  });
});
