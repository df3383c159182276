import "server-only";
import { constants, createHash, createPrivateKey, sign as rsaSign, type KeyObject } from "node:crypto";
import type { Balance, Candle, CandleInterval, Funding, Order, OrderBook, OrderRequest, Position, Quote } from "../providers/types";
import { venueTimeoutMs, venueUrls } from "./config";
import { VenueError } from "./errors";
import { sharedBucket, VenueHttp, type QueryValue, type SignInput } from "./http";
import type { MarketRules, VenueAccountClient, VenueMarketClient } from "./types";

/**
 * Kalshi Trade API v2 (https://docs.kalshi.com; request/response models as in the npm package
 * kalshi-typescript@3.30.0, docs/*.md). A symbol is a market ticker ("KXELONMARS-99"); every price is the
 * YES contract's, in dollars (0..1), and quantities are contracts.
 *
 * Decisions (each is exercised in kalshi.test.ts):
 * - Quote: bid/ask are yes_bid_dollars/yes_ask_dollars; Kalshi reports an empty side as 0 (bid) or 1 (ask),
 *   so a bid <= 0 or an ask >= 1 means "no bids"/"no asks". A quote needs both: a one-sided market throws
 *   `no asks in the book for "X"` instead of inventing a price. price = the bid/ask midpoint.
 * - Order book: only bids are published for each leg; YES asks are the NO bids at 1 - p (4 dp).
 * - Candles: period_interval 1, 60 or 1440 minutes; 5m/15m are aggregated from 1m candles and 4h from 1h
 *   candles, in UTC buckets. Candle time is the period start (end_period_ts - period). A period without a
 *   trade carries the last traded price (price.previous_dollars, else the previous candle's close) as a
 *   flat candle with its (zero) volume, as ccxt does; a leading candle with neither is skipped. Periods that
 *   Kalshi omits are not filled in.
 * - Rules: tickSize = the coarsest price_ranges[].step (a price on the coarsest grid is valid in every
 *   range), else from price_level_structure, else 0.01; stepSize 0.01 when fractional_trading_enabled, else 1.
 * - Orders go to Create Order V2 (POST /portfolio/events/orders), YES leg only: buy = bid, sell = ask.
 *   A limit order is good_till_canceled. Kalshi has no market orders: a market order is immediate_or_cancel
 *   at the best ask (buy) / best bid (sell) of a fresh book moved 5 ticks through the book, clamped to
 *   0.01..0.99; an empty side refuses the order.
 * - Status: nothing left → filled; resting → open; cancelled with some fills → filled with a reason saying the
 *   rest was cancelled (as the paper broker reports a partial market fill); cancelled with no fill → cancelled.
 * - client_order_id: a UUID-shaped SHA-256 digest of our id (kalshiClientOrderId), so the same run+node
 *   always maps to the same Kalshi id; Order.clientOrderId is our id whenever we know it.
 */

const VENUE = "kalshi" as const;
const READ_COST = 10;
const WRITE_COST = 10;
/** Basic tier: read 200 tokens/s (1 s of budget), write 100 tokens/s (2 s of budget); 10 tokens a request. */
const READ_BUCKET = { capacity: 200, refill: 200 };
const WRITE_BUCKET = { capacity: 200, refill: 100 };
/** How far past the touch a market order's IOC price goes. */
const MARKET_ORDER_TICKS = 5;
const MIN_PRICE = 0.01;
const MAX_PRICE = 0.99;
/** Candles asked for in one request at most: Kalshi answers 400 when start_ts..end_ts spans more than 5,000. */
const MAX_BASE_CANDLES = 5000;
const PAGE_LIMIT = 200;
const MAX_PAGES = 10;

export interface KalshiClientOptions {
  /** Base URL including "/trade-api/v2" (default KALSHI_BASE_URL or production). */
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock (ms) for candle windows and signing timestamps; a test seam. */
  now?: () => number;
}

// ---------------------------------------------------------------------------------------------------------
// Signing

/** The text Kalshi signs: timestamp (ms) + METHOD + path, the path with "/trade-api/v2" and without the query. */
export function kalshiSignedString(timestampMs: number | string, method: string, path: string): string {
  const bare = path.split("?")[0] ?? path;
  return `${timestampMs}${method.toUpperCase()}${bare}`;
}

/** base64 RSA-PSS (SHA-256, MGF1-SHA256, salt = digest length) signature of kalshiSignedString(...). */
export function kalshiSignature(privateKey: string | KeyObject, timestampMs: number | string, method: string, path: string): string {
  const key = typeof privateKey === "string" ? parsePrivateKey(privateKey) : privateKey;
  return rsaSign("sha256", Buffer.from(kalshiSignedString(timestampMs, method, path), "utf8"), {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }).toString("base64");
}

/** A PEM private key (PKCS#1 or PKCS#8); a key pasted on one line with literal "\n" is accepted too. */
function parsePrivateKey(pem: string): KeyObject {
  let text = pem.trim();
  if (!text.includes("\n") && text.includes("\\n")) text = text.replace(/\\n/g, "\n");
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new Error('Kalshi secret "private_key" is not a readable PEM private key');
  }
  if (key.asymmetricKeyType !== "rsa") throw new Error('Kalshi secret "private_key" must be an RSA private key');
  return key;
}

/** Kalshi's client_order_id for our id: a UUID-shaped SHA-256 digest (deterministic, 36 chars, [0-9a-f-]). */
export function kalshiClientOrderId(clientOrderId: string): string {
  const h = createHash("sha256").update(`strategy-canvas:${clientOrderId}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Wire shapes (kalshi-typescript@3.30.0 docs/*.md)

type Str = string | number | null | undefined;

interface KalshiPriceRange {
  start?: Str;
  end?: Str;
  step?: Str;
}

interface KalshiMarket {
  ticker?: string;
  event_ticker?: string;
  status?: string;
  yes_bid_dollars?: Str;
  yes_ask_dollars?: Str;
  last_price_dollars?: Str;
  /** Legacy cents fields. */
  yes_bid?: Str;
  yes_ask?: Str;
  last_price?: Str;
  price_level_structure?: string;
  price_ranges?: KalshiPriceRange[];
  tick_size?: Str;
  fractional_trading_enabled?: boolean;
}

interface KalshiBook {
  orderbook_fp?: { yes_dollars?: [Str, Str][] | null; no_dollars?: [Str, Str][] | null } | null;
  /** Older shape: yes/no levels in cents, or yes_dollars/no_dollars. */
  orderbook?: { yes?: [Str, Str][] | null; no?: [Str, Str][] | null; yes_dollars?: [Str, Str][] | null; no_dollars?: [Str, Str][] | null } | null;
}

interface KalshiOhlc {
  open_dollars?: Str;
  high_dollars?: Str;
  low_dollars?: Str;
  close_dollars?: Str;
  previous_dollars?: Str;
  /** Legacy cents. */
  open?: Str;
  high?: Str;
  low?: Str;
  close?: Str;
  previous?: Str;
}

interface KalshiCandle {
  end_period_ts?: Str;
  price?: KalshiOhlc | null;
  volume_fp?: Str;
  volume?: Str;
}

interface KalshiOrder {
  order_id?: string;
  client_order_id?: string;
  ticker?: string;
  side?: string;
  action?: string;
  outcome_side?: string;
  book_side?: string;
  type?: string;
  status?: string;
  yes_price_dollars?: Str;
  no_price_dollars?: Str;
  fill_count_fp?: Str;
  remaining_count_fp?: Str;
  initial_count_fp?: Str;
  taker_fill_cost_dollars?: Str;
  maker_fill_cost_dollars?: Str;
  taker_fees_dollars?: Str;
  maker_fees_dollars?: Str;
  created_time?: string;
  last_update_time?: string;
}

interface KalshiCreateOrderResponse {
  order_id?: string;
  client_order_id?: string;
  fill_count?: Str;
  remaining_count?: Str;
  average_fill_price?: Str;
  average_fee_paid?: Str;
  ts_ms?: Str;
}

interface KalshiCancelResponse {
  order_id?: string;
  client_order_id?: string;
  reduced_by?: Str;
  ts_ms?: Str;
}

interface KalshiMarketPosition {
  ticker?: string;
  position_fp?: Str;
  market_exposure_dollars?: Str;
  /** Legacy: integer contracts and cents. */
  position?: Str;
  market_exposure?: Str;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function num(v: Str): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

const round = (v: number, dp: number) => Math.round(v * 10 ** dp) / 10 ** dp;
const round4 = (v: number) => round(v, 4);

function normalizeTicker(symbol: string): string {
  const ticker = String(symbol ?? "").trim().toUpperCase();
  if (!ticker) throw new Error("Kalshi: a market ticker is required (e.g. KXELONMARS-99)");
  return ticker;
}

function parseKalshiError(body: unknown): { code?: string | number | null; message?: string | null } {
  if (!body || typeof body !== "object") return {};
  const b = body as Record<string, unknown>;
  const e = b.error;
  if (typeof e === "string") return { message: e };
  const nested = e && typeof e === "object" ? (e as Record<string, unknown>) : b;
  const code = typeof nested.code === "string" || typeof nested.code === "number" ? nested.code : null;
  const message = typeof nested.message === "string" ? nested.message : null;
  const details = typeof nested.details === "string" && nested.details ? nested.details : null;
  return { code, message: message && details ? `${message}: ${details}` : (message ?? details) };
}

const notFoundMarket = (ticker: string) => `market "${ticker}" does not exist on Kalshi`;

/** Dollars from a *_dollars string, falling back to a legacy cents field. */
function dollars(d: Str, cents?: Str): number | null {
  const v = num(d);
  if (v !== null) return v;
  const c = num(cents);
  return c === null ? null : c / 100;
}

function levels(raw: [Str, Str][] | null | undefined, scale: number): [number, number][] {
  const out: [number, number][] = [];
  for (const level of raw ?? []) {
    const p = num(level?.[0]);
    const s = num(level?.[1]);
    if (p === null || s === null || s <= 0) continue;
    out.push([round4(p / scale), s]);
  }
  return out;
}

const INTERVALS: Record<CandleInterval, { base: 1 | 60 | 1440; factor: number }> = {
  "1m": { base: 1, factor: 1 },
  "5m": { base: 1, factor: 5 },
  "15m": { base: 1, factor: 15 },
  "1h": { base: 60, factor: 1 },
  "4h": { base: 60, factor: 4 },
  "1d": { base: 1440, factor: 1 },
};

const LEVEL_STRUCTURE_TICK: Record<string, number> = { linear_cent: 0.01, deci_cent: 0.001, tapered_deci_cent: 0.01 };

function rulesFromMarket(market: KalshiMarket): MarketRules {
  const steps = (market.price_ranges ?? []).map((r) => num(r?.step)).filter((s): s is number => s !== null && s > 0);
  const legacy = num(market.tick_size); // legacy field, in cents
  const tickSize =
    steps.length > 0 ? Math.max(...steps) : legacy !== null && legacy > 0 ? (legacy >= 1 ? legacy / 100 : legacy) : (LEVEL_STRUCTURE_TICK[market.price_level_structure ?? ""] ?? 0.01);
  const stepSize = market.fractional_trading_enabled ? 0.01 : 1;
  return { tickSize, stepSize, minQuantity: stepSize, minNotional: 0 };
}

/** Parses a candlesticks response into candles of `periodMinutes`, oldest first (see the decisions above). */
export function parseKalshiCandles(candlesticks: KalshiCandle[] | null | undefined, periodMinutes: number): Candle[] {
  const out: Candle[] = [];
  const sorted = [...(candlesticks ?? [])].sort((a, b) => (num(a.end_period_ts) ?? 0) - (num(b.end_period_ts) ?? 0));
  let lastClose: number | null = null;
  for (const c of sorted) {
    const end = num(c.end_period_ts);
    if (end === null) continue;
    const p = c.price ?? {};
    const open = dollars(p.open_dollars, p.open);
    const high = dollars(p.high_dollars, p.high);
    const low = dollars(p.low_dollars, p.low);
    const close = dollars(p.close_dollars, p.close);
    const volume = num(c.volume_fp) ?? num(c.volume) ?? 0;
    const time = (end - periodMinutes * 60) * 1000;
    if (open !== null && high !== null && low !== null && close !== null) {
      out.push({ time, open, high, low, close, volume });
      lastClose = close;
      continue;
    }
    const carried: number | null = dollars(p.previous_dollars, p.previous) ?? lastClose;
    if (carried === null) continue;
    out.push({ time, open: carried, high: carried, low: carried, close: carried, volume });
    lastClose = carried;
  }
  return out;
}

/** Merges candles into UTC buckets of `minutes` (open of the first, close of the last, summed volume). */
export function aggregateCandles(candles: Candle[], minutes: number): Candle[] {
  const size = minutes * 60_000;
  const out: Candle[] = [];
  for (const c of candles) {
    const time = Math.floor(c.time / size) * size;
    const last = out[out.length - 1];
    if (last && last.time === time) {
      last.high = Math.max(last.high, c.high);
      last.low = Math.min(last.low, c.low);
      last.close = c.close;
      last.volume = round(last.volume + c.volume, 8);
    } else {
      out.push({ ...c, time });
    }
  }
  return out;
}

/** YES bids best first, YES asks (NO bids at 1 - p) best first. */
export function parseKalshiBook(body: KalshiBook): { bids: [number, number][]; asks: [number, number][] } {
  let yes: [number, number][];
  let no: [number, number][];
  if (body.orderbook_fp) {
    yes = levels(body.orderbook_fp.yes_dollars, 1);
    no = levels(body.orderbook_fp.no_dollars, 1);
  } else if (body.orderbook) {
    const ob = body.orderbook;
    yes = ob.yes_dollars ? levels(ob.yes_dollars, 1) : levels(ob.yes, 100);
    no = ob.no_dollars ? levels(ob.no_dollars, 1) : levels(ob.no, 100);
  } else {
    throw new VenueError({ venue: VENUE, status: 200, message: "the order book response has no orderbook_fp" });
  }
  const bids = yes.sort((a, b) => b[0] - a[0]);
  const asks = no.map(([p, s]) => [round4(1 - p), s] as [number, number]).sort((a, b) => a[0] - b[0]);
  return { bids, asks };
}

// ---------------------------------------------------------------------------------------------------------
// Market data

interface Shared {
  http: VenueHttp;
  now: () => number;
}

function makeShared(options: KalshiClientOptions): Shared {
  const http = new VenueHttp({
    venue: VENUE,
    baseUrl: options.baseUrl ?? venueUrls().kalshi,
    timeoutMs: options.timeoutMs ?? venueTimeoutMs(VENUE),
    readBucket: sharedBucket("kalshi:read", READ_BUCKET.capacity, READ_BUCKET.refill),
    writeBucket: sharedBucket("kalshi:write", WRITE_BUCKET.capacity, WRITE_BUCKET.refill),
    parseError: parseKalshiError,
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return { http, now: options.now ?? Date.now };
}

/** One page of a history read: what Kalshi answered for every open time in [from, to] (ms, inclusive). */
export interface CandleHistoryPage {
  from: number;
  to: number;
  candles: Candle[];
}

export interface KalshiMarketClient extends VenueMarketClient {
  readonly venue: "kalshi";
  /** Candles with open times in [fromMs, toMs], oldest first (paged, see candleHistoryPages). */
  getCandleHistory(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): Promise<Candle[]>;
  /**
   * Candles with open times in [fromMs, toMs] from the market's candlesticks endpoint, at most 5,000 base
   * candles (1, 60 or 1440 minutes) per request. Pages start on bucket boundaries of the interval, so an
   * aggregated candle (5m, 15m, 4h) is never split across two pages. A page is yielded before the next is
   * requested.
   */
  candleHistoryPages(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<CandleHistoryPage>;
}

class MarketClient implements KalshiMarketClient {
  readonly venue = VENUE;
  private readonly rules = new Map<string, MarketRules>();
  private readonly series = new Map<string, string>();

  constructor(private readonly s: Shared) {}

  private read<T>(path: string, query: Record<string, QueryValue> | undefined, signal: AbortSignal | undefined, notFound?: string): Promise<T> {
    return this.s.http.request<T>({ method: "GET", path, query, kind: "read", cost: READ_COST, signal, notFound });
  }

  async market(symbol: string, signal?: AbortSignal): Promise<KalshiMarket> {
    const ticker = normalizeTicker(symbol);
    const body = await this.read<{ market?: KalshiMarket }>(`/markets/${encodeURIComponent(ticker)}`, undefined, signal, notFoundMarket(ticker));
    if (!body?.market) throw new VenueError({ venue: VENUE, status: 200, message: `GET /markets/${ticker} returned no market` });
    this.rules.set(ticker, rulesFromMarket(body.market));
    return body.market;
  }

  async getQuote(symbol: string, signal?: AbortSignal): Promise<Quote> {
    const ticker = normalizeTicker(symbol);
    const m = await this.market(ticker, signal);
    const bid = dollars(m.yes_bid_dollars, m.yes_bid);
    const ask = dollars(m.yes_ask_dollars, m.yes_ask);
    const last = dollars(m.last_price_dollars, m.last_price);
    // Kalshi shows an empty side as 0 or 1 (no one bids 0 or offers at 1 for a contract paying at most 1).
    const hasBid = bid !== null && bid > 0 && bid < 1;
    const hasAsk = ask !== null && ask > 0 && ask < 1;
    const lastText = last !== null && last > 0 ? ` (last traded at ${last})` : "";
    if (!hasBid && !hasAsk) throw new Error(`Kalshi: no bids and no asks in the book for "${ticker}"${lastText}`);
    if (!hasAsk) throw new Error(`Kalshi: no asks in the book for "${ticker}"${lastText}`);
    if (!hasBid) throw new Error(`Kalshi: no bids in the book for "${ticker}"${lastText}`);
    return { price: round4((bid + ask) / 2), bid, ask, at: new Date(this.s.now()).toISOString() };
  }

  async getOrderBook(symbol: string, depth: number, signal?: AbortSignal): Promise<OrderBook> {
    const ticker = normalizeTicker(symbol);
    const d = Math.max(1, Math.min(100, Math.floor(depth) || 1));
    const body = await this.read<KalshiBook>(`/markets/${encodeURIComponent(ticker)}/orderbook`, { depth: d }, signal, notFoundMarket(ticker));
    const { bids, asks } = parseKalshiBook(body ?? {});
    return { bids: bids.slice(0, d), asks: asks.slice(0, d), at: new Date(this.s.now()).toISOString() };
  }

  private async seriesTicker(ticker: string, signal?: AbortSignal): Promise<string> {
    const cached = this.series.get(ticker);
    if (cached) return cached;
    const m = await this.market(ticker, signal);
    const eventTicker = m.event_ticker;
    if (!eventTicker) throw new VenueError({ venue: VENUE, status: 200, message: `market "${ticker}" has no event_ticker` });
    const body = await this.read<{ event?: { series_ticker?: string } }>(`/events/${encodeURIComponent(eventTicker)}`, undefined, signal, `event "${eventTicker}" of market "${ticker}" does not exist on Kalshi`);
    const series = body?.event?.series_ticker;
    if (!series) throw new VenueError({ venue: VENUE, status: 200, message: `event "${eventTicker}" has no series_ticker` });
    this.series.set(ticker, series);
    return series;
  }

  async getCandles(symbol: string, interval: CandleInterval, limit: number, signal?: AbortSignal): Promise<Candle[]> {
    const ticker = normalizeTicker(symbol);
    const spec = INTERVALS[interval];
    if (!spec) throw new Error(`Kalshi: unsupported candle interval "${interval}"`);
    const want = Math.max(1, Math.floor(limit) || 1);
    const series = await this.seriesTicker(ticker, signal);
    const bucketSeconds = spec.base * spec.factor * 60;
    const baseCount = Math.min(MAX_BASE_CANDLES, (want + 1) * spec.factor);
    const end = Math.floor(this.s.now() / 1000);
    const start = Math.floor((end - baseCount * spec.base * 60) / bucketSeconds) * bucketSeconds;
    const body = await this.read<{ candlesticks?: KalshiCandle[] }>(
      `/series/${encodeURIComponent(series)}/markets/${encodeURIComponent(ticker)}/candlesticks`,
      { start_ts: start, end_ts: end, period_interval: spec.base },
      signal,
      notFoundMarket(ticker),
    );
    const base = parseKalshiCandles(body?.candlesticks, spec.base);
    const candles = spec.factor === 1 ? base : aggregateCandles(base, spec.base * spec.factor);
    return candles.slice(-want);
  }

  async *candleHistoryPages(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<CandleHistoryPage> {
    const ticker = normalizeTicker(symbol);
    const spec = INTERVALS[interval];
    if (!spec) throw new Error(`Kalshi: unsupported candle interval "${interval}"`);
    if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs < 0) throw new Error(`Kalshi: a history range needs whole ms times, got ${fromMs}..${toMs}`);
    if (fromMs > toMs) return;
    const series = await this.seriesTicker(ticker, signal);
    const baseMs = spec.base * 60_000;
    const bucketMs = baseMs * spec.factor;
    const pageMs = Math.floor(MAX_BASE_CANDLES / spec.factor) * bucketMs;
    // Open times of the base candles to read: whole buckets from the one holding fromMs to the one holding toMs.
    const firstOpen = Math.floor(fromMs / bucketMs) * bucketMs;
    const lastOpen = Math.floor(toMs / bucketMs) * bucketMs + bucketMs - baseMs;
    for (let start = firstOpen; start <= lastOpen; start += pageMs) {
      const pageLast = Math.min(lastOpen, start + pageMs - baseMs);
      // start_ts/end_ts select candles by end_period_ts, inclusive at both ends: one period after the open.
      const body = await this.read<{ candlesticks?: KalshiCandle[] }>(
        `/series/${encodeURIComponent(series)}/markets/${encodeURIComponent(ticker)}/candlesticks`,
        { start_ts: (start + baseMs) / 1000, end_ts: (pageLast + baseMs) / 1000, period_interval: spec.base },
        signal,
        notFoundMarket(ticker),
      );
      const base = parseKalshiCandles(body?.candlesticks, spec.base);
      const candles = spec.factor === 1 ? base : aggregateCandles(base, spec.base * spec.factor);
      const from = Math.max(fromMs, start);
      const to = Math.min(toMs, pageLast + baseMs - 1);
      yield { from, to, candles: candles.filter((c) => c.time >= from && c.time <= to) };
    }
  }

  async getCandleHistory(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): Promise<Candle[]> {
    const out: Candle[] = [];
    for await (const page of this.candleHistoryPages(symbol, interval, fromMs, toMs, signal)) out.push(...page.candles);
    return out;
  }

  async getFunding(_symbol: string): Promise<Funding> {
    throw new Error("Kalshi has no perpetual funding: it lists event contracts, not perpetual futures");
  }

  async getRules(symbol: string, signal?: AbortSignal): Promise<MarketRules> {
    const ticker = normalizeTicker(symbol);
    const cached = this.rules.get(ticker);
    if (cached) return cached;
    await this.market(ticker, signal);
    return this.rules.get(ticker)!;
  }
}

/** Public Kalshi market data. */
export function createKalshiMarketClient(options: KalshiClientOptions = {}): KalshiMarketClient {
  return new MarketClient(makeShared(options));
}

// ---------------------------------------------------------------------------------------------------------
// Account

export interface KalshiAccountClient extends VenueAccountClient {
  readonly venue: "kalshi";
}

function requireSecret(secrets: Record<string, string>, field: string): string {
  const v = secrets?.[field];
  if (typeof v !== "string" || v.trim() === "") throw new Error(`Kalshi credentials are missing the secret field "${field}"`);
  return v;
}

function orderStatus(filled: number, remaining: number, kalshiStatus: string | undefined, quantity: number): Pick<Order, "status" | "reason"> {
  if (kalshiStatus === "resting" || kalshiStatus === "pending") return { status: "open" };
  if (kalshiStatus === "executed") return { status: "filled" };
  if (kalshiStatus === "canceled") {
    if (filled <= 0) return { status: "cancelled" };
    return filled >= quantity - 1e-9 ? { status: "filled" } : { status: "filled", reason: `filled ${filled} of ${quantity}; the rest was cancelled` };
  }
  return remaining <= 1e-9 && filled > 0 ? { status: "filled" } : { status: "open" };
}

/** A Kalshi order object (GET /portfolio/orders, docs/Order.md) as our Order; prices are the YES leg's. */
export function parseKalshiOrder(o: KalshiOrder, clientOrderId?: string): Order {
  const filled = num(o.fill_count_fp) ?? 0;
  const remaining = num(o.remaining_count_fp) ?? 0;
  const quantity = num(o.initial_count_fp) ?? round(filled + remaining, 2);
  // book_side (V2) is the YES leg; legacy orders say side yes|no and action buy|sell.
  let side: "buy" | "sell";
  if (o.book_side === "bid" || o.book_side === "ask") side = o.book_side === "bid" ? "buy" : "sell";
  else if (o.side && o.action) side = (o.side === "yes") === (o.action === "buy") ? "buy" : "sell";
  else side = o.outcome_side === "no" ? "sell" : "buy";
  const yesPrice = num(o.yes_price_dollars) ?? (num(o.no_price_dollars) !== null ? round4(1 - num(o.no_price_dollars)!) : null);
  // Fill costs are what was paid for the leg bought: YES contracts for a bid, NO contracts for an ask.
  const cost = (num(o.taker_fill_cost_dollars) ?? 0) + (num(o.maker_fill_cost_dollars) ?? 0);
  let averagePrice: number | null = null;
  if (filled > 0 && cost > 0) averagePrice = round4(side === "buy" ? cost / filled : 1 - cost / filled);
  const fee = round((num(o.taker_fees_dollars) ?? 0) + (num(o.maker_fees_dollars) ?? 0), 6);
  const at = o.created_time && Number.isFinite(Date.parse(o.created_time)) ? new Date(o.created_time).toISOString() : new Date().toISOString();
  return {
    id: o.order_id ?? "",
    clientOrderId: clientOrderId ?? o.client_order_id ?? "",
    venue: VENUE,
    symbol: o.ticker ?? "",
    side,
    type: o.type === "market" ? "market" : "limit",
    quantity,
    filledQuantity: filled,
    limitPrice: yesPrice,
    averagePrice,
    fee,
    ...orderStatus(filled, remaining, o.status, quantity),
    broker: "live",
    at,
  };
}

class AccountClient implements KalshiAccountClient {
  readonly venue = VENUE;
  private readonly key: KeyObject;
  private readonly keyId: string;

  constructor(
    private readonly s: Shared,
    private readonly market: MarketClient,
    secrets: Record<string, string>,
  ) {
    this.keyId = requireSecret(secrets, "key_id").trim();
    this.key = parsePrivateKey(requireSecret(secrets, "private_key"));
  }

  private readonly sign = ({ method, url }: SignInput): Record<string, string> => {
    const ts = String(this.s.now());
    return {
      "KALSHI-ACCESS-KEY": this.keyId,
      "KALSHI-ACCESS-TIMESTAMP": ts,
      "KALSHI-ACCESS-SIGNATURE": kalshiSignature(this.key, ts, method, url.pathname),
    };
  };

  private read<T>(path: string, query: Record<string, QueryValue> | undefined, signal?: AbortSignal, notFound?: string): Promise<T> {
    return this.s.http.request<T>({ method: "GET", path, query, kind: "read", cost: READ_COST, sign: this.sign, signal, notFound });
  }

  async getBalance(signal?: AbortSignal): Promise<Balance> {
    const body = await this.read<{ balance?: Str; balance_dollars?: Str }>("/portfolio/balance", undefined, signal);
    const available = dollars(body?.balance_dollars, body?.balance);
    if (available === null) throw new VenueError({ venue: VENUE, status: 200, message: "GET /portfolio/balance returned no balance" });
    return { venue: VENUE, currency: "USD", available };
  }

  async getPositions(signal?: AbortSignal): Promise<Position[]> {
    const out: Position[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.read<{ market_positions?: KalshiMarketPosition[]; cursor?: string }>("/portfolio/positions", { limit: PAGE_LIMIT, cursor }, signal);
      for (const p of body?.market_positions ?? []) {
        const quantity = num(p.position_fp) ?? num(p.position) ?? 0;
        if (!p.ticker || Math.abs(quantity) < 1e-9) continue;
        // market_exposure is the cost of the held contracts: YES contracts when long, NO contracts when short.
        const exposure = dollars(p.market_exposure_dollars, p.market_exposure) ?? 0;
        const perContract = exposure / Math.abs(quantity);
        const averagePrice = round4(quantity > 0 ? perContract : 1 - perContract);
        out.push({ venue: VENUE, symbol: p.ticker, quantity, averagePrice });
      }
      cursor = body?.cursor || undefined;
      if (!cursor) break;
    }
    return out;
  }

  async placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    const ticker = normalizeTicker(request.symbol);
    if (!(Number.isFinite(request.quantity) && Number(request.quantity.toFixed(2)) > 0)) throw new Error(`Kalshi: order quantity must be at least 0.01 contracts, got ${request.quantity}`);
    if (request.side !== "buy" && request.side !== "sell") throw new Error(`Kalshi: order side must be buy or sell, got ${String(request.side)}`);
    if (!request.clientOrderId) throw new Error("Kalshi: an order needs a clientOrderId");
    const isMarket = request.limitPrice === undefined;
    let price: number;
    if (!isMarket) {
      price = request.limitPrice!;
      if (!(Number.isFinite(price) && price > 0 && price < 1)) throw new Error(`Kalshi: limit price must be between 0 and 1 dollars (exclusive), got ${price}`);
    } else {
      price = await this.marketOrderPrice(ticker, request.side, signal);
      // Never worse than the live pre-trade collar's bound.
      if (request.protectPrice !== undefined && request.protectPrice > 0) price = round4(request.side === "buy" ? Math.min(price, request.protectPrice) : Math.max(price, request.protectPrice));
    }
    const body = {
      ticker,
      client_order_id: kalshiClientOrderId(request.clientOrderId),
      side: request.side === "buy" ? "bid" : "ask",
      count: request.quantity.toFixed(2),
      price: price.toFixed(4),
      time_in_force: isMarket ? "immediate_or_cancel" : "good_till_canceled",
      self_trade_prevention_type: "taker_at_cross",
    };
    const res = await this.s.http.request<KalshiCreateOrderResponse>({ method: "POST", path: "/portfolio/events/orders", body, kind: "write", cost: WRITE_COST, sign: this.sign, signal, notFound: notFoundMarket(ticker) });
    if (!res || typeof res.order_id !== "string") {
      throw new VenueError({ venue: VENUE, status: 200, message: "POST /portfolio/events/orders returned no order_id", statusUnknown: true });
    }
    const filled = num(res.fill_count) ?? 0;
    const remaining = num(res.remaining_count) ?? round(request.quantity - filled, 2);
    const avgFill = num(res.average_fill_price);
    const avgFee = num(res.average_fee_paid);
    const quantity = Number(request.quantity.toFixed(2));
    // An IOC remainder is cancelled at once; a good_till_canceled remainder rests.
    let status: Pick<Order, "status" | "reason"> = { status: remaining <= 1e-9 ? "filled" : "open" };
    if (isMarket && remaining > 1e-9) {
      status = filled > 0
        ? { status: "filled", reason: `immediate_or_cancel at ${price.toFixed(4)} filled ${filled} of ${quantity}; the rest was cancelled` }
        : { status: "cancelled", reason: `immediate_or_cancel at ${price.toFixed(4)} found nothing to fill, so it was cancelled` };
    }
    const ts = num(res.ts_ms);
    return {
      id: res.order_id,
      clientOrderId: request.clientOrderId,
      venue: VENUE,
      symbol: ticker,
      side: request.side,
      type: isMarket ? "market" : "limit",
      quantity,
      filledQuantity: filled,
      limitPrice: isMarket ? null : price,
      averagePrice: filled > 0 && avgFill !== null ? avgFill : null,
      // average_fee_paid is per filled contract.
      fee: avgFee !== null ? round(avgFee * filled, 6) : 0,
      ...status,
      broker: "live",
      at: new Date(ts ?? this.s.now()).toISOString(),
    };
  }

  /** The IOC price of a market order: the touch moved MARKET_ORDER_TICKS ticks through the book, within 0.01..0.99. */
  private async marketOrderPrice(ticker: string, side: "buy" | "sell", signal?: AbortSignal): Promise<number> {
    const [book, rules] = await Promise.all([this.market.getOrderBook(ticker, 1, signal), this.market.getRules(ticker, signal)]);
    const tick = rules.tickSize > 0 ? rules.tickSize : 0.01;
    if (side === "buy") {
      const best = book.asks[0];
      if (!best) throw new Error(`Kalshi: no asks in the book for "${ticker}": a market buy has nothing to fill against`);
      return round4(Math.min(MAX_PRICE, Math.max(MIN_PRICE, best[0] + MARKET_ORDER_TICKS * tick)));
    }
    const best = book.bids[0];
    if (!best) throw new Error(`Kalshi: no bids in the book for "${ticker}": a market sell has nothing to fill against`);
    return round4(Math.max(MIN_PRICE, Math.min(MAX_PRICE, best[0] - MARKET_ORDER_TICKS * tick)));
  }

  private async getOrder(orderId: string, signal?: AbortSignal): Promise<KalshiOrder> {
    const body = await this.read<{ order?: KalshiOrder }>(`/portfolio/orders/${encodeURIComponent(orderId)}`, undefined, signal, `order "${orderId}" does not exist on Kalshi`);
    if (!body?.order) throw new VenueError({ venue: VENUE, status: 200, message: `GET /portfolio/orders/${orderId} returned no order` });
    return body.order;
  }

  async cancelOrder(symbol: string, orderId: string, signal?: AbortSignal): Promise<Order> {
    const ticker = normalizeTicker(symbol);
    if (!orderId) throw new Error("Kalshi: cancelOrder needs an order id");
    // Cancel V2 answers only {order_id, client_order_id, reduced_by, ts_ms}: read the order first for the rest.
    const before = await this.getOrder(orderId, signal);
    if (before.status && before.status !== "resting" && before.status !== "pending") {
      throw new Error(`Kalshi: order "${orderId}" is ${before.status === "executed" ? "already filled" : "already cancelled"}, so it cannot be cancelled`);
    }
    const res = await this.s.http.request<KalshiCancelResponse>({
      method: "DELETE",
      path: `/portfolio/events/orders/${encodeURIComponent(orderId)}`,
      query: { market_ticker: ticker },
      kind: "write",
      cost: WRITE_COST,
      sign: this.sign,
      signal,
      notFound: `order "${orderId}" does not exist on Kalshi`,
    });
    const order = parseKalshiOrder(before);
    const quantity = order.quantity;
    const reducedBy = num(res?.reduced_by);
    const filled = reducedBy !== null ? round(Math.max(0, quantity - reducedBy), 2) : order.filledQuantity;
    const ts = num(res?.ts_ms);
    const { reason: _reason, ...rest } = order;
    return { ...rest, filledQuantity: filled, status: "cancelled", at: ts !== null ? new Date(ts).toISOString() : order.at };
  }

  async findOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<Order | null> {
    const ticker = normalizeTicker(symbol);
    const wanted = kalshiClientOrderId(clientOrderId);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.read<{ orders?: KalshiOrder[]; cursor?: string }>("/portfolio/orders", { ticker, limit: PAGE_LIMIT, cursor }, signal, notFoundMarket(ticker));
      const hit = (body?.orders ?? []).find((o) => o.client_order_id === wanted || o.client_order_id === clientOrderId);
      if (hit) return parseKalshiOrder(hit, clientOrderId);
      cursor = body?.cursor || undefined;
      if (!cursor) break;
    }
    return null;
  }
}

/**
 * A signed Kalshi account client from a credential profile's decrypted secrets: `key_id` (the API key id)
 * and `private_key` (its RSA private key, PEM).
 */
export function createKalshiAccountClient(secrets: Record<string, string>, options: KalshiClientOptions = {}): KalshiAccountClient {
  const shared = makeShared(options);
  return new AccountClient(shared, new MarketClient(shared), secrets);
}
