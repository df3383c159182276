/**
 * Indicator series computed with trading-signals (MIT), in TA-Lib's conventions so that values can be
 * checked against TA-Lib's own regression tables and its WebAssembly build:
 * - SMA: arithmetic mean of the last `period` values (as trading-signals sums them); first value at index period-1.
 * - EMA: k = 2/(period+1), seeded with the SMA of the first `period` values (TA-Lib's default); first value
 *   at index period-1. trading-signals' EMA seeds with the first price, so it is fed that SMA first.
 * - RSI: Wilder's smoothing (trading-signals' default); first value at index `period`.
 * - MACD: fast and slow EMAs as above, the fast one seeded over the same bars as the slow one ends its
 *   seed (TA-Lib aligns them), signal = EMA of MACD seeded the same way; first value at slow+signal-2.
 * - Bollinger bands: SMA middle, population standard deviation (divide by N), bands at k deviations.
 * Every function returns one entry per input value, `null` during the warm-up.
 */
import { BollingerBands, EMA, RSI } from "trading-signals";

export type Series = (number | null)[];

function assertPeriod(period: number, name = "period"): void {
  if (!Number.isInteger(period) || period < 1) throw new Error(`${name} must be a whole number of at least 1, got ${period}`);
}

/**
 * Each value is the sum of the last `period` values, oldest first, divided by `period`: the same
 * operations in the same order as trading-signals' SMA (so the same bits), without its per-value array
 * shifting, which made it the hottest function of a backtest.
 */
export function sma(values: readonly number[], period: number): Series {
  assertPeriod(period);
  const n = values.length;
  const out: Series = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      out[i] = null;
      continue;
    }
    let sum = 0;
    for (let k = i - period + 1; k <= i; k++) sum += values[k]!;
    out[i] = sum / period;
  }
  return out;
}

/** EMA seeded with the SMA of its first `period` values, from index `start` of `values`. */
export function ema(values: readonly number[], period: number, start = 0): Series {
  assertPeriod(period);
  const out: Series = new Array(values.length).fill(null);
  if (values.length - start < period) return out;
  let seed = 0;
  for (let i = start; i < start + period; i++) seed += values[i]!;
  const ind = new EMA(period);
  out[start + period - 1] = ind.update(seed / period, false);
  for (let i = start + period; i < values.length; i++) out[i] = ind.update(values[i]!, false);
  return out;
}

export function rsi(values: readonly number[], period: number): Series {
  assertPeriod(period);
  const ind = new RSI(period);
  return values.map((v) => ind.update(v, false) ?? null);
}

export interface MacdSeries {
  macd: Series;
  signal: Series;
  histogram: Series;
}

export function macd(values: readonly number[], fast: number, slow: number, signal: number): MacdSeries {
  assertPeriod(fast, "fast period");
  assertPeriod(slow, "slow period");
  assertPeriod(signal, "signal period");
  // TA-Lib swaps the periods when fast > slow.
  const [f, s] = fast <= slow ? [fast, slow] : [slow, fast];
  const n = values.length;
  const slowLine = ema(values, s);
  const fastLine = ema(values, f, s - f);
  const line: Series = new Array(n).fill(null);
  for (let i = s - 1; i < n; i++) line[i] = (fastLine[i] as number) - (slowLine[i] as number);
  const defined = line.slice(s - 1) as number[];
  const sig = ema(defined, signal);
  const signalLine: Series = new Array(n).fill(null);
  const histogram: Series = new Array(n).fill(null);
  const first = s - 1 + signal - 1;
  const macdOut: Series = new Array(n).fill(null);
  for (let i = first; i < n; i++) {
    const sv = sig[i - (s - 1)] as number;
    macdOut[i] = line[i] as number;
    signalLine[i] = sv;
    histogram[i] = (line[i] as number) - sv;
  }
  return { macd: macdOut, signal: signalLine, histogram };
}

export interface BandsSeries {
  upper: Series;
  middle: Series;
  lower: Series;
}

export function bollinger(values: readonly number[], period: number, deviations: number): BandsSeries {
  assertPeriod(period);
  const ind = new BollingerBands(period, deviations);
  const upper: Series = [];
  const middle: Series = [];
  const lower: Series = [];
  for (const v of values) {
    const r = ind.update(v, false);
    upper.push(r ? r.upper : null);
    middle.push(r ? r.middle : null);
    lower.push(r ? r.lower : null);
  }
  return { upper, middle, lower };
}

/** The values after the warm-up (the nulls at the start dropped). */
export function stable(series: Series): number[] {
  const first = series.findIndex((v) => v !== null);
  return first < 0 ? [] : (series.slice(first) as number[]);
}
