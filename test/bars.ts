/**
 * Bars for backtest tests and benchmarks: hand-made rows, the recorded candles in test/fixtures/candles,
 * and a seeded random-number generator. Test support only.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { emptyBars, type Bars } from "@/lib/backtest/types";

export const T0 = Date.UTC(2024, 0, 1);
export const HOUR = 3_600_000;

export type Row = [open: number, high: number, low: number, close: number];

/** Bars from [open, high, low, close] rows, one an hour from T0. */
export function hourlyBars(rows: Row[], volume: (i: number) => number = () => 100): Bars {
  const b = emptyBars(rows.length);
  rows.forEach(([o, h, l, c], i) => {
    b.time[i] = T0 + i * HOUR;
    b.open[i] = o;
    b.high[i] = h;
    b.low[i] = l;
    b.close[i] = c;
    b.volume[i] = volume(i);
  });
  return b;
}

/** A recorded candle file of test/fixtures/candles (`openTimeInMillis` or `time`, prices as strings or numbers), the first `limit` bars. */
export function fixtureBars(name: string, limit = Infinity): Bars {
  const rows = (JSON.parse(readFileSync(path.join(__dirname, "fixtures/candles", name), "utf8")) as Record<string, string | number>[]).slice(0, limit);
  const b = emptyBars(rows.length);
  rows.forEach((r, i) => {
    b.time[i] = Number(r.openTimeInMillis ?? r.time);
    b.open[i] = Number(r.open);
    b.high[i] = Number(r.high);
    b.low[i] = Number(r.low);
    b.close[i] = Number(r.close);
    b.volume[i] = Number(r.volume);
  });
  return b;
}

/** mulberry32: a seeded generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
