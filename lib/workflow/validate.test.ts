import { describe, expect, it } from "vitest";
import { catalog } from "../nodes";
import { validateWorkflow, type Problem } from "./validate";

const seedExample = {
  blocks: [
    {
      id: "provider_poly",
      category: "providers",
      type: "polymarket",
      properties: { profile_id: "prod_1", enabled_endpoints: ["price_feed"] },
      outputs: [{ name: "price_feed" }],
    },
    { id: "threshold_1", category: "conditions", type: "threshold", inputs: [{ name: "value" }, { name: "min" }], outputs: [{ name: "pass" }] },
  ],
  connections: [{ from: { blockId: "provider_poly", index: 0 }, to: { blockId: "threshold_1", index: 0 } }],
};

const block = (id: string, category: string, type: string, extra: Record<string, unknown> = {}) => ({ id, category, type, ...extra });
const link = (from: string, fi: number, to: string, ti: number) => ({ from: { blockId: from, index: fi }, to: { blockId: to, index: ti } });

function problems(doc: unknown): Problem[] {
  const r = validateWorkflow(doc, catalog);
  if (r.ok) throw new Error("expected the workflow to be rejected");
  return r.problems;
}

describe("validateWorkflow", () => {
  it("accepts the seed's request example and resolves its declared ports", () => {
    const r = validateWorkflow(seedExample, catalog);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [provider, threshold] = r.workflow.blocks;
    expect(provider!.outputs.map((p) => p.name)).toEqual(["price_feed"]);
    expect(threshold!.inputs.map((p) => p.name)).toEqual(["value", "min"]);
    expect(r.workflow.inputSources[1]![0]).toEqual({ block: 0, port: "price_feed" });
    expect(r.workflow.order).toEqual([0, 1]);
  });

  it("gives blocks without inputs/outputs the catalog's ports, in the catalog's order", () => {
    const r = validateWorkflow(
      {
        blocks: [
          block("p", "providers", "binance", { properties: { enabled_endpoints: ["candles", "price_feed", "orderbook", "balance"] } }),
          block("c", "conditions", "compare"),
          block("b", "actions", "buy"),
        ],
        connections: [],
      },
      catalog,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.workflow.blocks[0]!.outputs.map((p) => p.name)).toEqual(["price_feed", "balance", "orderbook", "candles"]);
    expect(r.workflow.blocks[1]!.inputs.map((p) => p.name)).toEqual(["value1", "operator", "value2"]);
    expect(r.workflow.blocks[2]!.inputs.slice(0, 2).map((p) => p.name)).toEqual(["signal", "amount"]);
    expect(r.workflow.blocks[2]!.outputs.map((p) => p.name)).toEqual(["order"]);
  });

  it("keeps canvas positions and unknown extras on the document", () => {
    const doc = { blocks: [block("k", "values", "constant", { position: { x: 12.5, y: -40 }, ui: { color: "red" } })], connections: [] };
    const r = validateWorkflow(doc, catalog);
    if (!r.ok) throw new Error("rejected");
    expect(r.workflow.document.blocks[0]).toMatchObject({ position: { x: 12.5, y: -40 }, ui: { color: "red" } });
  });

  it("names the block in a structural problem", () => {
    const p = problems({ blocks: [block("a", "values", "constant"), { id: "b", category: "values" }], connections: [] });
    expect(p[0]).toMatchObject({ code: "schema", path: "blocks[1].type", blockId: "b" });
    expect(p[0]!.message).toContain('block "b"');
  });

  it("rejects a document that is not one", () => {
    expect(problems("nope")[0]!.code).toBe("schema");
    expect(problems({ connections: [] })[0]).toMatchObject({ code: "schema", path: "blocks" });
    expect(problems({ blocks: [], connections: [{ from: { blockId: "a", index: -1 }, to: { blockId: "b", index: 0 } }] })[0]).toMatchObject({ path: "connections[0].from.index" });
  });

  it("rejects an unknown category or type, and says where a known type belongs", () => {
    const p = problems({ blocks: [block("x", "conditions", "teleport"), block("y", "actions", "threshold")], connections: [] });
    expect(p).toEqual([
      { code: "unknown-node", blockId: "x", message: 'Block "x": unknown node type "conditions/teleport"' },
      { code: "unknown-node", blockId: "y", message: 'Block "y": "threshold" belongs to category "conditions", not "actions"' },
    ]);
  });

  it("rejects a duplicate block id", () => {
    const p = problems({ blocks: [block("a", "values", "constant"), block("a", "values", "constant")], connections: [] });
    expect(p).toEqual([expect.objectContaining({ code: "duplicate-block", blockId: "a" })]);
  });

  it("rejects a bad property, naming block and property", () => {
    const p = problems({
      blocks: [block("t", "conditions", "threshold", { properties: { min: "high" } }), block("p", "providers", "kalshi", { properties: { enabled_endpoints: ["price_feed", "weather"] } })],
      connections: [],
    });
    expect(p.map((x) => x.code)).toEqual(["bad-property", "bad-property"]);
    expect(p[0]).toMatchObject({ blockId: "t", property: "min" });
    expect(p[0]!.message).toBe('Block "t": property "min" must be a number');
    expect(p[1]).toMatchObject({ blockId: "p", property: "enabled_endpoints" });
  });

  it("rejects a declared port the node does not have, including a provider endpoint that is not enabled", () => {
    const p = problems({
      blocks: [block("p", "providers", "polymarket", { properties: { enabled_endpoints: ["price_feed"] }, outputs: [{ name: "price_feed" }, { name: "balance" }] })],
      connections: [],
    });
    expect(p).toEqual([expect.objectContaining({ code: "unknown-port", blockId: "p", port: "balance", direction: "output" })]);
    expect(p[0]!.message).toContain("its outputs: price_feed");
  });

  it("rejects a connection to a missing block", () => {
    const p = problems({ blocks: [block("a", "values", "constant")], connections: [link("a", 0, "ghost", 0)] });
    expect(p).toEqual([expect.objectContaining({ code: "missing-block", connection: 0, blockId: "ghost", end: "to" })]);
    expect(p[0]!.message).toBe('Connection 0 (a[0] -> ghost[0]): no block "ghost"');
  });

  it("rejects a port index out of range on either end", () => {
    const p = problems({ blocks: [block("a", "values", "constant"), block("m", "values", "math")], connections: [link("a", 3, "m", 0), link("a", 0, "m", 2)] });
    expect(p).toEqual([
      expect.objectContaining({ code: "port-out-of-range", connection: 0, blockId: "a", end: "from", index: 3 }),
      expect.objectContaining({ code: "port-out-of-range", connection: 1, blockId: "m", end: "to", index: 2 }),
    ]);
    expect(p[1]!.message).toContain('block "m" has no input 2 (it has 2: a, b)');
  });

  it("rejects two connections into one input", () => {
    const p = problems({
      blocks: [block("a", "values", "constant"), block("b", "values", "constant"), block("m", "values", "math")],
      connections: [link("a", 0, "m", 0), link("b", 0, "m", 0)],
    });
    expect(p).toEqual([expect.objectContaining({ code: "input-taken", connection: 1, blockId: "m", port: "a" })]);
    expect(p[0]!.message).toContain('already connected from "a"');
  });

  it("rejects a type mismatch between ports", () => {
    const p = problems({
      blocks: [block("p", "providers", "binance", { properties: { enabled_endpoints: ["candles"] } }), block("t", "conditions", "threshold")],
      connections: [link("p", 0, "t", 0)],
    });
    expect(p).toEqual([expect.objectContaining({ code: "type-mismatch", blockId: "t", port: "value" })]);
    expect(p[0]!.message).toContain('output "candles" of "p" is candles, but input "value" of "t" takes number');
  });

  it("rejects a cycle and names the blocks on it", () => {
    const p = problems({
      blocks: [block("start", "values", "constant"), block("x", "values", "math"), block("y", "values", "math"), block("z", "values", "math")],
      connections: [link("start", 0, "x", 0), link("x", 0, "y", 0), link("y", 0, "z", 0), link("z", 0, "x", 1)],
    });
    expect(p).toEqual([{ code: "cycle", blockIds: ["x", "y", "z"], message: "Cycle: x -> y -> z -> x; a workflow must not loop back on itself" }]);
  });

  it("collects every problem rather than stopping at the first", () => {
    const p = problems({
      blocks: [block("a", "values", "constant"), block("a", "values", "constant"), block("q", "nope", "nope")],
      connections: [link("a", 0, "missing", 0)],
    });
    expect(p.map((x) => x.code).sort()).toEqual(["duplicate-block", "missing-block", "unknown-node"]);
  });

  it("counts two connections between the same pair of blocks as one dependency", () => {
    const r = validateWorkflow(
      { blocks: [block("a", "values", "constant"), block("m", "values", "math")], connections: [link("a", 0, "m", 0), link("a", 0, "m", 1)] },
      catalog,
    );
    if (!r.ok) throw new Error("rejected");
    expect(r.workflow.successors[0]).toEqual([1]);
    expect(r.workflow.indegree).toEqual([0, 1]);
  });
});
