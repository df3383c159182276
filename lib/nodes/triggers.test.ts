import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import { validateWorkflow } from "../workflow/validate";
import { executeWorkflow } from "../workflow/executor";
import type { RunResult } from "../workflow/events";
import { withDefaults } from "../workflow/properties";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import type { NodeServices } from "../providers/types";
import { NOW, type TestBlock, type Wire, documentOf, compile, resultOf, outputOf } from "./test-kit";

const MIN = 60_000;

function simServices(now = NOW): NodeServices {
  const market = new SimulatedMarket({ now: now.getTime(), seed: 1 });
  return { market, broker: new PaperBroker(market, { now: () => now.getTime() }), notifier: { notify: () => {} } };
}

function run(blocks: TestBlock[], wires: Wire[] = [], now = NOW): Promise<RunResult> {
  return executeWorkflow(compile(blocks, wires), { services: simServices(now), now, runId: "run_triggers" });
}

async function runTrigger(type: string, properties: Record<string, unknown> = {}, now = NOW) {
  return outputOf(await run([{ id: "t", category: "triggers", type, properties }], [], now), "t");
}

/** Runs price_alert's definition directly with an exact price input. */
async function priceAlert(price: unknown, props: { above?: number | null; below?: number | null }) {
  const def = catalog.get("triggers", "price_alert")!;
  return def.run({
    inputs: { price },
    props: withDefaults(def.properties, props),
    signal: new AbortController().signal,
    services: simServices(),
    block: { id: "alert", name: "Price alert" },
    run: { id: "run_triggers", mode: "simulated", now: NOW, clock: () => NOW.getTime() },
  });
}

describe("manual trigger", () => {
  it("fires with time = the run's now", async () => {
    expect(await runTrigger("manual")).toEqual({ fired: true, time: NOW.getTime() });
    const later = new Date("2027-01-02T03:04:05.678Z");
    expect(await runTrigger("manual", {}, later)).toEqual({ fired: true, time: later.getTime() });
  });
});

describe("interval trigger", () => {
  it("fires and schedules the next tick every_seconds later", async () => {
    expect(await runTrigger("interval", { every_seconds: 90 })).toEqual({ fired: true, next: NOW.getTime() + 90_000 });
    expect(await runTrigger("interval", {})).toEqual({ fired: true, next: NOW.getTime() + 60_000 }); // default 60 s
  });

  it("rejects a non-positive or fractional interval", () => {
    for (const every_seconds of [0, -5, 1.5, 7 * 86_400 + 1]) {
      const v = validateWorkflow(documentOf([{ id: "t", category: "triggers", type: "interval", properties: { every_seconds } }]), catalog);
      expect(v.ok, String(every_seconds)).toBe(false);
      if (!v.ok) expect(v.problems[0]).toMatchObject({ code: "bad-property", blockId: "t", property: "every_seconds" });
    }
  });
});

describe("schedule trigger", () => {
  const at = (hhmmss: string) => new Date(`2026-11-25T${hhmmss}Z`);

  it("fires on a matching minute and says when it fires next", async () => {
    expect(await runTrigger("schedule", { cron: "*/5 * * * *" }, at("12:00:00"))).toEqual({ fired: true, next: at("12:05:00").getTime() });
  });

  it("does not fire between scheduled minutes", async () => {
    expect(await runTrigger("schedule", { cron: "*/5 * * * *" }, at("12:03:00"))).toEqual({ fired: false, next: at("12:05:00").getTime() });
    expect(await runTrigger("schedule", { cron: "*/5 * * * *" }, at("12:04:59"))).toEqual({ fired: false, next: at("12:05:00").getTime() });
  });

  it("fires anywhere inside a scheduled minute", async () => {
    const out = await runTrigger("schedule", { cron: "*/5 * * * *" }, at("12:10:42"));
    expect(out).toEqual({ fired: true, next: at("12:15:00").getTime() });
  });

  it("fires on exactly the scheduled minutes over an hour", async () => {
    const fired: number[] = [];
    for (let m = 0; m < 60; m++) {
      const now = new Date(at("13:00:00").getTime() + m * MIN);
      const out = await runTrigger("schedule", { cron: "15,45 * * * *" }, now);
      if (out.fired === true) fired.push(m);
      const expectedNext = m < 15 ? at("13:15:00") : m < 45 ? at("13:45:00") : at("14:15:00");
      expect(out.next).toBe(expectedNext.getTime());
    }
    expect(fired).toEqual([15, 45]);
  });

  it("reads the cron in UTC", async () => {
    // 9:30 on weekdays, UTC; 2026-11-25 is a Wednesday.
    expect(await runTrigger("schedule", { cron: "30 9 * * 1-5" }, at("09:30:00"))).toEqual({
      fired: true,
      next: new Date("2026-11-26T09:30:00Z").getTime(),
    });
    expect((await runTrigger("schedule", { cron: "30 9 * * 1-5" }, at("10:30:00"))).fired).toBe(false);
  });

  it("uses */5 * * * * by default", async () => {
    expect(await runTrigger("schedule", {}, at("12:20:00"))).toEqual({ fired: true, next: at("12:25:00").getTime() });
  });

  it("rejects an invalid cron expression with a message naming the property", () => {
    for (const cron of ["not a cron", "61 * * * *", "* * * * * * * *", ""]) {
      const v = validateWorkflow(documentOf([{ id: "sched", category: "triggers", type: "schedule", properties: { cron } }]), catalog);
      expect(v.ok, cron).toBe(false);
      if (v.ok) continue;
      expect(v.problems.length).toBeGreaterThan(0);
      for (const problem of v.problems) {
        expect(problem).toMatchObject({ code: "bad-property", blockId: "sched", property: "cron" });
        expect(problem.message).toContain('property "cron"');
        expect(problem.message).toContain("sched");
      }
      if (cron) expect(v.problems.some((p) => p.message.includes("is not a valid cron expression"))).toBe(true);
    }
  });
});

describe("price_alert trigger", () => {
  it("fires at or above `above` (inclusive)", async () => {
    expect(await priceAlert(0.6, { above: 0.6 })).toEqual({ fired: true, price: 0.6 });
    expect(await priceAlert(0.61, { above: 0.6 })).toEqual({ fired: true, price: 0.61 });
    expect(await priceAlert(0.59, { above: 0.6 })).toEqual({ fired: false, price: 0.59 });
  });

  it("fires at or below `below` (inclusive)", async () => {
    expect(await priceAlert(0.4, { below: 0.4 })).toEqual({ fired: true, price: 0.4 });
    expect(await priceAlert(0.39, { below: 0.4 })).toEqual({ fired: true, price: 0.39 });
    expect(await priceAlert(0.41, { below: 0.4 })).toEqual({ fired: false, price: 0.41 });
  });

  it("with both levels fires outside the band and not inside it", async () => {
    const band = { above: 0.6, below: 0.4 };
    expect((await priceAlert(0.5, band)).fired).toBe(false);
    expect((await priceAlert(0.7, band)).fired).toBe(true);
    expect((await priceAlert(0.3, band)).fired).toBe(true);
  });

  it("never fires with neither level set", async () => {
    for (const price of [-1e9, 0, 0.5, 1, 1e9]) expect(await priceAlert(price, {})).toEqual({ fired: false, price });
  });

  it("fails naming the price input when it has no number", async () => {
    await expect(priceAlert(undefined, { above: 1 })).rejects.toThrow(/"price"/);
    await expect(priceAlert("0.5", { above: 1 })).rejects.toThrow(/"price" must be a number/);
  });

  it("fires from a connected provider price in a real run", async () => {
    const services = simServices();
    const quote = await services.market.getQuote({ venue: "polymarket", symbol: "SIM-YES" });
    const blocks = (above: number): TestBlock[] => [
      { id: "p", category: "providers", type: "polymarket" },
      { id: "alert", category: "triggers", type: "price_alert", properties: { above } },
    ];
    const wires: Wire[] = [["p", 0, "alert", 0]];
    expect(outputOf(await run(blocks(quote.price), wires), "alert")).toEqual({ fired: true, price: quote.price });
    expect(outputOf(await run(blocks(quote.price + 0.01), wires), "alert")).toEqual({ fired: false, price: quote.price });
  });

  it("fails in a run when its price input is unconnected", async () => {
    const result = await run([{ id: "alert", category: "triggers", type: "price_alert", properties: { above: 1 } }]);
    const r = resultOf(result, "alert");
    expect(r.status).toBe("failed");
    expect(r.error).toContain('"price"');
  });
});
