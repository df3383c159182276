import { describe, expect, it } from "vitest";
import { catalog } from "../nodes";
import { validateWorkflow } from "../workflow/validate";
import { checkConnection, documentFromFlow, flowFromDocument, pruneEdges, type FlowNode } from "./model";

const seedDoc = {
  blocks: [
    { id: "provider_poly", category: "providers", type: "polymarket", properties: { profile_id: "prod_1", enabled_endpoints: ["price_feed"] }, outputs: [{ name: "price_feed" }], position: { x: 0, y: 0 } },
    { id: "threshold_1", category: "conditions", type: "threshold", properties: { min: 0.5 }, inputs: [{ name: "value" }, { name: "min" }], outputs: [{ name: "pass" }], position: { x: 300, y: 0 }, note: "kept" },
    { id: "buy", category: "actions", type: "buy", name: "Buy YES", properties: { amount: 10 }, position: { x: 600, y: 0 } },
  ],
  connections: [
    { from: { blockId: "provider_poly", index: 0 }, to: { blockId: "threshold_1", index: 0 } },
    { from: { blockId: "threshold_1", index: 0 }, to: { blockId: "buy", index: 0 } },
  ],
};

describe("document <-> canvas", () => {
  it("round-trips the seed's document exactly, declared ports and extra fields included", () => {
    const flow = flowFromDocument(catalog, seedDoc);
    expect(flow.edges.map((e) => `${e.sourceHandle}->${e.targetHandle}`)).toEqual(["out:price_feed->in:value", "out:pass->in:signal"]);
    expect(documentFromFlow(catalog, flow.nodes, flow.edges)).toEqual(seedDoc);
  });

  it("places blocks without a position on a grid", () => {
    const flow = flowFromDocument(catalog, { blocks: [{ id: "a", category: "values", type: "constant" }, { id: "b", category: "values", type: "constant" }], connections: [] });
    expect(flow.nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 280, y: 0 },
    ]);
  });

  it("keeps wires on the same ports by name when a provider's endpoints change, and drops those whose port went away", () => {
    const doc = {
      blocks: [
        { id: "p", category: "providers", type: "binance", properties: { enabled_endpoints: ["price_feed", "balance"] } },
        { id: "a", category: "values", type: "math" },
      ],
      connections: [
        { from: { blockId: "p", index: 0 }, to: { blockId: "a", index: 0 } },
        { from: { blockId: "p", index: 1 }, to: { blockId: "a", index: 1 } },
      ],
    };
    const flow = flowFromDocument(catalog, doc);
    // balance switched off, candles on: price_feed stays index 0, the balance wire goes.
    const nodes = flow.nodes.map((n) => (n.id === "p" ? { ...n, data: { ...n.data, properties: { enabled_endpoints: ["candles", "price_feed"] } } } : n));
    const edges = pruneEdges(catalog, nodes, flow.edges);
    expect(edges.map((e) => e.sourceHandle)).toEqual(["out:price_feed"]);
    const out = documentFromFlow(catalog, nodes, edges);
    expect(out.connections).toEqual([{ from: { blockId: "p", index: 0 }, to: { blockId: "a", index: 0 } }]);
    expect(validateWorkflow(out, catalog).ok).toBe(true);
  });
});

describe("checkConnection", () => {
  const node = (id: string, category: string, type: string, properties: Record<string, unknown> = {}): FlowNode => ({ id, type: "block", position: { x: 0, y: 0 }, data: { category, type, properties } });
  const nodes = [node("p", "providers", "polymarket", { enabled_endpoints: ["price_feed"] }), node("t", "conditions", "threshold"), node("b", "actions", "buy"), node("m", "values", "math")];
  const edges = [{ id: "e1", source: "p", sourceHandle: "out:price_feed", target: "t", targetHandle: "in:value" }];

  it("accepts compatible ports", () => {
    expect(checkConnection(catalog, nodes, edges, { source: "t", sourceHandle: "out:pass", target: "b", targetHandle: "in:signal" })).toEqual({ ok: true });
  });

  it("refuses a type mismatch with the reason", () => {
    expect(checkConnection(catalog, nodes, edges, { source: "p", sourceHandle: "out:price_feed", target: "b", targetHandle: "in:signal" })).toEqual({
      ok: false,
      reason: "Polymarket.price_feed is number, but Buy.signal takes boolean",
    });
  });

  it("refuses a wire that would close a cycle, naming its nodes", () => {
    const ns = [node("x", "values", "math"), node("y", "values", "math"), node("z", "values", "math")];
    const es = [
      { id: "1", source: "x", sourceHandle: "out:result", target: "y", targetHandle: "in:a" },
      { id: "2", source: "y", sourceHandle: "out:result", target: "z", targetHandle: "in:a" },
    ];
    expect(checkConnection(catalog, ns, es, { source: "z", sourceHandle: "out:result", target: "x", targetHandle: "in:b" })).toEqual({
      ok: false,
      reason: "That would close a cycle: Math → Math → Math → Math",
    });
    expect(checkConnection(catalog, ns, es, { source: "x", sourceHandle: "out:result", target: "x", targetHandle: "in:b" })).toMatchObject({ ok: false });
  });

  it("replaces the wire already on an input: an input takes one connection", () => {
    expect(checkConnection(catalog, nodes, edges, { source: "m", sourceHandle: "out:result", target: "t", targetHandle: "in:value" })).toEqual({ ok: true, replaces: "e1" });
  });

  it("refuses ports that do not exist", () => {
    expect(checkConnection(catalog, nodes, edges, { source: "p", sourceHandle: "out:balance", target: "m", targetHandle: "in:a" })).toMatchObject({ ok: false });
  });
});
