import { INTERVAL_MINUTES, SimulatedMarket } from "../providers/simulated-market";
import type { CandleInterval, MarketRef } from "../providers/types";
import { emptyBars, type Bars } from "./types";

/** Start of the UTC day of `ms`: the default end of simulated data, so a seed gives the same bars all day. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

/**
 * `count` bars of the seeded simulated market for one market, the last opening at or before `end`: the
 * same candles a simulated run reads, so a backtest on them is reproducible offline.
 */
export function simulatedBars(market: MarketRef, interval: CandleInterval, count: number, end: number, seed?: number): Bars {
  const width = INTERVAL_MINUTES[interval] * 60_000;
  const lastOpen = Math.floor(end / width) * width;
  const first = lastOpen - (count - 1) * width;
  const sim = new SimulatedMarket({ now: lastOpen + width, ...(seed === undefined ? {} : { seed }) });
  const bars = emptyBars(count);
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const candles = sim.candleRange(market, interval, first + start * width, n);
    for (let k = 0; k < n; k++) {
      const c = candles[k]!;
      const i = start + k;
      bars.time[i] = c.time;
      bars.open[i] = c.open;
      bars.high[i] = c.high;
      bars.low[i] = c.low;
      bars.close[i] = c.close;
      bars.volume[i] = c.volume;
    }
  }
  return bars;
}

const EIGHT_HOURS = 8 * 3_600_000;

/** The simulated market's funding of a perpetual at every 8-hour funding time from `from` to `to`. */
export async function simulatedFunding(symbol: string, from: number, to: number, seed?: number): Promise<{ time: Float64Array; rate: Float64Array }> {
  const first = Math.ceil(from / EIGHT_HOURS) * EIGHT_HOURS;
  const count = first > to ? 0 : Math.floor((to - first) / EIGHT_HOURS) + 1;
  const time = new Float64Array(count);
  const rate = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const t = first + k * EIGHT_HOURS;
    const f = await new SimulatedMarket({ now: t, ...(seed === undefined ? {} : { seed }) }).getFunding({ venue: "binance", symbol });
    time[k] = t;
    rate[k] = f.rate;
  }
  return { time, rate };
}
