import { describe, expect, it } from "vitest";
import { fixtureBars } from "@/test/bars";
import { catalog, createCatalog } from "../nodes";
import { defineNode } from "../workflow/definition";
import { validateWorkflow } from "../workflow/validate";
import { documentOf, type TestBlock, type Wire } from "../nodes/test-kit";
import { runReference, type EngineInput } from "./engine";
import { runChecks } from "./checks";
import { ReplayMarket } from "./replay-market";
import { withDefaults } from "./settings";

const bars = fixtureBars("btcusdt-1m-1440.json", 400);

/**
 * A deliberately leaky node, for this test only: it peeks at the next bar's close through the replay
 * market's stored series, which no real node can reach.
 */
const leaky = defineNode({
  category: "conditions",
  type: "peek_next_close",
  label: "Peek",
  description: "test only: true when the next bar closes higher",
  inputs: [],
  outputs: [
    { name: "up", type: "boolean" },
    { name: "down", type: "boolean" },
  ],
  properties: [],
  run: ({ services }) => {
    const market = services.market as ReplayMarket;
    const t = market.bar;
    const close = market.series[0]!.bars.close;
    const next = close[t + 1];
    return { up: next !== undefined && next > close[t]!, down: next !== undefined && next < close[t]! };
  },
});
const leakyCatalog = createCatalog([...catalog.list(), leaky]);

function inputFor(blocks: TestBlock[], wires: Wire[], withLeak = false): EngineInput {
  const v = validateWorkflow(documentOf(blocks, wires), withLeak ? leakyCatalog : catalog);
  if (!v.ok) throw new Error(v.problems.map((p) => p.message).join("; "));
  return {
    compiled: v.workflow,
    markets: [{ key: "binance:BTCUSDT", keys: ["binance:BTCUSDT"], bars, fee: () => 0, allowShort: true, stepSize: 0 }],
    settings: withDefaults({}),
  };
}

const market: TestBlock = { id: "market", category: "providers", type: "binance", properties: { symbol: "BTCUSDT", enabled_endpoints: ["candles"], candle_limit: 100 } };
const close: TestBlock = { id: "close", category: "indicators", type: "candle_field", properties: { field: "close" } };

describe("the look-ahead check", () => {
  it("catches a node that reads the next bar", async () => {
    const input = inputFor(
      [
        { id: "peek", category: "conditions", type: "peek_next_close" },
        { id: "long", category: "actions", type: "target_position", properties: { venue: "binance", symbol: "BTCUSDT", percent: 100, rounding: "step" } },
        { id: "short", category: "actions", type: "target_position", properties: { venue: "binance", symbol: "BTCUSDT", percent: -100, rounding: "step" } },
      ],
      [
        ["peek", 0, "long", 0],
        ["peek", 1, "short", 0],
      ],
      true,
    );
    const full = await runReference(input);
    // It "knows" the next close, so it wins nearly every trade: the kind of result the check must expose.
    expect(full.trades.filter((t) => t.pnl > 0).length).toBeGreaterThan(full.trades.length * 0.9);
    const check = await runChecks(input, full);
    expect(check.lookahead.passed).toBe(false);
    expect(check.lookahead.findings.length).toBeGreaterThan(0);
    expect(check.lookahead.findings[0]!.message).toMatch(/with the data cut after bar \d+, the decision on bar \d+ changed/);
  });

  it("passes an honest strategy, and reports indicators that depend on the candles loaded", async () => {
    const input = inputFor(
      [
        market,
        close,
        { id: "fast", category: "indicators", type: "sma", properties: { period: 10 } },
        { id: "slow", category: "indicators", type: "ema", properties: { period: 30 } },
        { id: "cross", category: "indicators", type: "crossover" },
        { id: "long", category: "actions", type: "target_position", properties: { venue: "binance", symbol: "BTCUSDT", percent: 100 } },
        { id: "short", category: "actions", type: "target_position", properties: { venue: "binance", symbol: "BTCUSDT", percent: -100 } },
      ],
      [
        ["market", 0, "close", 0],
        ["close", 0, "fast", 0],
        ["close", 0, "slow", 0],
        ["fast", 1, "cross", 0],
        ["slow", 1, "cross", 1],
        ["cross", 0, "long", 0],
        ["cross", 1, "short", 0],
      ],
    );
    const full = await runReference(input);
    expect(full.trades.length).toBeGreaterThan(2);
    const check = await runChecks(input, full);
    expect(check.lookahead).toMatchObject({ passed: true, findings: [] });
    expect(check.lookahead.cuts).toBeGreaterThan(2);
    // The EMA is seeded on each window, so its values move with the window; the SMA's never do.
    const flagged = check.history.findings.map((f) => f.nodeId);
    expect(flagged).toContain("slow");
    expect(flagged).not.toContain("fast");
    expect(check.history.runs.map((r) => r.candles).sort((a, b) => a - b)).toEqual([50, 200]);
  });
});
