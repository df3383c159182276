import { beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import type { Candle } from "../providers/types";
import {
  countCandles,
  getCandleBars,
  insertCandles,
  listCoveredRanges,
  listFundingRanges,
  listFundingRates,
  mergeRanges,
  saveCandlePage,
  saveFundingPage,
  subtractRanges,
  type SeriesKey,
} from "./candles";

/** The candle store on a throwaway SQLite database migrated like production. */

beforeAll(() => {
  useThrowawayDatabase();
});

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const candle = (time: number, close = 100): Candle => ({ time, open: close - 1, high: close + 1, low: close - 2, close, volume: 10 });
const series = (symbol: string, interval = "1m"): SeriesKey => ({ venue: "binance", symbol, interval });

describe("ranges", () => {
  it("merges overlapping and touching ranges, keeps separate ones apart", () => {
    expect(mergeRanges([{ from: 10, to: 20 }, { from: 0, to: 5 }, { from: 21, to: 30 }, { from: 25, to: 26 }, { from: 40, to: 50 }])).toEqual([
      { from: 0, to: 5 },
      { from: 10, to: 30 },
      { from: 40, to: 50 },
    ]);
  });

  it("subtracts covered ranges from a wanted range", () => {
    const covered = [{ from: 10, to: 19 }, { from: 30, to: 39 }];
    expect(subtractRanges(0, 49, covered)).toEqual([{ from: 0, to: 9 }, { from: 20, to: 29 }, { from: 40, to: 49 }]);
    expect(subtractRanges(10, 39, [{ from: 10, to: 19 }, { from: 20, to: 39 }])).toEqual([]);
    expect(subtractRanges(15, 35, covered)).toEqual([{ from: 20, to: 29 }]);
    expect(subtractRanges(0, 5, [])).toEqual([{ from: 0, to: 5 }]);
  });
});

describe("candle pages", () => {
  it("stores a page's bars and coverage together, and merges coverage page by page", async () => {
    const s = series("PAGES");
    await saveCandlePage(s, [candle(T0), candle(T0 + MIN)], { from: T0, to: T0 + 2 * MIN - 1 });
    await saveCandlePage(s, [candle(T0 + 5 * MIN)], { from: T0 + 4 * MIN, to: T0 + 6 * MIN - 1 });
    expect(await listCoveredRanges(s)).toEqual([{ from: T0, to: T0 + 2 * MIN - 1 }, { from: T0 + 4 * MIN, to: T0 + 6 * MIN - 1 }]);
    // The page between them (with no bars: the venue had none) joins all three into one stretch.
    await saveCandlePage(s, [], { from: T0 + 2 * MIN, to: T0 + 4 * MIN - 1 });
    expect(await listCoveredRanges(s)).toEqual([{ from: T0, to: T0 + 6 * MIN - 1 }]);
    const bars = await getCandleBars(s, T0, T0 + 10 * MIN);
    expect(Array.from(bars.time)).toEqual([T0, T0 + MIN, T0 + 5 * MIN]);
    expect(bars.close[2]).toBe(100);
    // Other series are untouched.
    expect(await listCoveredRanges(series("PAGES", "5m"))).toEqual([]);
  });

  it("keeps the first bar stored for an open time", async () => {
    const s = series("FIRST");
    expect(await insertCandles(s, [candle(T0, 100), candle(T0 + MIN, 101)])).toBe(2);
    expect(await insertCandles(s, [candle(T0, 999), candle(T0 + 2 * MIN, 102)])).toBe(1);
    const bars = await getCandleBars(s, T0, T0 + 2 * MIN);
    expect(Array.from(bars.close)).toEqual([100, 101, 102]);
    expect(await listCoveredRanges(s)).toEqual([]);
  });

  it("stores and reads 500,000 bars", async () => {
    const s = series("BULK");
    const n = 500_000;
    const candles = Array.from({ length: n }, (_, i) => candle(T0 + i * MIN, 100 + (i % 7)));
    const started = performance.now();
    expect(await insertCandles(s, candles)).toBe(n);
    const bars = await getCandleBars(s, T0, T0 + n * MIN);
    const seconds = (performance.now() - started) / 1000;
    expect(bars.length).toBe(n);
    expect(bars.time[n - 1]).toBe(T0 + (n - 1) * MIN);
    expect(bars.close[n - 1]).toBe(100 + ((n - 1) % 7));
    for (let i = 1; i < n; i++) if (bars.time[i]! <= bars.time[i - 1]!) throw new Error(`not ascending at ${i}`);
    expect(await countCandles(s, T0 + 10 * MIN, T0 + 19 * MIN)).toBe(10);
    expect(seconds).toBeLessThan(60);
  }, 120_000);
});

describe("funding", () => {
  it("stores funding pages with their coverage and reads a range back", async () => {
    const H8 = 8 * 3_600_000;
    await saveFundingPage("binance", "BTCUSDT-PERP", [{ time: T0, rate: 0.0001 }, { time: T0 + H8, rate: -0.0002 }], { from: T0, to: T0 + H8 });
    await saveFundingPage("binance", "BTCUSDT-PERP", [{ time: T0 + H8, rate: 9 }, { time: T0 + 2 * H8, rate: 0.0003 }], { from: T0 + H8 + 1, to: T0 + 3 * H8 });
    expect(await listFundingRanges("binance", "BTCUSDT-PERP")).toEqual([{ from: T0, to: T0 + 3 * H8 }]);
    expect(await listFundingRates("binance", "BTCUSDT-PERP", T0, T0 + 2 * H8)).toEqual([
      { time: T0, rate: 0.0001 },
      { time: T0 + H8, rate: -0.0002 },
      { time: T0 + 2 * H8, rate: 0.0003 },
    ]);
    expect(await listFundingRates("binance", "BTCUSDT-PERP", T0 + 1, T0 + H8)).toEqual([{ time: T0 + H8, rate: -0.0002 }]);
    // Funding coverage does not count as candle coverage.
    expect(await listCoveredRanges(series("BTCUSDT-PERP"))).toEqual([]);
  });
});
