import { describe, expect, it } from "vitest";
import { HOUR, T0, hourlyBars, type Row } from "@/test/bars";
import { compile, type TestBlock, type Wire } from "../nodes/test-kit";
import type { NodeRunContext } from "../workflow/definition";
import type { CompiledWorkflow } from "../workflow/validate";
import { runReference, type EngineInput } from "./engine";
import type { BacktestSettings, Bars } from "./types";


const barsOf = (rows: Row[]) => hourlyBars(rows);

// Closes 10, 10, 16, 4, 16, 4, 10, 10. SMA(3) from bar 2: 12, 10, 12, 8, 10, 8.
// "SMA > 11" holds on bar 2 (still the warm-up) and on bar 4 only.
const BARS = barsOf([
  [10, 10.5, 9.5, 10],
  [10, 10.5, 9.5, 10],
  [10, 16.5, 9.5, 16],
  [16, 16.5, 3.5, 4],
  [4, 16.5, 3.5, 16],
  [15, 15.5, 3.5, 4],
  [5, 10.5, 4.5, 10],
  [11, 11.5, 9.5, 10],
]);

const SETTINGS: BacktestSettings = {
  cash: 1_000,
  commission_pct: 0.1,
  slippage_bps: 0,
  fill: "next_open",
  allow_short: false,
  close_at_end: true,
  book_spread_bps: 5,
  book_depth: 5,
  book_level_size: 1,
};

const BLOCKS: TestBlock[] = [
  { id: "btc", category: "providers", type: "binance", properties: { enabled_endpoints: ["candles"], symbol: "BTCUSDT", candle_interval: "1h", candle_limit: 100 } },
  { id: "close", category: "indicators", type: "candle_field", properties: { field: "close" } },
  { id: "sma", category: "indicators", type: "sma", properties: { period: 3 } },
  { id: "level", category: "values", type: "constant", properties: { value: 11 } },
  { id: "gt", category: "conditions", type: "compare", properties: { operator: ">" } },
  { id: "buy", category: "actions", type: "buy", properties: { venue: "binance", symbol: "BTCUSDT", amount: 1, amount_unit: "quantity", order_type: "market" } },
];
// binance out 0 candles -> candle_field in 0; candle_field out 0 series -> sma in 0; sma out 0 value -> compare in 0;
// constant out 0 -> compare in 2 (value2); compare out 0 -> buy in 0 (signal).
const WIRES: Wire[] = [
  ["btc", 0, "close", 0],
  ["close", 0, "sma", 0],
  ["sma", 0, "gt", 0],
  ["level", 0, "gt", 2],
  ["gt", 0, "buy", 0],
];

function inputOf(compiled: CompiledWorkflow, settings: Partial<BacktestSettings> = {}, bars: Bars = BARS): EngineInput {
  return {
    compiled,
    markets: [{ key: "binance:BTCUSDT", keys: ["binance:BTCUSDT"], bars, fee: (q, p) => q * p * 0.001, allowShort: false, stepSize: 0 }],
    settings: { ...SETTINGS, ...settings },
  };
}

describe("runReference: SMA(3) > 11 -> buy 1 on eight hand-made bars", () => {
  it("warms up, trades after the warm-up only, fills at the next open and closes out at the last open", async () => {
    const out = await runReference(inputOf(compile(BLOCKS, WIRES)));
    expect(out.status).toBe("completed");
    expect(out.barsDone).toBe(8);
    expect(out.failures).toEqual([]);
    // SMA(3) first has a value on bar 2 (three closes): warmup = 2, the first decision is bar 3.
    expect(out.warmup).toBe(2);
    expect(out.indicators).toHaveLength(1);
    expect(out.indicators[0]!.nodeId).toBe("sma");
    expect([...out.indicators[0]!.values]).toEqual([NaN, NaN, 12, 10, 12, 8, 10, 8]);
    // The signal on bar 2 is in the warm-up: no order reaches the account. Bar 4's is the only order.
    expect(out.ordersPlaced).toBe(1);
    expect(out.ordersRejected).toEqual([]);
    // Decided on bar 4, filled at bar 5's open 15: fee 0.015, cash 1,000 - 15.015 = 984.985.
    // Equity at each close: bars 0-4 1,000 (nothing held); bar 5 984.985 + 4 = 988.985; bar 6 984.985 + 10 = 994.985.
    // End of data: sold at bar 7's open 11, fee 0.011: 984.985 + 11 - 0.011 = 995.974.
    const expected = [1_000, 1_000, 1_000, 1_000, 1_000, 988.985, 994.985, 995.974];
    expect(out.equity).toHaveLength(8);
    out.equity.forEach((e, t) => expect(e).toBeCloseTo(expected[t]!, 9));
    expect(out.trades).toHaveLength(1);
    const tr = out.trades[0]!;
    expect(tr).toMatchObject({ size: 1, entry_bar: 5, exit_bar: 7, entry_price: 15, exit_price: 11, entry_time: T0 + 5 * HOUR, exit_time: T0 + 7 * HOUR, market: "binance:BTCUSDT" });
    // pnl = 11 - 15 - 0.015 - 0.011 = -4.026; return = 11/15 - 1 - 0.026/15 = -0.2684.
    expect(tr.pnl).toBeCloseTo(-4.026, 10);
    expect(tr.return_pct).toBeCloseTo(-0.2684, 10);
    expect(out.commissions).toBeCloseTo(0.026, 12);
  });

  it('with fill "close" the order decided on bar 4 fills at bar 4\'s close', async () => {
    const out = await runReference(inputOf(compile(BLOCKS, WIRES), { fill: "close" }));
    // 1 @ 16, fee 0.016: cash 983.984. Closes: bar 4 16 -> 999.984, bar 5 4 -> 987.984, bar 6 10 -> 993.984.
    // End: with close fills the position is closed at the last bar's close, 10: 983.984 + 10 - 0.010 = 993.974.
    const expected = [1_000, 1_000, 1_000, 1_000, 999.984, 987.984, 993.984, 993.974];
    out.equity.forEach((e, t) => expect(e).toBeCloseTo(expected[t]!, 9));
    expect(out.trades[0]).toMatchObject({ entry_bar: 4, entry_price: 16, exit_bar: 7, exit_price: 10 });
  });

  it("the warm-up waits for every warming-up node: with an SMA(5) alongside, bar 4's signal is still warm-up", async () => {
    // SMA(5) first has a value on bar 4, so warmup = 4 and the first decision is bar 5; "SMA(3) > 11" never
    // holds from bar 5 on, so nothing is traded and equity stays at the cash.
    const blocks = [...BLOCKS, { id: "sma5", category: "indicators", type: "sma", properties: { period: 5 } }];
    const out = await runReference(inputOf(compile(blocks, [...WIRES, ["close", 0, "sma5", 0]])));
    expect(out.warmup).toBe(4);
    expect(out.ordersPlaced).toBe(0);
    expect(out.trades).toEqual([]);
    expect([...out.equity]).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000]);
    // Closes 10, 10, 16, 4, 16 -> (56) / 5 = 11.2 on bar 4; then (50) / 5 = 10, (50) / 5 = 10, (44) / 5 = 8.8.
    const sma5 = out.indicators.find((i) => i.nodeId === "sma5")!;
    expect([...sma5.values].slice(4)).toEqual([11.2, 10, 10, 8.8].map((v) => expect.closeTo(v, 12)));
  });

  it("without close_at_end the position stays open and the last equity is at the last close", async () => {
    const out = await runReference(inputOf(compile(BLOCKS, WIRES), { close_at_end: false }));
    expect(out.trades).toEqual([]);
    // 984.985 + 10 (bar 7's close).
    expect(out.equity[7]).toBeCloseTo(994.985, 9);
  });
});

describe("runReference: no node sees a later bar", () => {
  it("a node asking for 1,000 candles, the quote and the book on every bar sees bar t at most", async () => {
    const compiled = compile([...BLOCKS, { id: "spy", category: "values", type: "constant" }], WIRES);
    const seen: { bar: number; clock: number; count: number; maxTime: number; maxClose: number; quoteAt: number; bookAt: number; quote: number }[] = [];
    const i = compiled.blocks.findIndex((b) => b.id === "spy");
    const spy = compiled.blocks[i]!;
    compiled.blocks[i] = {
      ...spy,
      def: {
        ...spy.def,
        async run({ services, run }: NodeRunContext) {
          const market = { venue: "binance" as const, symbol: "BTCUSDT" };
          const candles = await services.market.getCandles(market, "1h", 1000);
          const quote = await services.market.getQuote(market);
          const book = await services.market.getOrderBook(market, 100);
          seen.push({
            bar: seen.length,
            clock: run.clock(),
            count: candles.length,
            maxTime: Math.max(...candles.map((c) => c.time)),
            maxClose: Math.max(...candles.map((c) => c.close)),
            quoteAt: Date.parse(quote.at),
            bookAt: Date.parse(book.at),
            quote: quote.price,
          });
          return { value: 0 };
        },
      },
    };
    const out = await runReference(inputOf(compiled));
    expect(out.failures).toEqual([]);
    expect(seen).toHaveLength(BARS.length);
    for (const s of seen) {
      const t = s.bar;
      // On bar t: the bar's own time on the clock, t + 1 candles, the newest being bar t, and quotes from bar t.
      expect(s.clock).toBe(BARS.time[t]);
      expect(s.count).toBe(t + 1);
      expect(s.maxTime).toBe(BARS.time[t]);
      expect(s.maxTime).toBeLessThanOrEqual(s.clock);
      expect(s.quoteAt).toBe(BARS.time[t]);
      expect(s.bookAt).toBe(BARS.time[t]);
      expect(s.quote).toBe(BARS.close[t]);
      // The highest close among bars 0..t (bar 2's 16 is the first 16).
      expect(s.maxClose).toBe(Math.max(...BARS.close.subarray(0, t + 1)));
    }
    // The strategy beside the spy traded as before.
    expect(out.trades).toHaveLength(1);
  });
});
