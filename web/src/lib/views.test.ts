import { describe, expect, it } from "vitest";
import { viewInput, type View } from "./views";

// The server refuses a saved view's body with any field beyond ListViewInput's.
describe("viewInput", () => {
  it("sends a view's name, filter, order and columns, not its id or built_in", () => {
    const view: View = { id: "0b8f6c1e-1d3a-4c57-9f0e-2a6b7c8d9e0f", name: "Mine", filter: 'stage = "won"', order_by: "name", columns: ["name", "stage"], built_in: false };
    expect(JSON.parse(JSON.stringify(viewInput(view)))).toEqual({ name: "Mine", filter: 'stage = "won"', order_by: "name", columns: ["name", "stage"] });
  });

  it("a rename sends the name only", () => {
    expect(JSON.stringify(viewInput({ name: "Renamed" }))).toBe('{"name":"Renamed"}');
  });
});
