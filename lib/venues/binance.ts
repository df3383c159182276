import "server-only";
import { createHash, createHmac } from "node:crypto";
import type { Balance, Candle, CandleInterval, Funding, Order, OrderBook, OrderRequest, OrderStatus, Position, Quote } from "../providers/types";
import { venueTimeoutMs, venueUrls } from "./config";
import { VenueError } from "./errors";
import { sharedBucket, VenueHttp, type QueryValue, type SignInput, type VenueHttpOptions } from "./http";
import type { MarketRules, VenueAccountClient, VenueMarketClient } from "./types";

/**
 * Binance spot and USDⓈ-M perpetual futures.
 *
 * Symbols: "BTCUSDT" is the spot market (BINANCE_BASE_URL, /api/v3/...); "BTCUSDT-PERP" is the USDⓈ-M
 * perpetual (BINANCE_FUTURES_BASE_URL, /fapi/...), sent to Binance without the "-PERP" suffix.
 *
 * Request weights and limits follow Binance's REST docs (spot rest-api.md "Market data endpoints",
 * "Account endpoints"; USDⓈ-M "Market Data" / "Trade" pages), summarised in
 * shared/guide/providers-and-data.md §1.1. Buckets are process-wide (sharedBucket) so that every run in
 * the process together stays inside the per-IP / per-account budget:
 * - spot REQUEST_WEIGHT 6000/min: refill 100/s, capacity 1200 (bounds a burst to ~12 s of budget);
 * - futures REQUEST_WEIGHT 2400/min: refill 40/s, capacity 480;
 * - orders (spot 50 per 10 s; futures' per-account limits are higher): refill 5/s, capacity 50 for both;
 * - /fapi/v1/fundingRate and /fapi/v1/fundingInfo have IP weight 0 but share their own limit of
 *   500 requests per 5 minutes: a separate bucket, refill 1.6/s, capacity 20 (20 + 1.6 x 300 = 500).
 */

export const BINANCE_SPOT_WEIGHT = { capacity: 1200, refillPerSecond: 100 } as const;
export const BINANCE_FUTURES_WEIGHT = { capacity: 480, refillPerSecond: 40 } as const;
export const BINANCE_ORDERS = { capacity: 50, refillPerSecond: 5 } as const;
export const BINANCE_FUNDING_INFO = { capacity: 20, refillPerSecond: 1.6 } as const;

const RECV_WINDOW = 5000;
const RULES_TTL_MS = 10 * 60_000;
/** Binance's own allowed client order id pattern (newClientOrderId). */
export const BINANCE_CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export interface BinanceClientOptions {
  /** Spot REST base URL; default venueUrls().binance (env BINANCE_BASE_URL). */
  baseUrl?: string;
  /** USDⓈ-M futures REST base URL; default venueUrls().binanceFutures (env BINANCE_FUTURES_BASE_URL). */
  futuresBaseUrl?: string;
  /** Per-request timeout; default venueTimeoutMs("binance"). */
  timeoutMs?: number;
  /** Read retries (VenueHttp default 3). */
  maxRetries?: number;
  /** First backoff step in ms (VenueHttp default 250). */
  backoffMs?: number;
  /** Test seam for backoff waits. */
  sleep?: VenueHttpOptions["sleep"];
  /** Clock for timestamps and caches (tests). */
  now?: () => number;
}

export interface BinanceAccountOptions extends BinanceClientOptions {
  /** The asset whose free balance getBalance reports, and that spot holdings are priced in. Default "USDT". */
  quoteAsset?: string;
  /** Also read USDⓈ-M futures positions in getPositions (default true). */
  futures?: boolean;
}

export interface FundingRecord {
  /** Funding time, ms since the epoch. */
  time: number;
  /** Rate paid at that time (fraction). */
  rate: number;
  /** Mark price at funding time, null when Binance gave none (old records have ""). */
  markPrice: number | null;
}

/** One page of a history read: what the venue answered for every open time in [from, to] (ms, inclusive). */
export interface CandleHistoryPage {
  from: number;
  to: number;
  /** Oldest first, as the venue gave them (repeats included). */
  candles: Candle[];
}

/** One page of a funding history read: every funding time in [from, to] (ms, inclusive). */
export interface FundingHistoryPage {
  from: number;
  to: number;
  records: FundingRecord[];
}

export interface BinanceMarketClient extends VenueMarketClient {
  /** The latest `limit` funding rates of a USDⓈ-M perpetual (GET /fapi/v1/fundingRate), oldest first. */
  getFundingHistory(symbol: string, limit?: number, signal?: AbortSignal): Promise<FundingRecord[]>;
  /** Every funding rate with a funding time in [fromMs, toMs], oldest first (paged, see fundingHistoryPages). */
  getFundingHistory(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<FundingRecord[]>;
  /**
   * Funding rates with a funding time in [fromMs, toMs], a page (at most 1000 records) per request. Binance
   * answers the first `limit` records from startTime, so the next page starts after the last time seen.
   */
  fundingHistoryPages(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<FundingHistoryPage>;
  /** Klines with open times in [fromMs, toMs], oldest first (paged, see klineHistoryPages). */
  getKlineHistory(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): Promise<Candle[]>;
  /**
   * Klines with open times in [fromMs, toMs], one request per window of `limit` intervals (spot 1000,
   * futures 1500): each window holds at most `limit` open times, so every page is complete whichever end
   * of the window Binance counts from. A page is yielded before the next is requested.
   */
  klineHistoryPages(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<CandleHistoryPage>;
}

export interface BinanceAccountClient extends VenueAccountClient {
  /** The USDⓈ-M futures wallet's available balance of the quote asset (GET /fapi/v3/account). */
  getFuturesBalance(signal?: AbortSignal): Promise<Balance>;
}

// ---------------------------------------------------------------------------------------------------
// Symbols, numbers, ids

interface Market {
  /** What the caller wrote, normalised: "BTCUSDT" or "BTCUSDT-PERP". */
  display: string;
  /** What Binance calls it: "BTCUSDT". */
  symbol: string;
  futures: boolean;
}

export function parseBinanceSymbol(raw: string): Market {
  const display = String(raw ?? "").trim().toUpperCase();
  const futures = display.endsWith("-PERP");
  const symbol = futures ? display.slice(0, -"-PERP".length) : display;
  if (!symbol || /[\s&=?#/]/.test(symbol)) throw new Error(`binance: "${display}" is not a Binance symbol (expected e.g. BTCUSDT or BTCUSDT-PERP)`);
  return { display: futures ? `${symbol}-PERP` : symbol, symbol, futures };
}

function num(value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return n;
}

/** A finite number or a VenueError naming the field (never NaN into the app). */
function need(value: unknown, what: string): number {
  const n = num(value);
  if (!Number.isFinite(n)) throw new VenueError({ venue: "binance", status: 200, message: `unexpected response: ${what} is ${JSON.stringify(value) ?? "missing"}` });
  return n;
}

/**
 * A plain decimal string (no exponent), as Binance requires for quantity and price. The number is first
 * rounded to 15 significant digits so float noise (0.1 + 0.2) does not become "too much precision".
 */
export function plainDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`binance: ${value} is not a number`);
  const n = Number(value.toPrecision(15));
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const negative = n < 0;
  const [mantissa = "", expText = "0"] = (negative ? s.slice(1) : s).split(/e/i);
  const exp = Number(expText);
  const [intPart = "", frac = ""] = mantissa.split(".");
  const digits = intPart + frac;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  out = out.includes(".") ? out.replace(/0+$/, "").replace(/\.$/, "") : out;
  return negative ? `-${out}` : out;
}

/**
 * Binance's newClientOrderId for one of our client order ids ("run_<uuid>:<node>", up to 64 chars, too
 * long for Binance's 36). Deterministic, so findOrder can recompute it: "sc-" + 32 hex chars of SHA-256.
 */
export function binanceClientOrderId(clientOrderId: string): string {
  return `sc-${createHash("sha256").update(clientOrderId, "utf8").digest("hex").slice(0, 32)}`;
}

/** hex(HMAC_SHA256(secret, payload)): payload is the query string followed directly by the body. */
export function binanceSignature(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

export function parseBinanceError(body: unknown): { code?: string | number | null; message?: string | null } {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    return { code: (typeof b.code === "number" || typeof b.code === "string" ? b.code : null), message: typeof b.msg === "string" ? b.msg : null };
  }
  return {};
}

function isoFrom(ms: unknown, now: () => number): string {
  const n = num(ms);
  return new Date(Number.isFinite(n) && n > 0 ? n : now()).toISOString();
}

// ---------------------------------------------------------------------------------------------------
// HTTP

interface Transports {
  spot: VenueHttp;
  futures: VenueHttp;
  /** fapi fundingRate / fundingInfo: their own 500 / 5 min bucket. */
  fundingInfo: VenueHttp;
}

function transports(options: BinanceClientOptions): Transports {
  const urls = venueUrls();
  const timeoutMs = options.timeoutMs ?? venueTimeoutMs("binance");
  const common = {
    venue: "binance" as const,
    timeoutMs,
    parseError: parseBinanceError,
    // "Unknown error" and "Timeout waiting for response from backend": Binance says the order's status is unknown.
    unknownCodes: ["-1006", "-1007"],
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const futuresBaseUrl = options.futuresBaseUrl ?? urls.binanceFutures;
  return {
    spot: new VenueHttp({
      ...common,
      baseUrl: options.baseUrl ?? urls.binance,
      readBucket: sharedBucket("binance:spot:weight", BINANCE_SPOT_WEIGHT.capacity, BINANCE_SPOT_WEIGHT.refillPerSecond),
      writeBucket: sharedBucket("binance:spot:orders", BINANCE_ORDERS.capacity, BINANCE_ORDERS.refillPerSecond),
    }),
    futures: new VenueHttp({
      ...common,
      baseUrl: futuresBaseUrl,
      readBucket: sharedBucket("binance:futures:weight", BINANCE_FUTURES_WEIGHT.capacity, BINANCE_FUTURES_WEIGHT.refillPerSecond),
      writeBucket: sharedBucket("binance:futures:orders", BINANCE_ORDERS.capacity, BINANCE_ORDERS.refillPerSecond),
    }),
    fundingInfo: new VenueHttp({
      ...common,
      baseUrl: futuresBaseUrl,
      readBucket: sharedBucket("binance:futures:funding-info", BINANCE_FUNDING_INFO.capacity, BINANCE_FUNDING_INFO.refillPerSecond),
      writeBucket: sharedBucket("binance:futures:orders", BINANCE_ORDERS.capacity, BINANCE_ORDERS.refillPerSecond),
    }),
  };
}

interface Call {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: Record<string, QueryValue>;
  kind?: "read" | "write";
  cost: number;
  signal?: AbortSignal;
  sign?: (input: SignInput) => Record<string, string>;
  /** The symbol this call is about, for the "does not exist" message. */
  market?: Market;
}

/**
 * One request; Binance's "Invalid symbol" (HTTP 400, code -1121) becomes `market "X" does not exist on
 * Binance`. No `notFound` text: Binance answers 404 only for unknown paths (a wrong base URL), never for an
 * unknown symbol, so a 404 must not be reported as a missing market.
 */
async function call<T>(http: VenueHttp, c: Call): Promise<T> {
  try {
    return await http.request<T>({ method: c.method, path: c.path, query: c.query, kind: c.kind ?? "read", cost: c.cost, signal: c.signal, sign: c.sign });
  } catch (error) {
    if (error instanceof VenueError && c.market && error.code === "-1121") {
      throw new VenueError({ venue: "binance", status: error.status, code: error.code, retryAfter: error.retryAfter, statusUnknown: error.statusUnknown, message: `market "${c.market.display}" does not exist on Binance` });
    }
    throw error;
  }
}

function doesNotExist(market: Market): VenueError {
  return new VenueError({ venue: "binance", status: 200, message: `market "${market.display}" does not exist on Binance` });
}

// ---------------------------------------------------------------------------------------------------
// Market data

/** Spot /api/v3/depth accepts any limit 1..5000; weight by limit (rest-api.md "Order book"). */
function spotDepthLimit(depth: number): { limit: number; weight: number } {
  const limit = Math.min(5000, Math.max(1, Math.ceil(depth)));
  const weight = limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  return { limit, weight };
}

/** Futures /fapi/v1/depth accepts 5, 10, 20, 50, 100, 500, 1000; weight 2, 2, 2, 2, 5, 10, 20. */
const FUTURES_DEPTHS: [number, number][] = [[5, 2], [10, 2], [20, 2], [50, 2], [100, 5], [500, 10], [1000, 20]];
function futuresDepthLimit(depth: number): { limit: number; weight: number } {
  const want = Math.max(1, Math.ceil(depth));
  const [limit, weight] = FUTURES_DEPTHS.find(([l]) => l >= want) ?? [1000, 20];
  return { limit, weight };
}

/** The depth limit to request and its weight: the smallest value Binance accepts that is >= depth. */
export function binanceDepthLimit(depth: number, futures: boolean): { limit: number; weight: number } {
  return futures ? futuresDepthLimit(depth) : spotDepthLimit(depth);
}

/** USDⓈ-M klines weight by limit: [1,100) 1, [100,500) 2, [500,1000] 5, over 1000: 10. */
function futuresKlinesWeight(limit: number): number {
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

const INTERVALS: Record<CandleInterval, string> = { "1m": "1m", "5m": "5m", "15m": "15m", "1h": "1h", "4h": "4h", "1d": "1d" };
const INTERVAL_MS: Record<CandleInterval, number> = { "1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000, "1d": 86_400_000 };
/** Klines per request at most: spot /api/v3/klines 1000, USDⓈ-M /fapi/v1/klines 1500. */
export const BINANCE_KLINES_LIMIT = { spot: 1000, futures: 1500 } as const;
/** Funding records per /fapi/v1/fundingRate request at most. */
export const BINANCE_FUNDING_LIMIT = 1000;

interface BookTicker {
  symbol?: string;
  bidPrice?: string;
  bidQty?: string;
  askPrice?: string;
  askQty?: string;
  time?: number;
}

interface Depth {
  bids?: [string, string][];
  asks?: [string, string][];
  T?: number | string;
  E?: number | string;
}

type Kline = [number | string, string, string, string, string, string, ...unknown[]];

interface PremiumIndex {
  symbol?: string;
  markPrice?: string;
  lastFundingRate?: string;
  nextFundingTime?: number | string;
  time?: number | string;
}

interface FundingInfo {
  symbol?: string;
  fundingIntervalHours?: number | string;
}

interface SymbolFilter {
  filterType?: string;
  tickSize?: string;
  stepSize?: string;
  minQty?: string;
  minNotional?: string;
  notional?: string;
}

interface ExchangeSymbol {
  symbol?: string;
  filters?: SymbolFilter[];
}

/** Klines (oldest first, keyed by open time) as candles; any unreadable number is a VenueError. */
function parseKlines(rows: unknown, m: Market): Candle[] {
  if (!Array.isArray(rows)) throw new VenueError({ venue: "binance", status: 200, message: `unexpected klines for ${m.display}` });
  return (rows as Kline[]).map((r, i) => ({
    time: need(r[0], `kline[${i}] open time`),
    open: need(r[1], `kline[${i}] open`),
    high: need(r[2], `kline[${i}] high`),
    low: need(r[3], `kline[${i}] low`),
    close: need(r[4], `kline[${i}] close`),
    volume: need(r[5], `kline[${i}] volume`),
  }));
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs < 0) throw new Error(`binance: a history range needs whole ms times, got ${fromMs}..${toMs}`);
}

function levels(side: [string, string][] | undefined, depth: number, what: string): [number, number][] {
  return (side ?? []).slice(0, depth).map(([p, q], i) => [need(p, `${what}[${i}] price`), need(q, `${what}[${i}] size`)]);
}

/** Rules from a symbol's filters (spot and futures use the same filter types, except min notional). */
export function rulesFromFilters(filters: SymbolFilter[]): MarketRules {
  const find = (t: string) => filters.find((f) => f.filterType === t);
  const price = find("PRICE_FILTER");
  const lot = find("LOT_SIZE");
  const notional = find("NOTIONAL");
  const minNotional = find("MIN_NOTIONAL");
  const pick = (...values: unknown[]) => {
    for (const v of values) {
      const n = num(v);
      if (Number.isFinite(n)) return n;
    }
    return 0;
  };
  return {
    tickSize: pick(price?.tickSize),
    stepSize: pick(lot?.stepSize),
    minQuantity: pick(lot?.minQty),
    // Spot: NOTIONAL.minNotional (current) or MIN_NOTIONAL.minNotional (older); futures: MIN_NOTIONAL.notional.
    minNotional: pick(notional?.minNotional, minNotional?.minNotional, minNotional?.notional),
  };
}

export function createBinanceMarketClient(options: BinanceClientOptions = {}): BinanceMarketClient {
  const http = transports(options);
  const now = options.now ?? Date.now;
  const rulesCache = new Map<string, { at: number; rules: MarketRules }>();
  let futuresInfo: { at: number; symbols: Map<string, ExchangeSymbol> } | null = null;
  let fundingIntervals: { at: number; hours: Map<string, number> } | null = null;

  const transport = (m: Market) => (m.futures ? http.futures : http.spot);

  async function getQuote(symbol: string, signal?: AbortSignal): Promise<Quote> {
    const m = parseBinanceSymbol(symbol);
    const t = await call<BookTicker>(transport(m), { method: "GET", path: m.futures ? "/fapi/v1/ticker/bookTicker" : "/api/v3/ticker/bookTicker", query: { symbol: m.symbol }, cost: 2, signal, market: m });
    // An empty side comes back as price "0" / qty "0": refuse to invent a price from it.
    const bid = num(t.bidPrice);
    const ask = num(t.askPrice);
    const bidQty = num(t.bidQty);
    const askQty = num(t.askQty);
    if (!(bid > 0) || !(bidQty > 0)) throw new VenueError({ venue: "binance", status: 200, message: `no bids in the book for ${m.display}` });
    if (!(ask > 0) || !(askQty > 0)) throw new VenueError({ venue: "binance", status: 200, message: `no asks in the book for ${m.display}` });
    return { bid, ask, price: (bid + ask) / 2, at: isoFrom(t.time, now) };
  }

  async function getOrderBook(symbol: string, depth: number, signal?: AbortSignal): Promise<OrderBook> {
    const m = parseBinanceSymbol(symbol);
    const want = Math.max(1, Math.ceil(Number.isFinite(depth) ? depth : 1));
    const { limit, weight } = binanceDepthLimit(want, m.futures);
    const d = await call<Depth>(transport(m), { method: "GET", path: m.futures ? "/fapi/v1/depth" : "/api/v3/depth", query: { symbol: m.symbol, limit }, cost: weight, signal, market: m });
    if (!d || !Array.isArray(d.bids) || !Array.isArray(d.asks)) throw new VenueError({ venue: "binance", status: 200, message: `unexpected order book for ${m.display}` });
    // An empty side stays empty: the book never invents a level.
    return { bids: levels(d.bids, want, "bids"), asks: levels(d.asks, want, "asks"), at: isoFrom(d.T ?? d.E, now) };
  }

  async function getCandles(symbol: string, interval: CandleInterval, limit: number, signal?: AbortSignal): Promise<Candle[]> {
    const m = parseBinanceSymbol(symbol);
    const binanceInterval = INTERVALS[interval];
    if (!binanceInterval) throw new Error(`binance: unsupported candle interval "${interval}"`);
    const n = Math.min(1000, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 1)));
    const rows = await call<Kline[]>(transport(m), { method: "GET", path: m.futures ? "/fapi/v1/klines" : "/api/v3/klines", query: { symbol: m.symbol, interval: binanceInterval, limit: n }, cost: m.futures ? futuresKlinesWeight(n) : 2, signal, market: m });
    return parseKlines(rows, m);
  }

  async function* klineHistoryPages(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<CandleHistoryPage> {
    const m = parseBinanceSymbol(symbol);
    const binanceInterval = INTERVALS[interval];
    const step = INTERVAL_MS[interval];
    if (!binanceInterval || !step) throw new Error(`binance: unsupported candle interval "${interval}"`);
    checkRange(fromMs, toMs);
    const max = m.futures ? BINANCE_KLINES_LIMIT.futures : BINANCE_KLINES_LIMIT.spot;
    for (let start = fromMs; start <= toMs; ) {
      const end = Math.min(toMs, start + max * step - 1);
      const limit = Math.min(max, Math.max(1, Math.ceil((end - start + 1) / step)));
      const rows = await call<Kline[]>(transport(m), {
        method: "GET",
        path: m.futures ? "/fapi/v1/klines" : "/api/v3/klines",
        query: { symbol: m.symbol, interval: binanceInterval, startTime: start, endTime: end, limit },
        cost: m.futures ? futuresKlinesWeight(limit) : 2,
        signal,
        market: m,
      });
      yield { from: start, to: end, candles: parseKlines(rows, m).filter((c) => c.time >= start && c.time <= end) };
      start = end + 1;
    }
  }

  async function getKlineHistory(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): Promise<Candle[]> {
    const out: Candle[] = [];
    for await (const page of klineHistoryPages(symbol, interval, fromMs, toMs, signal)) out.push(...page.candles);
    return out;
  }

  /** fundingIntervalHours per symbol; /fapi/v1/fundingInfo lists only symbols with an adjusted interval. */
  async function intervalHours(m: Market, signal?: AbortSignal): Promise<number> {
    if (!fundingIntervals || now() - fundingIntervals.at > RULES_TTL_MS) {
      const list = await call<FundingInfo[]>(http.fundingInfo, { method: "GET", path: "/fapi/v1/fundingInfo", cost: 1, signal });
      const hours = new Map<string, number>();
      for (const e of Array.isArray(list) ? list : []) {
        const h = num(e.fundingIntervalHours);
        if (e.symbol && h > 0) hours.set(e.symbol, h);
      }
      fundingIntervals = { at: now(), hours };
    }
    return fundingIntervals.hours.get(m.symbol) ?? 8;
  }

  async function getFunding(symbol: string, signal?: AbortSignal): Promise<Funding> {
    const m = { ...parseBinanceSymbol(symbol), futures: true };
    m.display = `${m.symbol}-PERP`;
    const p = await call<PremiumIndex>(http.futures, { method: "GET", path: "/fapi/v1/premiumIndex", query: { symbol: m.symbol }, cost: 1, signal, market: m });
    const hours = await intervalHours(m, signal);
    return {
      rate: need(p.lastFundingRate, "lastFundingRate"),
      intervalHours: hours,
      nextTime: need(p.nextFundingTime, "nextFundingTime"),
      markPrice: need(p.markPrice, "markPrice"),
      at: isoFrom(p.time, now),
    };
  }

  function perpetual(symbol: string): Market {
    const m = { ...parseBinanceSymbol(symbol), futures: true };
    m.display = `${m.symbol}-PERP`;
    return m;
  }

  async function fundingRates(m: Market, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<FundingRecord[]> {
    const rows = await call<{ fundingTime?: number | string; fundingRate?: string; markPrice?: string }[]>(http.fundingInfo, { method: "GET", path: "/fapi/v1/fundingRate", query: { symbol: m.symbol, ...query }, cost: 1, signal, market: m });
    if (!Array.isArray(rows)) throw new VenueError({ venue: "binance", status: 200, message: `unexpected funding history for ${m.display}` });
    return rows
      .map((r, i) => {
        const mark = num(r.markPrice);
        return { time: need(r.fundingTime, `fundingRate[${i}].fundingTime`), rate: need(r.fundingRate, `fundingRate[${i}].fundingRate`), markPrice: Number.isFinite(mark) ? mark : null };
      })
      .sort((a, b) => a.time - b.time);
  }

  async function* fundingHistoryPages(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<FundingHistoryPage> {
    const m = perpetual(symbol);
    checkRange(fromMs, toMs);
    for (let start = fromMs; start <= toMs; ) {
      const records = await fundingRates(m, { startTime: start, endTime: toMs, limit: BINANCE_FUNDING_LIMIT }, signal);
      const inRange = records.filter((r) => r.time >= start && r.time <= toMs);
      const last = inRange[inRange.length - 1];
      // A short page is the whole rest of the range; a full one covers up to its last funding time.
      const end = records.length < BINANCE_FUNDING_LIMIT || !last ? toMs : last.time;
      yield { from: start, to: end, records: inRange };
      start = end + 1;
    }
  }

  function getFundingHistory(symbol: string, limit?: number, signal?: AbortSignal): Promise<FundingRecord[]>;
  function getFundingHistory(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<FundingRecord[]>;
  async function getFundingHistory(symbol: string, a?: number, b?: number | AbortSignal, c?: AbortSignal): Promise<FundingRecord[]> {
    if (typeof b === "number") {
      const out: FundingRecord[] = [];
      for await (const page of fundingHistoryPages(symbol, a ?? 0, b, c)) out.push(...page.records);
      return out;
    }
    const n = Math.min(BINANCE_FUNDING_LIMIT, Math.max(1, Math.floor(a !== undefined && Number.isFinite(a) ? a : 100)));
    return fundingRates(perpetual(symbol), { limit: n }, b);
  }

  async function getRules(symbol: string, signal?: AbortSignal): Promise<MarketRules> {
    const m = parseBinanceSymbol(symbol);
    const cached = rulesCache.get(m.display);
    if (cached && now() - cached.at < RULES_TTL_MS) return cached.rules;
    let info: ExchangeSymbol | undefined;
    if (m.futures) {
      // fapi exchangeInfo has no symbol filter: one call (weight 1) lists every contract; kept 10 minutes.
      if (!futuresInfo || now() - futuresInfo.at > RULES_TTL_MS) {
        const body = await call<{ symbols?: ExchangeSymbol[] }>(http.futures, { method: "GET", path: "/fapi/v1/exchangeInfo", cost: 1, signal });
        futuresInfo = { at: now(), symbols: new Map((body.symbols ?? []).filter((s) => s.symbol).map((s) => [s.symbol as string, s])) };
      }
      info = futuresInfo.symbols.get(m.symbol);
    } else {
      const body = await call<{ symbols?: ExchangeSymbol[] }>(http.spot, { method: "GET", path: "/api/v3/exchangeInfo", query: { symbol: m.symbol }, cost: 20, signal, market: m });
      info = (body.symbols ?? []).find((s) => s.symbol === m.symbol);
    }
    if (!info) throw doesNotExist(m);
    const rules = rulesFromFilters(info.filters ?? []);
    rulesCache.set(m.display, { at: now(), rules });
    return rules;
  }

  return { venue: "binance", getQuote, getOrderBook, getCandles, getFunding, getFundingHistory, fundingHistoryPages, getKlineHistory, klineHistoryPages, getRules };
}

// ---------------------------------------------------------------------------------------------------
// Account

interface BinanceOrder {
  symbol?: string;
  orderId?: number | string;
  clientOrderId?: string;
  origClientOrderId?: string;
  price?: string;
  origQty?: string;
  executedQty?: string;
  cummulativeQuoteQty?: string;
  cumQuote?: string;
  avgPrice?: string;
  status?: string;
  type?: string;
  side?: string;
  transactTime?: number | string;
  updateTime?: number | string;
  time?: number | string;
  fills?: { price?: string; qty?: string; commission?: string; commissionAsset?: string }[];
}

const STATUS: Record<string, OrderStatus> = {
  FILLED: "filled",
  NEW: "open",
  PARTIALLY_FILLED: "open",
  PENDING_NEW: "open",
  PENDING_CANCEL: "open",
  CANCELED: "cancelled",
  EXPIRED: "cancelled",
  EXPIRED_IN_MATCH: "cancelled",
  REJECTED: "rejected",
};

/** Base and quote asset of a spot symbol, for fee accounting (the configured quote first, then common ones). */
function splitAssets(symbol: string, quoteAsset: string): { base: string; quote: string } | null {
  for (const q of [quoteAsset, "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL", "JPY"]) {
    if (symbol.length > q.length && symbol.endsWith(q)) return { base: symbol.slice(0, -q.length), quote: q };
  }
  return null;
}

export function toOrder(o: BinanceOrder, m: Market, opts: { clientOrderId?: string; quoteAsset: string; now: () => number }): Order {
  const quantity = need(o.origQty, "origQty");
  const filled = num(o.executedQty) || 0;
  const price = num(o.price);
  const type = String(o.type ?? "");
  const isMarket = type === "MARKET" || type.endsWith("_MARKET") || (!type.includes("LIMIT") && !(price > 0));
  let averagePrice: number | null = null;
  if (filled > 0) {
    const avg = num(o.avgPrice);
    const quoteQty = num(o.cummulativeQuoteQty ?? o.cumQuote);
    if (avg > 0) averagePrice = avg;
    else if (quoteQty > 0) averagePrice = quoteQty / filled;
  }
  // Fee in quote-asset terms: commissions paid in the quote asset, plus those paid in the base asset
  // valued at their fill price. Commissions paid in a third asset (BNB discount) are not included; the
  // futures RESULT response carries no commission at all (it is in /fapi/v1/userTrades), so fee is 0 there.
  let fee = 0;
  const assets = splitAssets(m.symbol, opts.quoteAsset);
  for (const f of o.fills ?? []) {
    const c = num(f.commission);
    if (!(c > 0) || !assets) continue;
    if (f.commissionAsset === assets.quote) fee += c;
    else if (f.commissionAsset === assets.base) fee += c * (num(f.price) || 0);
  }
  const status = STATUS[String(o.status)] ?? "open";
  return {
    id: String(o.orderId ?? ""),
    clientOrderId: opts.clientOrderId ?? o.origClientOrderId ?? o.clientOrderId ?? "",
    venue: "binance",
    symbol: m.display,
    side: String(o.side).toUpperCase() === "SELL" ? "sell" : "buy",
    type: isMarket ? "market" : "limit",
    quantity,
    filledQuantity: filled,
    limitPrice: !isMarket && price > 0 ? price : null,
    averagePrice,
    fee,
    status,
    ...(status === "rejected" ? { reason: `Binance rejected the order (status ${o.status})` } : {}),
    broker: "live",
    at: isoFrom(o.transactTime ?? o.updateTime ?? o.time, opts.now),
  };
}

function requireSecret(secrets: Record<string, string>, field: string): string {
  const v = secrets?.[field];
  if (typeof v !== "string" || v.trim() === "") throw new Error(`Binance credentials are missing the "${field}" field`);
  return v.trim();
}

export function createBinanceAccountClient(secrets: Record<string, string>, options: BinanceAccountOptions = {}): BinanceAccountClient {
  const apiKey = requireSecret(secrets, "api_key");
  const apiSecret = requireSecret(secrets, "api_secret");
  const http = transports(options);
  const now = options.now ?? Date.now;
  const quoteAsset = (options.quoteAsset ?? "USDT").trim().toUpperCase();
  const withFutures = options.futures ?? true;
  /** Binance's client order id -> ours, for orders this client placed or looked up (cancel reports ours). */
  const ourIds = new Map<string, string>();
  const remember = (venueId: string, ours: string) => {
    ourIds.set(venueId, ours);
    if (ourIds.size > 1000) ourIds.delete(ourIds.keys().next().value as string);
  };

  /**
   * Binance SIGNED request: timestamp and recvWindow join the query, then signature =
   * hex(HMAC_SHA256(secret, queryString + body)) is appended last. The key goes in X-MBX-APIKEY.
   */
  const sign = ({ url, body }: SignInput): Record<string, string> => {
    url.searchParams.set("timestamp", String(now()));
    url.searchParams.set("recvWindow", String(RECV_WINDOW));
    url.searchParams.delete("signature");
    const payload = url.searchParams.toString() + body;
    url.searchParams.append("signature", binanceSignature(apiSecret, payload));
    return { "X-MBX-APIKEY": apiKey };
  };

  const transport = (m: Market) => (m.futures ? http.futures : http.spot);

  async function spotAccount(signal?: AbortSignal) {
    return call<{ balances?: { asset?: string; free?: string; locked?: string }[] }>(http.spot, { method: "GET", path: "/api/v3/account", query: { omitZeroBalances: true }, cost: 20, signal, sign });
  }

  async function getBalance(signal?: AbortSignal): Promise<Balance> {
    const account = await spotAccount(signal);
    const entry = (account.balances ?? []).find((b) => b.asset === quoteAsset);
    return { venue: "binance", currency: quoteAsset, available: entry ? need(entry.free, `${quoteAsset} free`) : 0 };
  }

  async function getFuturesBalance(signal?: AbortSignal): Promise<Balance> {
    const account = await call<{ assets?: { asset?: string; availableBalance?: string }[] }>(http.futures, { method: "GET", path: "/fapi/v3/account", cost: 5, signal, sign });
    const entry = (account.assets ?? []).find((a) => a.asset === quoteAsset);
    return { venue: "binance", currency: quoteAsset, available: entry ? need(entry.availableBalance, `${quoteAsset} availableBalance`) : 0 };
  }

  /**
   * Spot holdings other than the quote asset (free + locked > 0) as long positions named "<ASSET><QUOTE>"
   * with averagePrice 0: spot balances carry no entry price. Then USDⓈ-M positions (non-zero positionAmt)
   * as "<SYMBOL>-PERP" at their entryPrice; hedge-mode LONG and SHORT legs stay separate entries.
   * A key without futures permission (HTTP 401/403, or code -2015) skips the futures part instead of
   * failing the spot answer; any other futures failure (timeout, 5xx) fails the call, since silently
   * dropping open perpetual positions would mislead risk checks. `futures: false` skips it altogether.
   */
  async function getPositions(signal?: AbortSignal): Promise<Position[]> {
    const account = await spotAccount(signal);
    const positions: Position[] = [];
    for (const b of account.balances ?? []) {
      if (!b.asset || b.asset === quoteAsset) continue;
      const qty = (num(b.free) || 0) + (num(b.locked) || 0);
      if (qty > 0) positions.push({ venue: "binance", symbol: `${b.asset}${quoteAsset}`, quantity: qty, averagePrice: 0 });
    }
    if (!withFutures) return positions;
    let risk: { symbol?: string; positionAmt?: string; entryPrice?: string }[];
    try {
      risk = await call<typeof risk>(http.futures, { method: "GET", path: "/fapi/v3/positionRisk", cost: 5, signal, sign });
    } catch (error) {
      if (error instanceof VenueError && (error.status === 401 || error.status === 403 || error.code === "-2015")) return positions;
      throw error;
    }
    for (const p of Array.isArray(risk) ? risk : []) {
      const amt = num(p.positionAmt);
      if (!p.symbol || !Number.isFinite(amt) || amt === 0) continue;
      positions.push({ venue: "binance", symbol: `${p.symbol}-PERP`, quantity: amt, averagePrice: num(p.entryPrice) || 0 });
    }
    return positions;
  }

  async function placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    const m = parseBinanceSymbol(request.symbol);
    if (!(request.quantity > 0) || !Number.isFinite(request.quantity)) throw new Error(`binance: order quantity must be a positive number, got ${request.quantity}`);
    const limit = request.limitPrice !== undefined && request.limitPrice !== null;
    if (limit && (!(request.limitPrice! > 0) || !Number.isFinite(request.limitPrice!))) throw new Error(`binance: limit price must be a positive number, got ${request.limitPrice}`);
    if (!request.clientOrderId) throw new Error("binance: an order needs a clientOrderId");
    const venueId = binanceClientOrderId(request.clientOrderId);
    // A market order with a worst price (the live pre-trade collar) goes out as LIMIT IOC at that price.
    const protect = !limit && request.protectPrice !== undefined && request.protectPrice > 0 ? request.protectPrice : null;
    const query: Record<string, QueryValue> = {
      symbol: m.symbol,
      side: request.side === "sell" ? "SELL" : "BUY",
      type: limit || protect !== null ? "LIMIT" : "MARKET",
      ...(limit ? { timeInForce: "GTC" } : protect !== null ? { timeInForce: "IOC" } : {}),
      quantity: plainDecimal(request.quantity),
      ...(limit ? { price: plainDecimal(request.limitPrice!) } : protect !== null ? { price: plainDecimal(protect) } : {}),
      newClientOrderId: venueId,
      newOrderRespType: m.futures ? "RESULT" : "FULL",
    };
    // Spot order weight 1 (ORDERS 50/10 s); futures order: 0 IP weight, 1 on the account's order limits.
    const o = await call<BinanceOrder>(transport(m), { method: "POST", path: m.futures ? "/fapi/v1/order" : "/api/v3/order", query, kind: "write", cost: 1, signal, sign, market: m });
    remember(venueId, request.clientOrderId);
    return toOrder(o, m, { clientOrderId: request.clientOrderId, quoteAsset, now });
  }

  async function cancelOrder(symbol: string, orderId: string, signal?: AbortSignal): Promise<Order> {
    const m = parseBinanceSymbol(symbol);
    const o = await call<BinanceOrder>(transport(m), { method: "DELETE", path: m.futures ? "/fapi/v1/order" : "/api/v3/order", query: { symbol: m.symbol, orderId }, kind: "write", cost: 1, signal, sign, market: m });
    const venueId = o.origClientOrderId ?? o.clientOrderId ?? "";
    return toOrder(o, m, { clientOrderId: ourIds.get(venueId), quoteAsset, now });
  }

  async function findOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<Order | null> {
    const m = parseBinanceSymbol(symbol);
    const venueId = binanceClientOrderId(clientOrderId);
    try {
      // Query order: spot weight 4, futures weight 1.
      const o = await call<BinanceOrder>(transport(m), { method: "GET", path: m.futures ? "/fapi/v1/order" : "/api/v3/order", query: { symbol: m.symbol, origClientOrderId: venueId }, cost: m.futures ? 1 : 4, signal, sign, market: m });
      remember(venueId, clientOrderId);
      return toOrder(o, m, { clientOrderId, quoteAsset, now });
    } catch (error) {
      // -2013 "Order does not exist.": Binance never received it.
      if (error instanceof VenueError && error.code === "-2013") return null;
      throw error;
    }
  }

  return { venue: "binance", getBalance, getFuturesBalance, getPositions, placeOrder, cancelOrder, findOrder };
}
