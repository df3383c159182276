import { describe, expect, it } from "vitest";
import { PaperBroker } from "../providers/paper-broker";
import { SimulatedMarket } from "../providers/simulated-market";
import type { MarketData, NodeServices, Notification } from "../providers/types";
import type { RunEvent, RunResult } from "../workflow/events";
import { compileWorkflow } from "./compile";
import { combineSinks, discardSink, runOnce, type RunSink } from "./engine";
import { RunRefusal } from "./errors";
import { simulatedServices } from "./services";

const now = new Date("2026-11-25T12:00:00Z");
const document = {
  blocks: [
    { id: "provider_poly", category: "providers", type: "polymarket", properties: { enabled_endpoints: ["price_feed"] }, outputs: [{ name: "price_feed" }] },
    { id: "threshold_1", category: "conditions", type: "threshold", inputs: [{ name: "value" }, { name: "min" }], outputs: [{ name: "pass" }] },
  ],
  connections: [{ from: { blockId: "provider_poly", index: 0 }, to: { blockId: "threshold_1", index: 0 } }],
};

type Entry = { kind: "begin"; runId: string; mode: string } | { kind: "event"; event: RunEvent } | { kind: "finish"; result: RunResult };

/** A sink that records every call, with a `begin` that resolves only after a macrotask. */
function recordingSink(): RunSink & { log: Entry[] } {
  const log: Entry[] = [];
  return {
    log,
    async begin(runId, mode) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push({ kind: "begin", runId, mode });
    },
    event(event) {
      log.push({ kind: "event", event });
    },
    async finish(result) {
      await Promise.resolve();
      log.push({ kind: "finish", result });
    },
  };
}

const services = () => simulatedServices(now, 7, [] as Notification[]);

describe("runOnce", () => {
  it("reports begin, then every event in order, then finish with the returned result", async () => {
    const sink = recordingSink();
    const result = await runOnce(compileWorkflow(document), services(), { now }, sink, { mode: "simulated", runId: "run_test" });

    expect(sink.log.map((e) => (e.kind === "event" ? e.event.event : e.kind))).toEqual([
      "begin",
      "run-started",
      "node-started",
      "node-finished",
      "node-started",
      "node-finished",
      "run-finished",
      "finish",
    ]);
    expect(sink.log[0]).toEqual({ kind: "begin", runId: "run_test", mode: "simulated" });
    const events = sink.log.flatMap((e) => (e.kind === "event" ? [e.event] : []));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events[0]).toMatchObject({ event: "run-started", runId: "run_test", at: now.toISOString() });
    const finish = sink.log.at(-1);
    expect(finish?.kind === "finish" && finish.result).toBe(result);
    expect(result).toMatchObject({ runId: "run_test", mode: "simulated", status: "completed", errors: [] });
  });

  it("gives each run a fresh id when none is passed", async () => {
    const a = await runOnce(compileWorkflow(document), services(), { now }, discardSink);
    const b = await runOnce(compileWorkflow(document), services(), { now }, discardSink);
    expect(a.runId).toMatch(/^run_[0-9a-f-]{36}$/);
    expect(a.runId).not.toBe(b.runId);
  });

  it("gives the nodes the run's clock: a live quote is judged stale by it", async () => {
    const sim = new SimulatedMarket({ now: now.getTime(), seed: 7 });
    const live: MarketData = {
      source: "live",
      getQuote: (m) => sim.getQuote(m),
      getOrderBook: (m, depth) => sim.getOrderBook(m, depth),
      getCandles: (m, interval, limit) => sim.getCandles(m, interval, limit),
      getFunding: (m) => sim.getFunding(m),
    };
    const liveServices: NodeServices = { market: live, broker: new PaperBroker(live, { now: () => now.getTime() }), notifier: { notify() {} } };
    const at = (seconds: number) => ({ now, read: () => now.getTime() + seconds * 1000 });
    const fresh = await runOnce(compileWorkflow(document), liveServices, at(10), discardSink);
    const stale = await runOnce(compileWorkflow(document), liveServices, at(3_600), discardSink);
    expect(fresh.status).toBe("completed");
    expect(stale.status).toBe("failed");
    expect(stale.errors[0]).toMatchObject({ nodeId: "provider_poly" });
    expect(stale.errors[0]!.message).toMatch(/^stale quote/);
  });

  it("does not start the run when begin fails", async () => {
    const events: RunEvent[] = [];
    const sink: RunSink = {
      begin: () => Promise.reject(new Error("store down")),
      event: (e) => events.push(e),
    };
    await expect(runOnce(compileWorkflow(document), services(), { now }, sink)).rejects.toThrow("store down");
    expect(events).toEqual([]);
  });

  it("with discardSink runs to completion and keeps nothing", async () => {
    expect(Object.keys(discardSink)).toEqual([]);
    expect(Object.isFrozen(discardSink)).toBe(true);
    const result = await runOnce(compileWorkflow(document), services(), { now }, discardSink);
    expect(result.status).toBe("completed");
    expect(result.results).toHaveLength(2);
  });

  it("feeds combined sinks in the order given", async () => {
    const order: string[] = [];
    const named = (name: string): RunSink => ({
      begin: () => void order.push(`${name}:begin`),
      event: (e) => void (e.event === "run-finished" && order.push(`${name}:${e.event}`)),
      finish: () => void order.push(`${name}:finish`),
    });
    await runOnce(compileWorkflow(document), services(), { now }, combineSinks(named("a"), discardSink, named("b")));
    expect(order).toEqual(["a:begin", "b:begin", "a:run-finished", "b:run-finished", "a:finish", "b:finish"]);
  });
});

describe("refusals", () => {
  it("refuses an invalid workflow with its code, the first problems in the message and all of them in details", () => {
    const bad = { blocks: [...document.blocks, { id: "threshold_1", category: "conditions", type: "threshold" }], connections: [{ from: { blockId: "provider_poly", index: 4 }, to: { blockId: "nowhere", index: 0 } }] };
    let refusal: unknown;
    try {
      compileWorkflow(bad);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(RunRefusal);
    const r = refusal as RunRefusal;
    expect(r.code).toBe("invalid_workflow");
    expect(r.name).toBe("RunRefusal");
    expect(r.message).toMatch(/^invalid workflow: /);
    expect((r.details as { code: string }[]).map((p) => p.code)).toEqual(["duplicate-block", "missing-block"]);
  });
});
