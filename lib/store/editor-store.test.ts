import { describe, expect, it } from "vitest";
import { catalog } from "../nodes";
import { validateWorkflow } from "../workflow/validate";
import { createEditorStore } from "./editor-store";

function strategy() {
  const store = createEditorStore(catalog);
  const s = store.getState();
  const p = s.addBlock("providers", "polymarket", { x: 0, y: 0 })!;
  const t = s.addBlock("conditions", "threshold", { x: 300, y: 0 })!;
  const b = s.addBlock("actions", "buy", { x: 600, y: 0 })!;
  expect(store.getState().connect({ source: p, sourceHandle: "out:price_feed", target: t, targetHandle: "in:value" })).toBe(true);
  expect(store.getState().connect({ source: t, sourceHandle: "out:pass", target: b, targetHandle: "in:signal" })).toBe(true);
  return { store, p, t, b };
}

const select = (store: ReturnType<typeof createEditorStore>, ids: string[]) =>
  store.setState({ nodes: store.getState().nodes.map((n) => ({ ...n, selected: ids.includes(n.id) })) });

describe("editor store", () => {
  it("builds the seed's strategy, which the server's validator accepts", () => {
    const { store } = strategy();
    const doc = store.getState().toDocument();
    expect(doc.blocks.map((b) => b.id)).toEqual(["polymarket_1", "threshold_1", "buy_1"]);
    expect(doc.connections).toEqual([
      { from: { blockId: "polymarket_1", index: 0 }, to: { blockId: "threshold_1", index: 0 } },
      { from: { blockId: "threshold_1", index: 0 }, to: { blockId: "buy_1", index: 0 } },
    ]);
    expect(validateWorkflow(doc, catalog).ok).toBe(true);
    expect(store.getState().dirty).toBe(true);
  });

  it("refuses an incompatible connection and says why", () => {
    const { store, p, b } = strategy();
    expect(store.getState().connect({ source: p, sourceHandle: "out:price_feed", target: b, targetHandle: "in:signal" })).toBe(false);
    expect(store.getState().notice).toMatchObject({ kind: "error", text: "Polymarket.price_feed is number, but Buy.signal takes boolean" });
    expect(store.getState().edges).toHaveLength(2);
  });

  it("undoes and redoes every change, in order", () => {
    const { store, t } = strategy();
    store.getState().updateBlock(t, { properties: { min: 0.5 } });
    expect(store.getState().nodes[1]!.data.properties.min).toBe(0.5);
    store.getState().undo();
    expect(store.getState().nodes[1]!.data.properties.min).toBeNull();
    store.getState().undo(); // second wire
    expect(store.getState().edges).toHaveLength(1);
    store.getState().undo(); // first wire
    store.getState().undo(); // buy
    expect(store.getState().nodes.map((n) => n.id)).toEqual(["polymarket_1", "threshold_1"]);
    store.getState().redo();
    store.getState().redo();
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().nodes[1]!.data.properties.min).toBe(0.5);
    expect(store.getState().edges).toHaveLength(2);
    store.getState().redo(); // nothing left
    expect(store.getState().future).toHaveLength(0);
  });

  it("a new change after undo clears the redo stack", () => {
    const { store } = strategy();
    store.getState().undo();
    store.getState().addBlock("values", "constant", { x: 0, y: 0 });
    expect(store.getState().future).toHaveLength(0);
  });

  it("copies and pastes a selection with its inner connections, under fresh ids", () => {
    const { store, t, b } = strategy();
    select(store, [t, b]);
    expect(store.getState().copy()).toBe(2);
    expect(store.getState().paste({ x: 0, y: 200 })).toBe(2);
    const s = store.getState();
    expect(s.nodes.map((n) => n.id)).toEqual(["polymarket_1", "threshold_1", "buy_1", "threshold_2", "buy_2"]);
    expect(s.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["threshold_2", "buy_2"]);
    expect(s.nodes[3]!.position).toEqual({ x: 300, y: 200 });
    // The wire between the copied nodes comes along; the one from outside (provider -> threshold) does not.
    expect(s.edges.map((e) => `${e.source}->${e.target}`)).toEqual(["polymarket_1->threshold_1", "threshold_1->buy_1", "threshold_2->buy_2"]);
    expect(validateWorkflow(s.toDocument(), catalog).ok).toBe(true);
    // Pasted data is a copy: editing it leaves the original alone.
    store.getState().updateBlock("threshold_2", { properties: { min: 0.9 } });
    expect(store.getState().nodes[1]!.data.properties.min).toBeNull();
  });

  it("duplicates a selection, and deletes a selection with its wires", () => {
    const { store, p } = strategy();
    select(store, [p]);
    expect(store.getState().duplicate()).toBe(1);
    expect(store.getState().nodes.map((n) => n.id)).toContain("polymarket_2");
    select(store, ["threshold_1"]);
    store.getState().deleteSelection();
    expect(store.getState().nodes.map((n) => n.id)).toEqual(["polymarket_1", "buy_1", "polymarket_2"]);
    expect(store.getState().edges).toEqual([]);
    store.getState().undo();
    expect(store.getState().edges).toHaveLength(2);
  });

  it("drops wires from a provider output that was switched off", () => {
    const { store, p } = strategy();
    store.getState().updateBlock(p, { properties: { enabled_endpoints: ["balance"] } });
    expect(store.getState().edges.map((e) => e.source)).toEqual(["threshold_1"]);
  });

  it("auto-layout arranges the graph left to right in dependency order", () => {
    const store = createEditorStore(catalog);
    const s = store.getState();
    const b = s.addBlock("actions", "buy", { x: 0, y: 500 })!;
    const t = s.addBlock("conditions", "threshold", { x: 0, y: 250 })!;
    const p = s.addBlock("providers", "polymarket", { x: 0, y: 0 })!;
    store.getState().connect({ source: p, sourceHandle: "out:price_feed", target: t, targetHandle: "in:value" });
    store.getState().connect({ source: t, sourceHandle: "out:pass", target: b, targetHandle: "in:signal" });
    store.getState().autoLayout();
    const x = Object.fromEntries(store.getState().nodes.map((n) => [n.id, n.position.x]));
    expect(x[p]!).toBeLessThan(x[t]!);
    expect(x[t]!).toBeLessThan(x[b]!);
    store.getState().undo();
    expect(store.getState().nodes.every((n) => n.position.x === 0)).toBe(true);
  });

  it("loading a document resets history and the unsaved marker; markSaved clears it", () => {
    const { store } = strategy();
    const doc = store.getState().toDocument();
    store.getState().load({ workflowId: "w1", name: "Saved one", description: "", version: 3, document: doc });
    expect(store.getState()).toMatchObject({ dirty: false, past: [], workflowId: "w1", version: 3 });
    store.getState().setMeta({ name: "Renamed" });
    expect(store.getState().dirty).toBe(true);
    store.getState().markSaved({ workflowId: "w1", name: "Renamed", description: "", version: 4 });
    expect(store.getState().dirty).toBe(false);
  });

  it("keeps the identity of untouched nodes when one changes", () => {
    const { store, t } = strategy();
    const before = store.getState().nodes;
    store.getState().updateBlock(t, { name: "Above 0.5" });
    const after = store.getState().nodes;
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(after[1]).not.toBe(before[1]);
  });

  it("each store is its own: two editors do not share state", () => {
    const a = createEditorStore(catalog);
    const b = createEditorStore(catalog);
    a.getState().addBlock("values", "constant", { x: 0, y: 0 });
    expect(b.getState().nodes).toHaveLength(0);
  });
});
