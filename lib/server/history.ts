import "server-only";
import { emptyBars, type Bars, type DataSummary } from "../backtest/types";
import { FUNDING_SERIES, getCandleBars, listCoveredRanges, listFundingRanges, listFundingRates, saveCandlePage, saveFundingPage, subtractRanges, type FundingRate, type SeriesKey, type TimeRange } from "../db/candles";
import { CANDLE_INTERVALS, type Candle, type CandleInterval, type Venue } from "../providers/types";
import { createBinanceMarketClient, parseBinanceSymbol, type BinanceMarketClient } from "../venues/binance";
import { createKalshiMarketClient, type KalshiMarketClient } from "../venues/kalshi";
import { createPolymarketMarketClient, type PolymarketMarketClient } from "../venues/polymarket";

/**
 * Venue history for backtests, read through the candle store (lib/db/candles.ts). Only the stretches of a
 * range the store has not covered are fetched, through the venue clients (their timeouts, retries and
 * token buckets); each page is stored with its coverage as it arrives, so a second load of a covered range
 * sends no request and a failed fetch keeps every page before the failure. Bars the venue did not return
 * are reported as gaps, never filled; open times the venue repeated are counted and stored once.
 */

export const INTERVAL_MS: Record<CandleInterval, number> = { "1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000, "1d": 86_400_000 };
/** Gap stretches listed in a summary at most; the totals count all of them. */
export const MAX_LISTED_GAPS = 100;

/** What loadVenueBars needs of the venue clients. */
export interface HistoryClients {
  binance: Pick<BinanceMarketClient, "klineHistoryPages" | "fundingHistoryPages">;
  kalshi: Pick<KalshiMarketClient, "candleHistoryPages">;
  polymarket: Pick<PolymarketMarketClient, "candleHistoryPages">;
}

export interface VenueBarsRequest {
  venue: Venue;
  symbol: string;
  interval: CandleInterval;
  /** First and last open time wanted, inclusive: ms since the epoch or an ISO 8601 time. */
  from: number | string;
  to: number | string;
}

export interface FetchProgress {
  venue: Venue;
  symbol: string;
  interval: CandleInterval;
  /** The stretch the page just stored covers (ms, inclusive). */
  from: number;
  to: number;
  /** Bars stored by this load so far, and history requests sent. */
  bars: number;
  requests: number;
}

export interface LoadOptions {
  signal?: AbortSignal;
  /** Called after each fetched page is stored. */
  onFetched?: (progress: FetchProgress) => void;
  /** Venue clients to read through; by default new ones configured from the environment. */
  clients?: Partial<HistoryClients>;
  /** Clock (ms): bars still open at this time are neither fetched nor recorded as covered. */
  now?: () => number;
}

export interface VenueBars {
  bars: Bars;
  summary: DataSummary;
  /** History requests this load sent (one per page); 0 when the store covered the range. */
  requests: number;
  /** Every gap inside the range, where summary.gaps lists at most MAX_LISTED_GAPS of them. */
  missing: { stretches: number; bars: number };
  /** Bars this load fetched and stored. */
  fetchedBars: number;
}

/** A venue could not be read while fetching history; the pages fetched before the failure are stored. */
export class HistoryError extends Error {
  readonly venue: Venue;
  readonly symbol: string;
  /** The candle interval, or "funding". */
  readonly interval: string;
  /** The range that was being loaded (ms, inclusive). */
  readonly from: number;
  readonly to: number;
  /** Bars (or funding records) fetched and kept before the failure. */
  readonly fetchedBars: number;

  constructor(init: { venue: Venue; symbol: string; interval: string; from: number; to: number; fetchedBars: number; cause: unknown }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    const own = reason.startsWith(`${init.venue}: `) ? reason.slice(init.venue.length + 2) : reason;
    const what = init.interval === FUNDING_SERIES ? "funding" : `${init.interval} candle`;
    const kept = init.interval === FUNDING_SERIES ? "funding rates" : "bars";
    super(
      `${init.venue}: could not fetch ${init.symbol} ${what} history for ${iso(init.from)} to ${iso(init.to)}: ${own}. ` +
        `${init.fetchedBars} ${kept} fetched before the failure are kept; loading the range again fetches only what is missing.`,
      { cause: init.cause },
    );
    this.name = "HistoryError";
    this.venue = init.venue;
    this.symbol = init.symbol;
    this.interval = init.interval;
    this.from = init.from;
    this.to = init.to;
    this.fetchedBars = init.fetchedBars;
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function toMs(value: number | string, what: string): number {
  const ms = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`history: "${value}" is not a time (${what})`);
  return Math.floor(ms);
}

/** The symbol as the store keys it: the venue's own normal form. */
export function historySymbol(venue: Venue, symbol: string): string {
  const raw = String(symbol ?? "").trim();
  if (!raw) throw new Error(`history: a ${venue} symbol is required`);
  switch (venue) {
    case "binance":
      try {
        return parseBinanceSymbol(raw).display;
      } catch (error) {
        throw new Error(`history: ${(error as Error).message}`);
      }
    case "kalshi":
      return raw.toUpperCase();
    case "polymarket":
      return raw;
  }
}

function client<V extends Venue>(venue: V, given: Partial<HistoryClients> | undefined): HistoryClients[V] {
  const hit = given?.[venue];
  if (hit) return hit;
  const made: HistoryClients[Venue] = venue === "binance" ? createBinanceMarketClient() : venue === "kalshi" ? createKalshiMarketClient() : createPolymarketMarketClient();
  return made as HistoryClients[V];
}

type PageReader = (range: TimeRange) => AsyncIterator<{ from: number; to: number; candles: Candle[] }>;

/** Reads pages of one series through one client, made on first use (a covered load makes none). */
function pageReader(clients: Partial<HistoryClients> | undefined, venue: Venue, symbol: string, interval: CandleInterval, signal: AbortSignal | undefined): PageReader {
  let read: ((range: TimeRange) => AsyncIterable<{ from: number; to: number; candles: Candle[] }>) | null = null;
  return (range) => {
    if (!read) {
      switch (venue) {
        case "binance": {
          const c = client("binance", clients);
          read = (r) => c.klineHistoryPages(symbol, interval, r.from, r.to, signal);
          break;
        }
        case "kalshi": {
          const c = client("kalshi", clients);
          read = (r) => c.candleHistoryPages(symbol, interval, r.from, r.to, signal);
          break;
        }
        case "polymarket": {
          const c = client("polymarket", clients);
          read = (r) => c.candleHistoryPages(symbol, interval, r.from, r.to, signal);
          break;
        }
      }
    }
    return read(range)[Symbol.asyncIterator]();
  };
}

/**
 * Missing bars of [from, to] relative to the interval: stretches of absent open times on the interval's
 * grid (phased on the first bar, else on the epoch), at most `limit` listed and all counted.
 */
export function findGaps(time: ArrayLike<number>, from: number, to: number, stepMs: number, limit = MAX_LISTED_GAPS): { gaps: DataSummary["gaps"]; stretches: number; bars: number } {
  const mod = (x: number) => ((x % stepMs) + stepMs) % stepMs;
  const phase = time.length > 0 ? mod(time[0]!) : 0;
  const floorGrid = (t: number) => t - mod(t - phase);
  const gaps: DataSummary["gaps"] = [];
  let stretches = 0;
  let missing = 0;
  const add = (a: number, b: number) => {
    const bars = Math.round((b - a) / stepMs) + 1;
    stretches++;
    missing += bars;
    if (gaps.length < limit) gaps.push({ from: a, to: b, bars });
  };
  let expected = floorGrid(from) < from ? floorGrid(from) + stepMs : floorGrid(from);
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (t < expected) continue;
    const slot = floorGrid(t);
    if (slot > expected) add(expected, slot - stepMs);
    expected = slot + stepMs;
  }
  if (expected <= to) add(expected, floorGrid(to));
  return { gaps, stretches, bars: missing };
}

/** Candles with each open time once (the first the venue gave); the repeats are counted. */
function dedupe(candles: readonly Candle[]): { unique: Candle[]; duplicates: number } {
  const seen = new Set<number>();
  const unique: Candle[] = [];
  for (const c of candles) {
    if (seen.has(c.time)) continue;
    seen.add(c.time);
    unique.push(c);
  }
  return { unique, duplicates: candles.length - unique.length };
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return (signal?.aborted ?? false) || (error instanceof Error && error.name === "AbortError");
}

/**
 * The bars of a venue series with open times in [from, to], fetching only what the store does not cover.
 * Bars still open (per options.now) are left out. A venue failure throws HistoryError after keeping every
 * page fetched before it; an abort throws the signal's reason.
 */
export async function loadVenueBars(request: VenueBarsRequest, options: LoadOptions = {}): Promise<VenueBars> {
  const { venue, interval } = request;
  const { signal } = options;
  if (!(CANDLE_INTERVALS as readonly string[]).includes(interval)) throw new Error(`history: unsupported candle interval "${interval}" (use ${CANDLE_INTERVALS.join(", ")})`);
  const symbol = historySymbol(venue, request.symbol);
  const from = toMs(request.from, "from");
  const to = toMs(request.to, "to");
  if (from > to) throw new Error(`history: the range starts after it ends (${iso(from)} > ${iso(to)})`);
  const step = INTERVAL_MS[interval];
  const now = (options.now ?? Date.now)();
  const lastClosed = Math.floor(now / step) * step - step;
  const end = Math.min(to, lastClosed);
  const series: SeriesKey = { venue, symbol, interval };

  let requests = 0;
  let fetchedBars = 0;
  let duplicates = 0;
  if (from <= end) {
    // Fetched stretches span whole interval slots, so coverage stays on the interval's grid.
    const slotFrom = Math.floor(from / step) * step;
    const slotTo = Math.floor(end / step) * step + step - 1;
    const missing = subtractRanges(slotFrom, slotTo, await listCoveredRanges(series));
    const read = pageReader(options.clients, venue, symbol, interval, signal);
    for (const stretch of missing) {
      const pages = read(stretch);
      for (;;) {
        let next: IteratorResult<{ from: number; to: number; candles: Candle[] }>;
        try {
          next = await pages.next();
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          throw new HistoryError({ venue, symbol, interval, from, to, fetchedBars, cause: error });
        }
        if (next.done) break;
        requests++;
        const page = next.value;
        const { unique, duplicates: repeated } = dedupe(page.candles);
        duplicates += repeated;
        await saveCandlePage(series, unique, { from: page.from, to: page.to });
        fetchedBars += unique.length;
        options.onFetched?.({ venue, symbol, interval, from: page.from, to: page.to, bars: fetchedBars, requests });
      }
    }
  }

  const bars = from <= end ? await getCandleBars(series, from, end) : emptyBars(0);
  const gaps = from <= end ? findGaps(bars.time, from, end, step) : { gaps: [], stretches: 0, bars: 0 };
  const first = bars.length > 0 ? bars.time[0]! : null;
  const last = bars.length > 0 ? bars.time[bars.length - 1]! : null;
  const summary: DataSummary = {
    source: "venue",
    label: `${venue} ${symbol} ${interval}`,
    nodes: [],
    interval,
    bars: bars.length,
    from: first === null ? null : iso(first),
    to: last === null ? null : iso(last),
    gaps: gaps.gaps,
    duplicates,
  };
  return { bars, summary, requests, missing: { stretches: gaps.stretches, bars: gaps.bars }, fetchedBars };
}

/**
 * Funding rates of a perpetual with funding times in [from, to], oldest first, fetching only what the store
 * does not cover. Binance "-PERP" symbols only: spot markets and the other venues have no funding ([]).
 */
export async function loadFunding(venue: Venue, symbol: string, from: number | string, to: number | string, options: Omit<LoadOptions, "onFetched"> = {}): Promise<FundingRate[]> {
  if (venue !== "binance") return [];
  const display = historySymbol(venue, symbol);
  if (!display.endsWith("-PERP")) return [];
  const market = parseBinanceSymbol(display);
  const fromMs = toMs(from, "from");
  const toMsValue = toMs(to, "to");
  if (fromMs > toMsValue) throw new Error(`history: the range starts after it ends (${iso(fromMs)} > ${iso(toMsValue)})`);
  const end = Math.min(toMsValue, (options.now ?? Date.now)());
  let fetched = 0;
  if (fromMs <= end) {
    const missing = subtractRanges(fromMs, end, await listFundingRanges(venue, market.display));
    const binance = missing.length > 0 ? client("binance", options.clients) : null;
    for (const stretch of missing) {
      const pages = binance!.fundingHistoryPages(market.display, stretch.from, stretch.to, options.signal)[Symbol.asyncIterator]();
      for (;;) {
        let next: Awaited<ReturnType<typeof pages.next>>;
        try {
          next = await pages.next();
        } catch (error) {
          if (isAbort(error, options.signal)) throw error;
          throw new HistoryError({ venue, symbol: market.display, interval: FUNDING_SERIES, from: fromMs, to: toMsValue, fetchedBars: fetched, cause: error });
        }
        if (next.done) break;
        const page = next.value;
        await saveFundingPage(venue, market.display, page.records.map((r) => ({ time: r.time, rate: r.rate })), { from: page.from, to: page.to });
        fetched += page.records.length;
      }
    }
  }
  return listFundingRates(venue, market.display, fromMs, toMsValue);
}
