import type { Candle, CandleInterval, Funding, MarketData, MarketRef, MarketRules, OrderBook, Quote } from "../providers/types";
import type { Bars } from "./types";

/**
 * The market a backtest's nodes read. It holds bars only up to the current bar, by construction: `advance`
 * adds one bar at a time and every read is answered from what has been added, so no node can see a later
 * bar whatever it asks for. Quotes and books are built from the current bar's close, `spreadBps` either
 * side, `depth` levels of `levelSize` each.
 */

export interface ReplaySeries {
  /** `venue:symbol` keys this series answers for. */
  keys: string[];
  bars: Bars;
  funding?: { time: Float64Array; rate: Float64Array };
  stepSize: number;
}

export interface BookModel {
  spreadBps: number;
  depth: number;
  levelSize: number;
}

/** The most candles a provider node can ask for (its candle_limit's maximum). */
export const MAX_WINDOW = 1000;

/** The index of the last of the ascending `times` at or before `time`, or -1. */
export function lastAtOrBefore(times: Float64Array, time: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= time) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}

export function marketKey(m: MarketRef): string {
  return `${m.venue}:${m.symbol}`;
}

export class ReplayMarket implements MarketData {
  readonly source = "replay" as const;
  /** The current bar; -1 before the first. */
  private t = -1;
  private readonly byKey = new Map<string, number>();
  /** Per series, the last MAX_WINDOW candles added, oldest first. */
  private readonly windows: Candle[][];
  /** Per series, bars added so far (the lookahead test reads it). */
  private readonly added: Int32Array;

  constructor(
    readonly series: readonly ReplaySeries[],
    private readonly book: BookModel,
  ) {
    series.forEach((s, i) => s.keys.forEach((k) => this.byKey.set(k, i)));
    this.windows = series.map(() => []);
    this.added = new Int32Array(series.length);
  }

  /** Adds bar t (the next one) of every series. */
  advance(t: number): void {
    if (t !== this.t + 1) throw new Error(`the replay moves one bar at a time: at ${this.t}, asked for ${t}`);
    this.t = t;
    for (let i = 0; i < this.series.length; i++) {
      const b = this.series[i]!.bars;
      const w = this.windows[i]!;
      w.push({ time: b.time[t]!, open: b.open[t]!, high: b.high[t]!, low: b.low[t]!, close: b.close[t]!, volume: b.volume[t]! });
      if (w.length > MAX_WINDOW) w.shift();
      this.added[i] = t + 1;
    }
  }

  /** The current bar's index. */
  get bar(): number {
    return this.t;
  }

  /** The series index of a market, or an error naming it. */
  indexOf(market: MarketRef): number {
    const i = this.byKey.get(marketKey(market));
    if (i === undefined) {
      throw new Error(`the backtest has no data for ${market.venue} ${market.symbol}: it reads ${[...this.byKey.keys()].join(", ")}`);
    }
    return i;
  }

  private current(market: MarketRef): { i: number; close: number; time: number } {
    if (this.t < 0) throw new Error("the replay has not started");
    const i = this.indexOf(market);
    const b = this.series[i]!.bars;
    return { i, close: b.close[this.t]!, time: b.time[this.t]! };
  }

  async getQuote(market: MarketRef): Promise<Quote> {
    const { close, time } = this.current(market);
    const h = this.book.spreadBps / 10_000;
    return { price: close, bid: close * (1 - h), ask: close * (1 + h), at: new Date(time).toISOString() };
  }

  async getOrderBook(market: MarketRef, depth: number): Promise<OrderBook> {
    const { close, time } = this.current(market);
    const h = this.book.spreadBps / 10_000;
    const n = Math.max(1, Math.min(depth, this.book.depth));
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    for (let k = 1; k <= n; k++) {
      bids.push([close * (1 - h * k), this.book.levelSize]);
      asks.push([close * (1 + h * k), this.book.levelSize]);
    }
    return { bids, asks, at: new Date(time).toISOString() };
  }

  /** The last `limit` bars up to the current one, whatever interval is asked: the data's bars are the bars. */
  async getCandles(market: MarketRef, _interval: CandleInterval, limit: number): Promise<Candle[]> {
    const { i } = this.current(market);
    const w = this.windows[i]!;
    return limit >= w.length ? w.slice() : w.slice(w.length - limit);
  }

  async getFunding(market: MarketRef): Promise<Funding> {
    const { i, close, time } = this.current(market);
    // A spot symbol reads its perpetual's funding, as the venue clients and the simulated market do.
    if (market.venue !== "binance") throw new Error(`${market.venue} has no perpetual futures, so no funding rate`);
    const f = this.series[i]!.funding;
    let rate = 0;
    let next = time + 8 * 3_600_000;
    if (f && f.time.length > 0) {
      // The latest funding at or before the current bar; the next one after it.
      const at = lastAtOrBefore(f.time, time);
      if (at >= 0) rate = f.rate[at]!;
      if (at + 1 < f.time.length) next = f.time[at + 1]!;
    }
    return { rate, intervalHours: 8, nextTime: next, markPrice: close, at: new Date(time).toISOString() };
  }

  async getRules(market: MarketRef): Promise<MarketRules | null> {
    const i = this.indexOf(market);
    const step = this.series[i]!.stepSize;
    return { tickSize: 0, stepSize: step, minQuantity: step, minNotional: 0 };
  }

  /** How many bars of series i have been added (for tests: never more than the current bar + 1). */
  barsAdded(i: number): number {
    return this.added[i]!;
  }
}
