import { describe, expect, it } from "vitest";
import { catalog as realCatalog, createCatalog } from "../nodes";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import type { NodeServices } from "../providers/types";
import { defineNode } from "./definition";
import { applyRunEvent, emptyRunResult, type RunEvent } from "./events";
import { executeWorkflow } from "./executor";
import { validateWorkflow } from "./validate";

const now = new Date("2026-11-25T12:00:00Z");
function services(): NodeServices {
  const market = new SimulatedMarket({ now: now.getTime(), seed: 7 });
  return { market, broker: new PaperBroker(market, { now: () => now.getTime() }), notifier: { notify() {} } };
}

/** Test-only node types whose timing the test controls. */
const gates = new Map<string, { release: (v: number) => void; started: boolean; aborted: boolean }>();
let concurrent = 0;
let maxConcurrent = 0;
const testCatalog = createCatalog([
  ...realCatalog.list(),
  defineNode<{ key: string }>({
    category: "values",
    type: "gate",
    label: "Gate",
    description: "Resolves when the test releases it",
    inputs: [{ name: "in", type: "any" }],
    outputs: [{ name: "value", type: "number" }],
    properties: [{ kind: "string", name: "key", label: "Key", default: "" }],
    run: ({ props, signal }) =>
      new Promise((resolve, reject) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        const entry = {
          started: true,
          aborted: false,
          release: (v: number) => {
            concurrent--;
            resolve({ value: v });
          },
        };
        gates.set(props.key, entry);
        signal.addEventListener("abort", () => {
          entry.aborted = true;
          concurrent--;
          reject(new Error("aborted by signal"));
        });
      }),
  }),
  defineNode({
    category: "values",
    type: "boom",
    label: "Boom",
    description: "Always throws",
    inputs: [{ name: "in", type: "any" }],
    outputs: [{ name: "value", type: "number" }],
    properties: [],
    run: () => {
      throw new Error("boom: deliberate failure");
    },
  }),
  defineNode({
    category: "values",
    type: "big",
    label: "Big",
    description: "Returns a large output",
    inputs: [],
    outputs: [{ name: "value", type: "any" }],
    properties: [],
    run: () => ({ value: "x".repeat(5_000) }),
  }),
]);

const block = (id: string, category: string, type: string, properties: Record<string, unknown> = {}) => ({ id, category, type, properties });
const link = (from: string, fi: number, to: string, ti: number) => ({ from: { blockId: from, index: fi }, to: { blockId: to, index: ti } });

function compile(doc: unknown, cat = testCatalog) {
  const r = validateWorkflow(doc, cat);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.workflow;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("executeWorkflow", () => {
  it("runs the seed's price-threshold-buy strategy in dependency order", async () => {
    const wf = compile(
      {
        blocks: [
          block("buy", "actions", "buy", { amount: 10 }),
          block("threshold", "conditions", "threshold", { min: 0.01 }),
          block("poly", "providers", "polymarket", { profile_id: "prod_1", enabled_endpoints: ["price_feed"] }),
        ],
        connections: [link("poly", 0, "threshold", 0), link("threshold", 0, "buy", 0)],
      },
      realCatalog,
    );
    const result = await executeWorkflow(wf, { services: services(), now, runId: "r1" });
    expect(result.status).toBe("completed");
    expect(result.results.map((r) => r.nodeId)).toEqual(["poly", "threshold", "buy"]);
    const price = (result.results[0]!.output as { price_feed: number }).price_feed;
    expect(price).toBeGreaterThan(0);
    expect(price).toBeLessThan(1);
    expect(result.results[1]!.output).toEqual({ pass: true });
    expect(result.results[2]!.output).toMatchObject({ order: { side: "buy", quantity: 10, status: "filled", clientOrderId: "r1:buy" } });
    expect(result.results.every((r) => r.nodeType && r.nodeName && r.duration >= 0)).toBe(true);
  });

  it("uses a property as the value of an unconnected input of the same name", async () => {
    const wf = compile({ blocks: [block("k", "values", "constant", { value: 0.4 }), block("t", "conditions", "threshold", { min: 0.5 })], connections: [link("k", 0, "t", 0)] });
    const result = await executeWorkflow(wf, { services: services(), now });
    expect(result.results[1]!.output).toEqual({ pass: false });
  });

  it("records a failing node, skips its downstream and still runs independent branches", async () => {
    const wf = compile({
      blocks: [
        block("k", "values", "constant", { value: 2 }),
        block("bad", "values", "boom"),
        block("after", "values", "math", { operation: "+" }),
        block("later", "values", "math"),
        block("ok", "values", "math", { operation: "*", b: 3 }),
      ],
      connections: [link("k", 0, "bad", 0), link("bad", 0, "after", 0), link("after", 0, "later", 0), link("k", 0, "ok", 0)],
    });
    const result = await executeWorkflow(wf, { services: services(), now });
    expect(result.status).toBe("failed");
    const byId = Object.fromEntries(result.results.map((r) => [r.nodeId, r]));
    expect(byId.bad).toMatchObject({ status: "failed", error: "boom: deliberate failure" });
    expect(byId.after).toMatchObject({ status: "skipped", error: 'upstream block "bad" did not succeed' });
    expect(byId.later).toMatchObject({ status: "skipped", error: 'upstream block "after" did not succeed' });
    expect(byId.ok).toMatchObject({ status: "succeeded", output: { result: 6 } });
    expect(result.errors).toEqual([{ nodeId: "bad", nodeName: "Boom", message: "boom: deliberate failure" }]);
  });

  it("gates actions on their signal", async () => {
    const wf = compile(
      {
        blocks: [block("k", "values", "constant", { value: 0.2 }), block("t", "conditions", "threshold", { min: 0.5 }), block("buy", "actions", "buy"), block("n", "actions", "notify")],
        connections: [link("k", 0, "t", 0), link("t", 0, "buy", 0), link("t", 0, "n", 0)],
      },
      realCatalog,
    );
    const result = await executeWorkflow(wf, { services: services(), now });
    expect(result.results.find((r) => r.nodeId === "buy")!.output).toEqual({ order: null });
    expect(result.results.find((r) => r.nodeId === "n")!.output).toEqual({ sent: false });
  });

  it("runs nodes whose inputs are ready concurrently", async () => {
    gates.clear();
    concurrent = 0;
    maxConcurrent = 0;
    const wf = compile({
      blocks: [block("a", "values", "gate", { key: "a" }), block("b", "values", "gate", { key: "b" }), block("sum", "values", "math")],
      connections: [link("a", 0, "sum", 0), link("b", 0, "sum", 1)],
    });
    const done = executeWorkflow(wf, { services: services(), now });
    await tick();
    // Both fetches are in flight before either has finished.
    expect(gates.get("a")?.started).toBe(true);
    expect(gates.get("b")?.started).toBe(true);
    expect(maxConcurrent).toBe(2);
    gates.get("b")!.release(5);
    gates.get("a")!.release(4);
    const result = await done;
    expect(result.results.map((r) => r.nodeId)).toEqual(["b", "a", "sum"]);
    expect(result.results[2]!.output).toEqual({ result: 9 });
  });

  it("respects the concurrency cap", async () => {
    gates.clear();
    concurrent = 0;
    maxConcurrent = 0;
    const wf = compile({ blocks: ["a", "b", "c"].map((k) => block(k, "values", "gate", { key: k })), connections: [] });
    const done = executeWorkflow(wf, { services: services(), now, maxConcurrency: 1 });
    await tick();
    expect([...gates.keys()]).toEqual(["a"]);
    gates.get("a")!.release(1);
    await tick();
    expect([...gates.keys()]).toEqual(["a", "b"]);
    gates.get("b")!.release(1);
    await tick();
    gates.get("c")!.release(1);
    expect((await done).status).toBe("completed");
    expect(maxConcurrent).toBe(1);
  });

  it("cancels: running nodes see their signal abort, pending ones are skipped", async () => {
    gates.clear();
    const controller = new AbortController();
    const wf = compile({
      blocks: [block("slow", "values", "gate", { key: "slow" }), block("next", "values", "math")],
      connections: [link("slow", 0, "next", 0)],
    });
    const done = executeWorkflow(wf, { services: services(), now, signal: controller.signal });
    await tick();
    controller.abort();
    const result = await done;
    expect(gates.get("slow")!.aborted).toBe(true);
    expect(result.status).toBe("cancelled");
    expect(result.results.map((r) => [r.nodeId, r.status])).toEqual([
      ["slow", "failed"],
      ["next", "skipped"],
    ]);
    expect(result.errors[0]!.message).toBe("cancelled while running");
  });

  it("does not start anything when cancelled before it begins", async () => {
    const controller = new AbortController();
    controller.abort();
    const wf = compile({ blocks: [block("k", "values", "constant")], connections: [] });
    const result = await executeWorkflow(wf, { services: services(), now, signal: controller.signal });
    expect(result.status).toBe("cancelled");
    expect(result.results).toEqual([expect.objectContaining({ nodeId: "k", status: "skipped", error: "run cancelled" })]);
  });

  it("fails a node that outlives its timeout and aborts its signal", async () => {
    gates.clear();
    const wf = compile({ blocks: [block("hang", "values", "gate", { key: "hang" })], connections: [] });
    const result = await executeWorkflow(wf, { services: services(), now, nodeTimeoutMs: 20 });
    expect(result.status).toBe("failed");
    expect(result.results[0]).toMatchObject({ status: "failed", error: "timed out after 20 ms" });
    expect(gates.get("hang")!.aborted).toBe(true);
  });

  it("stores an oversized output as a preview while downstream still receives all of it", async () => {
    const wf = compile({ blocks: [block("big", "values", "big"), block("sw", "conditions", "switch", { cases: ["x".repeat(5_000)] })], connections: [link("big", 0, "sw", 0)] });
    const result = await executeWorkflow(wf, { services: services(), now, maxOutputBytes: 1_000 });
    expect(result.results[0]!.output).toMatchObject({ truncated: true, limit: 1_000 });
    expect((result.results[0]!.output as { bytes: number }).bytes).toBeGreaterThan(5_000);
    expect(result.results[1]!.output).toEqual({ case_1: true, default: false });
  });

  it("emits events in order, and the JSON result is the fold of the same events", async () => {
    const events: RunEvent[] = [];
    const wf = compile({
      blocks: [block("k", "values", "constant", { value: 1 }), block("bad", "values", "boom"), block("m", "values", "math")],
      connections: [link("k", 0, "bad", 0), link("bad", 0, "m", 0)],
    });
    const result = await executeWorkflow(wf, { services: services(), now, runId: "run-x", onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.event)).toEqual(["run-started", "node-started", "node-finished", "node-started", "node-failed", "node-skipped", "run-finished"]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events[0]).toMatchObject({ runId: "run-x", order: ["k", "bad", "m"], at: now.toISOString() });
    const replay = events.reduce(applyRunEvent, emptyRunResult());
    expect(replay).toEqual(result);
  });

  it("is reproducible: the same seed and instant give the same outputs", async () => {
    const doc = { blocks: [block("p", "providers", "binance", { enabled_endpoints: ["price_feed", "orderbook", "candles"], candle_limit: 20 })], connections: [] };
    const a = await executeWorkflow(compile(doc), { services: services(), now });
    const b = await executeWorkflow(compile(doc), { services: services(), now });
    expect(a.results[0]!.output).toEqual(b.results[0]!.output);
  });

  it("runs a large chain without deep recursion", async () => {
    const n = 20_000;
    const blocks = [block("n0", "values", "constant", { value: 1 })];
    const connections = [];
    for (let i = 1; i < n; i++) {
      blocks.push(block(`n${i}`, "values", "math", { operation: "+", b: 1 }));
      connections.push(link(`n${i - 1}`, 0, `n${i}`, 0));
    }
    const result = await executeWorkflow(compile({ blocks, connections }), { services: services(), now });
    expect(result.status).toBe("completed");
    expect(result.results.at(-1)!.output).toEqual({ result: n });
  });
});
