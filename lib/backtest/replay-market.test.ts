import { describe, expect, it } from "vitest";
import { HOUR, T0, hourlyBars, type Row } from "@/test/bars";
import { MAX_WINDOW, ReplayMarket, type BookModel, type ReplaySeries } from "./replay-market";
import type { Bars } from "./types";

const SPOT = { venue: "binance" as const, symbol: "BTCUSDT" };
const PERP = { venue: "binance" as const, symbol: "BTCUSDT-PERP" };

/** Volume is 10 x (index + 1). */
const barsOf = (rows: Row[]) => hourlyBars(rows, (i) => 10 * (i + 1));

// Closes rise 100, 110, ... so any later bar would be visible in a price as well as in a time.
const ROWS: [number, number, number, number][] = [
  [100, 105, 95, 100],
  [100, 115, 98, 110],
  [110, 125, 108, 120],
  [120, 135, 118, 130],
  [130, 145, 128, 140],
  [140, 155, 138, 150],
];
const BOOK: BookModel = { spreadBps: 10, depth: 3, levelSize: 2.5 };

function replay(book: BookModel = BOOK): { market: ReplayMarket; bars: Bars; funding: { time: Float64Array; rate: Float64Array } } {
  const bars = barsOf(ROWS);
  // Funding at bar 1's open, half way between bars 2 and 3, and at bar 5's open.
  const funding = { time: Float64Array.from([T0 + HOUR, T0 + 2.5 * HOUR, T0 + 5 * HOUR]), rate: Float64Array.from([0.0001, -0.0002, 0.0003]) };
  const series: ReplaySeries[] = [
    { keys: ["binance:BTCUSDT"], bars, stepSize: 0.001 },
    { keys: ["binance:BTCUSDT-PERP"], bars, funding, stepSize: 0.01 },
  ];
  return { market: new ReplayMarket(series, book), bars, funding };
}

describe("ReplayMarket: nothing after the current bar", () => {
  it("after advance(t) every read answers from bars 0..t only, whatever limit is asked", async () => {
    const { market, bars } = replay();
    for (let t = 0; t < bars.length; t++) {
      market.advance(t);
      const now = bars.time[t]!;
      expect(market.bar).toBe(t);
      expect(market.barsAdded(0)).toBe(t + 1);
      expect(market.barsAdded(1)).toBe(t + 1);
      for (const limit of [1, 2, 3, t + 1, t + 2, 100, MAX_WINDOW, 1_000_000]) {
        const candles = await market.getCandles(SPOT, "1h", limit);
        // min(limit, t + 1) candles, the newest being bar t itself.
        expect(candles).toHaveLength(Math.min(limit, t + 1));
        expect(Math.max(...candles.map((c) => c.time))).toBe(now);
        expect(candles.at(-1)).toEqual({ time: now, open: bars.open[t], high: bars.high[t], low: bars.low[t], close: bars.close[t], volume: bars.volume[t] });
        // Oldest first, consecutive bars ending at t.
        expect(candles.map((c) => c.time)).toEqual(Array.from({ length: candles.length }, (_, k) => T0 + (t - candles.length + 1 + k) * HOUR));
      }
      // Every interval gets the same bars: the data's bars are the bars.
      expect(await market.getCandles(SPOT, "1d", 1000)).toHaveLength(t + 1);
      const quote = await market.getQuote(SPOT);
      expect(quote.price).toBe(bars.close[t]);
      expect(quote.at).toBe(new Date(now).toISOString());
      const book = await market.getOrderBook(SPOT, 100);
      expect(book.at).toBe(new Date(now).toISOString());
      // Every level lies within 3 x 10 bps of bar t's close, so it is built from that close and no other.
      for (const [p] of [...book.bids, ...book.asks]) expect(Math.abs(p / bars.close[t]! - 1)).toBeLessThanOrEqual(0.003 + 1e-12);
      const f = await market.getFunding(PERP);
      expect(f.markPrice).toBe(bars.close[t]);
      expect(f.at).toBe(new Date(now).toISOString());
    }
  });

  it("funding is the latest rate at or before the current bar, never a later one", async () => {
    const { market } = replay();
    // Funding times: T0+1h (1 bps), T0+2.5h (-2 bps), T0+5h (3 bps).
    // bar 0 (T0): none yet -> rate 0, next T0+1h. bar 1 (T0+1h): 0.0001, next T0+2.5h.
    // bar 2 (T0+2h): still 0.0001 (the -2 bps at T0+2.5h is later). bar 3, 4: -0.0002. bar 5: 0.0003, no next -> +8h.
    const expected = [
      [0, T0 + HOUR],
      [0.0001, T0 + 2.5 * HOUR],
      [0.0001, T0 + 2.5 * HOUR],
      [-0.0002, T0 + 5 * HOUR],
      [-0.0002, T0 + 5 * HOUR],
      [0.0003, T0 + 5 * HOUR + 8 * HOUR],
    ];
    for (let t = 0; t < expected.length; t++) {
      market.advance(t);
      const f = await market.getFunding(PERP);
      expect([f.rate, f.nextTime]).toEqual(expected[t]);
      expect(f.intervalHours).toBe(8);
    }
    // Another venue has no perpetuals to read funding from.
    await expect(market.getFunding({ venue: "kalshi", symbol: "X" })).rejects.toThrow();
  });

  it("keeps the last MAX_WINDOW bars: after 1,005 bars a limit of 1000 gives bars 5..1004", async () => {
    const n = MAX_WINDOW + 5;
    const bars = barsOf(Array.from({ length: n }, (_, i) => [i, i, i, i] as [number, number, number, number]));
    const market = new ReplayMarket([{ keys: ["binance:BTCUSDT"], bars, stepSize: 0 }], BOOK);
    for (let t = 0; t < n; t++) market.advance(t);
    const candles = await market.getCandles(SPOT, "1h", MAX_WINDOW);
    expect(candles).toHaveLength(MAX_WINDOW);
    expect(candles[0]!.close).toBe(5);
    expect(candles.at(-1)!.close).toBe(n - 1);
  });

  it("a caller that edits the returned list does not change what the market holds", async () => {
    const { market } = replay();
    market.advance(0);
    market.advance(1);
    const got = await market.getCandles(SPOT, "1h", 10);
    got.pop();
    expect((await market.getCandles(SPOT, "1h", 10)).map((c) => c.close)).toEqual([100, 110]);
  });
});

describe("ReplayMarket: advancing and naming markets", () => {
  it("advance goes one bar at a time, from bar 0", () => {
    const { market } = replay();
    expect(() => market.advance(1)).toThrow("the replay moves one bar at a time: at -1, asked for 1");
    market.advance(0);
    expect(() => market.advance(0)).toThrow("the replay moves one bar at a time: at 0, asked for 0");
    expect(() => market.advance(2)).toThrow("the replay moves one bar at a time: at 0, asked for 2");
    market.advance(1);
    expect(market.bar).toBe(1);
    // A refused jump adds nothing.
    expect(market.barsAdded(0)).toBe(2);
  });

  it("reads before the first bar are refused", async () => {
    const { market } = replay();
    await expect(market.getCandles(SPOT, "1h", 10)).rejects.toThrow("the replay has not started");
    await expect(market.getQuote(SPOT)).rejects.toThrow("the replay has not started");
    await expect(market.getOrderBook(SPOT, 5)).rejects.toThrow("the replay has not started");
    await expect(market.getFunding(PERP)).rejects.toThrow("the replay has not started");
  });

  it("an unknown market's error names it and the markets the backtest has", async () => {
    const { market } = replay();
    market.advance(0);
    const eth = { venue: "binance" as const, symbol: "ETHUSDT" };
    const message = "the backtest has no data for binance ETHUSDT: it reads binance:BTCUSDT, binance:BTCUSDT-PERP";
    expect(() => market.indexOf(eth)).toThrow(message);
    await expect(market.getQuote(eth)).rejects.toThrow(message);
    await expect(market.getCandles(eth, "1h", 5)).rejects.toThrow(message);
    await expect(market.getOrderBook({ venue: "kalshi", symbol: "BTCUSDT" }, 5)).rejects.toThrow("the backtest has no data for kalshi BTCUSDT");
    await expect(market.getRules(eth)).rejects.toThrow(message);
    expect(await market.getRules(PERP)).toEqual({ tickSize: 0, stepSize: 0.01, minQuantity: 0.01, minNotional: 0 });
  });
});

describe("ReplayMarket: the book model", () => {
  it("builds quote and levels from the close: k-th level at close x (1 -/+ k x spread), each of levelSize", async () => {
    const { market } = replay({ spreadBps: 10, depth: 3, levelSize: 2.5 });
    market.advance(0); // close 100, h = 10 bps = 0.001
    const quote = await market.getQuote(SPOT);
    // bid 100 x 0.999 = 99.9, ask 100 x 1.001 = 100.1
    expect(quote.bid).toBeCloseTo(99.9, 10);
    expect(quote.ask).toBeCloseTo(100.1, 10);
    const book = await market.getOrderBook(SPOT, 10); // 10 asked, the model has 3
    // bids 99.9, 99.8, 99.7; asks 100.1, 100.2, 100.3
    expect(book.bids.map(([p]) => p)).toEqual([99.9, 99.8, 99.7].map((p) => expect.closeTo(p, 10)));
    expect(book.asks.map(([p]) => p)).toEqual([100.1, 100.2, 100.3].map((p) => expect.closeTo(p, 10)));
    expect([...book.bids, ...book.asks].map(([, s]) => s)).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
    // Fewer levels when fewer are asked; at least one.
    expect((await market.getOrderBook(SPOT, 2)).bids).toHaveLength(2);
    expect((await market.getOrderBook(SPOT, 0)).asks).toHaveLength(1);
    market.advance(1); // close 110: best bid 110 x 0.999 = 109.89, best ask 110 x 1.001 = 110.11
    const next = await market.getOrderBook(SPOT, 1);
    expect(next.bids[0]![0]).toBeCloseTo(109.89, 10);
    expect(next.asks[0]![0]).toBeCloseTo(110.11, 10);
  });

  it("spread 25 bps, depth 2, size 0.5 at a close of 200", async () => {
    const bars = barsOf([[200, 200, 200, 200]]);
    const market = new ReplayMarket([{ keys: ["polymarket:SIM-YES"], bars, stepSize: 0 }], { spreadBps: 25, depth: 2, levelSize: 0.5 });
    market.advance(0);
    // h = 0.0025: bids 200 x 0.9975 = 199.5, 200 x 0.995 = 199; asks 200.5, 201
    const book = await market.getOrderBook({ venue: "polymarket", symbol: "SIM-YES" }, 5);
    expect(book.bids).toEqual([
      [expect.closeTo(199.5, 10), 0.5],
      [expect.closeTo(199, 10), 0.5],
    ]);
    expect(book.asks).toEqual([
      [expect.closeTo(200.5, 10), 0.5],
      [expect.closeTo(201, 10), 0.5],
    ]);
  });
});
