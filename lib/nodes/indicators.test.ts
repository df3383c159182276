import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import type { NodeRunContext } from "../workflow/definition";
import { withDefaults } from "../workflow/properties";
import { NOW } from "./test-kit";

/** Runs one indicator node's definition directly with exact inputs. */
async function run(type: string, inputs: Record<string, unknown>, props: Record<string, unknown> = {}) {
  const def = catalog.get("indicators", type)!;
  const merged = withDefaults(def.properties, props);
  const ctx = { inputs: { ...merged, ...inputs }, props: merged, signal: new AbortController().signal, services: {} as NodeRunContext["services"], block: { id: type, name: type }, run: { id: "r", mode: "simulated" as const, now: NOW, clock: () => NOW.getTime() } };
  return (await def.run(ctx)) as Record<string, unknown>;
}

describe("indicator nodes", () => {
  it("candle field picks a field, typical price is (h+l+c)/3", async () => {
    const candles = [{ time: 0, open: 1, high: 4, low: 1, close: 3, volume: 10 }, { time: 1, open: 3, high: 6, low: 3, close: 3, volume: 20 }];
    expect(await run("candle_field", { candles }, { field: "volume" })).toEqual({ series: [10, 20], last: 20 });
    expect(await run("candle_field", { candles }, { field: "typical" })).toEqual({ series: [8 / 3, 4], last: 4 });
  });

  it("SMA gives the latest value and the series after the warm-up, and says when there are too few values", async () => {
    expect(await run("sma", { series: [1, 2, 3, 4, 5] }, { period: 3 })).toEqual({ value: 4, series: [2, 3, 4] });
    await expect(run("sma", { series: [1, 2] }, { period: 3 })).rejects.toThrow("SMA(3) needs at least 3 values, the series has 2: fetch more candles");
    await expect(run("ema", { series: [1, "x"] }, { period: 1 })).rejects.toThrow('input "series" has a non-number at position 1');
    await expect(run("rsi", {}, {})).rejects.toThrow('input "series" has no value');
  });

  it("crossover fires only on the crossing bar, against a series or a level", async () => {
    expect(await run("crossover", { a: [1, 3], b: [2, 2] })).toEqual({ crossed_above: true, crossed_below: false, above: true });
    expect(await run("crossover", { a: [3, 4], b: [2, 2] })).toEqual({ crossed_above: false, crossed_below: false, above: true });
    expect(await run("crossover", { a: [35, 25] }, { level: 30 })).toEqual({ crossed_above: false, crossed_below: true, above: false });
    await expect(run("crossover", { a: [1, 2] })).rejects.toThrow('connect series "b" or set a level');
  });

  it("highest leaves the latest bar out by default, so a breakout can be seen", async () => {
    expect(await run("highest", { series: [1, 5, 3, 9] }, { period: 3 })).toEqual({ value: 5 });
    expect(await run("highest", { series: [1, 5, 3, 9] }, { period: 3, include_latest: true })).toEqual({ value: 9 });
    expect(await run("lowest", { series: [4, 2, 3, 1] }, { period: 2 })).toEqual({ value: 2 });
  });

  it("volume ratio compares the latest bar with the average of the bars before it", async () => {
    expect(await run("volume_ratio", { volume: [10, 20, 30, 60] }, { period: 3 })).toEqual({ ratio: 3, average: 20, latest: 60 });
  });

  it("spread is B - A, in percent of A, and net of both fees", async () => {
    const out = await run("spread", { price_a: 100, price_b: 101 }, { fee_a_pct: 0.1, fee_b_pct: 0.2 });
    expect(out.spread).toBe(1);
    expect(out.spread_pct).toBeCloseTo(1, 12);
    expect(out.net_pct).toBeCloseTo(0.7, 12);
    await expect(run("spread", { price_a: 0, price_b: 1 })).rejects.toThrow("price_a must be positive");
  });

  it("grid levels split into buys below and sells above the price", async () => {
    expect(await run("grid_levels", { price: 0.52 }, { lower: 0.4, upper: 0.6, levels: 5 })).toEqual({
      levels: [0.4, 0.45, 0.5, 0.55, 0.6],
      buy_levels: [0.5, 0.45, 0.4],
      sell_levels: [0.55, 0.6],
      in_range: true,
    });
    await expect(run("grid_levels", { price: 1 }, { lower: 0.6, upper: 0.4 })).rejects.toThrow("upper (0.4) must be above lower (0.6)");
  });
});
