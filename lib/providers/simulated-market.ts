import type { Candle, CandleInterval, Funding, MarketData, MarketRef, OrderBook, Quote, Venue } from "./types";

/**
 * A seeded, deterministic market. Every price is a pure function of (seed, venue, symbol, time): the same
 * seed at the same instant always gives the same quote, book and candles, so runs are reproducible, while
 * the path wanders up and down over time so strategies see signals both ways.
 *
 * The path is multi-octave value noise (periods 1 min .. ~11 days, amplitude growing with the square
 * root of the period, like a random walk) in log-price for exchanges and in log-odds for prediction
 * markets, so the latter stay strictly between 0 and 1. It is a simulation and is labelled as one.
 */

export const INTERVAL_MINUTES: Record<CandleInterval, number> = { "1m": 1, "5m": 5, "15m": 15, "1h": 60, "4h": 240, "1d": 1440 };

const OCTAVES = 8; // periods 4^0 .. 4^7 minutes

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A well-mixed 32-bit hash of two integers (murmur3's finaliser). */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b | 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function unit(key: number, i: number): number {
  return mix(key, i) / 4294967296;
}

/** Roughly standard-normal: the sum of four uniforms, rescaled. */
function gauss(key: number, i: number): number {
  return (unit(key, 4 * i) + unit(key, 4 * i + 1) + unit(key, 4 * i + 2) + unit(key, 4 * i + 3) - 2) * Math.sqrt(3);
}

function valueNoise(key: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const a = gauss(key, i);
  return a + (gauss(key, i + 1) - a) * s;
}

interface VenueProfile {
  /** Per-minute volatility of the driving process (log-price or log-odds). */
  sigma: number;
  tick: number;
  prediction: boolean;
  baseVolume: number;
}

const PROFILES: Record<Venue, VenueProfile> = {
  binance: { sigma: 0.0008, tick: 0.01, prediction: false, baseVolume: 25 },
  polymarket: { sigma: 0.009, tick: 0.01, prediction: true, baseVolume: 5_000 },
  kalshi: { sigma: 0.009, tick: 0.01, prediction: true, baseVolume: 800 },
};

function basePrice(venue: Venue, symbol: string, key: number): number {
  if (PROFILES[venue].prediction) return 0.2 + 0.6 * unit(key, 7);
  const s = symbol.toUpperCase();
  if (s.startsWith("BTC")) return 60_000;
  if (s.startsWith("ETH")) return 3_000;
  if (s.startsWith("SOL")) return 150;
  return 1 + 199 * unit(key, 7);
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

function clean(value: number, decimals = 8): number {
  return Number(value.toFixed(decimals));
}

export interface SimulatedMarketOptions {
  /** Changes every path; the same seed reproduces the same market. Default 1. */
  seed?: number;
  /** The instant prices are read at, in ms since the epoch. */
  now: number;
}

export class SimulatedMarket implements MarketData {
  readonly source = "simulated" as const;
  private readonly seed: number;
  private readonly now: number;

  constructor(options: SimulatedMarketOptions) {
    this.seed = options.seed ?? 1;
    this.now = options.now;
  }

  private key(market: MarketRef): number {
    return fnv1a(`${this.seed}:${market.venue}:${market.symbol}`);
  }

  /** The path's price at a time (ms). A perpetual ("BTCUSDT-PERP") follows its spot path plus a basis. */
  priceAt(market: MarketRef, timeMs: number): number {
    if (market.venue === "binance" && market.symbol.toUpperCase().endsWith("-PERP")) {
      const spot = { venue: market.venue, symbol: market.symbol.slice(0, -5) };
      return this.priceAt(spot, timeMs) * (1 + 2 * this.fundingRate(spot, timeMs));
    }
    const key = this.key(market);
    const profile = PROFILES[market.venue];
    const x = timeMs / 60_000;
    let drive = 0;
    let period = 1;
    for (let o = 0; o < OCTAVES; o++) {
      drive += profile.sigma * Math.sqrt(period) * 0.8 * valueNoise(mix(key, o + 101), x / period);
      period *= 4;
    }
    const base = basePrice(market.venue, market.symbol, key);
    if (profile.prediction) {
      const logit = Math.log(base / (1 - base)) + drive;
      return Math.min(0.99, Math.max(0.01, 1 / (1 + Math.exp(-logit))));
    }
    return base * Math.exp(drive);
  }

  private tickFor(venue: Venue, price: number): number {
    if (PROFILES[venue].prediction) return PROFILES[venue].tick;
    return price >= 1_000 ? 0.01 : price >= 1 ? 0.001 : 0.00001;
  }

  private book(market: MarketRef, depth: number): OrderBook {
    const key = this.key(market);
    const profile = PROFILES[market.venue];
    const mid = this.priceAt(market, this.now);
    const tick = this.tickFor(market.venue, mid);
    const step = profile.prediction ? tick : Math.max(tick, roundTo(mid * 0.0001, tick));
    let bestBid = Math.floor((mid - step / 2) / tick) * tick;
    let bestAsk = Math.ceil((mid + step / 2) / tick) * tick;
    if (profile.prediction) {
      bestBid = Math.max(tick, Math.min(1 - 2 * tick, bestBid));
      bestAsk = Math.max(bestBid + tick, Math.min(1 - tick, bestAsk));
    }
    const minute = Math.floor(this.now / 60_000);
    const size = (side: number, level: number) => {
      const base = profile.prediction ? 400 : 0.8;
      const jitter = 0.4 + 1.2 * unit(mix(key, side), minute * 131 + level);
      return clean(base * jitter * (1 + level * 0.35), profile.prediction ? 2 : 5);
    };
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    for (let level = 0; level < depth; level++) {
      const bp = clean(bestBid - level * step);
      const ap = clean(bestAsk + level * step);
      if (bp > 0 && (!profile.prediction || bp >= tick)) bids.push([bp, size(1, level)]);
      if (!profile.prediction || ap <= 1 - tick + 1e-9) asks.push([ap, size(2, level)]);
    }
    return { bids, asks, at: new Date(this.now).toISOString() };
  }

  async getQuote(market: MarketRef): Promise<Quote> {
    const { bids, asks, at } = this.book(market, 1);
    const bid = bids[0]?.[0] ?? 0;
    const ask = asks[0]?.[0] ?? bid;
    return { price: clean((bid + ask) / 2), bid, ask, at };
  }

  async getOrderBook(market: MarketRef, depth: number): Promise<OrderBook> {
    return this.book(market, Math.max(1, Math.min(100, Math.floor(depth))));
  }

  async getCandles(market: MarketRef, interval: CandleInterval, limit: number): Promise<Candle[]> {
    const width = INTERVAL_MINUTES[interval] * 60_000;
    const count = Math.max(1, Math.min(1_000, Math.floor(limit)));
    const current = Math.floor(this.now / width) * width;
    return this.candleRange(market, interval, current - (count - 1) * width, count);
  }

  /**
   * `count` consecutive candles from the one opening at `firstOpen` (a multiple of the interval), each the
   * same candle getCandles gives for it; the candle in progress at this market's instant ends there.
   */
  candleRange(market: MarketRef, interval: CandleInterval, firstOpen: number, count: number): Candle[] {
    const key = this.key(market);
    const profile = PROFILES[market.venue];
    const width = INTERVAL_MINUTES[interval] * 60_000;
    const decimals = profile.prediction ? 4 : 2;
    const candles: Candle[] = [];
    for (let c = 0; c < count; c++) {
      const open = firstOpen + c * width;
      const close = Math.min(open + width, this.now);
      const o = this.priceAt(market, open);
      const last = this.priceAt(market, close);
      let high = Math.max(o, last);
      let low = Math.min(o, last);
      for (let s = 1; s < 8; s++) {
        const t = open + ((close - open) * s) / 8;
        const p = this.priceAt(market, t);
        if (p > high) high = p;
        if (p < low) low = p;
      }
      const bar = open / width;
      const wick = 1 + 0.0004 * unit(key, bar * 3 + 1);
      const spike = unit(key, bar * 3 + 2) > 0.95 ? 4 : 1;
      const volume = profile.baseVolume * INTERVAL_MINUTES[interval] * (0.3 + 1.4 * unit(key, bar * 3)) * spike;
      candles.push({
        time: open,
        open: clean(o, decimals),
        high: clean(profile.prediction ? Math.min(0.99, high * wick) : high * wick, decimals),
        low: clean(profile.prediction ? low : low / wick, decimals),
        close: clean(last, decimals),
        volume: clean(volume, 4),
      });
    }
    return candles;
  }

  private fundingRate(spot: MarketRef, timeMs: number): number {
    return 0.0001 + 0.0004 * valueNoise(mix(this.key(spot), 991), timeMs / (8 * 3_600_000));
  }

  /**
   * Simulated perpetual funding: an 8-hourly rate that drifts around +0.01% and changes sign now and then,
   * and a mark price a few basis points from spot in the direction of the rate.
   */
  async getFunding(market: MarketRef): Promise<Funding> {
    if (market.venue !== "binance") throw new Error(`${market.venue} has no perpetual futures, so no funding rate`);
    const spotMarket = { venue: market.venue, symbol: market.symbol.replace(/-PERP$/i, "") };
    const eightHours = 8 * 3_600_000;
    const rate = this.fundingRate(spotMarket, this.now);
    const spot = this.priceAt(spotMarket, this.now);
    return {
      rate: clean(rate, 8),
      intervalHours: 8,
      nextTime: (Math.floor(this.now / eightHours) + 1) * eightHours,
      markPrice: clean(spot * (1 + rate * 2), 2),
      at: new Date(this.now).toISOString(),
    };
  }
}
