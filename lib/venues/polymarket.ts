import "server-only";
import { createHmac } from "node:crypto";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { Balance, Candle, CandleInterval, Funding, Order, OrderBook, OrderRequest, Position, Quote } from "../providers/types";
import { venueTimeoutMs, venueUrls } from "./config";
import { VenueError } from "./errors";
import { sharedBucket, VenueHttp, type SignInput } from "./http";
import { asTickSize, buildPolymarketOrder, polymarketL1Headers, polymarketSalt, type BuiltOrder, type PolymarketWallet } from "./polymarket-orders";
import type { MarketRules, VenueAccountClient, VenueMarketClient } from "./types";

/**
 * Polymarket: market data from Gamma (slug → token id) and the CLOB (book, midpoint, price history), the
 * account through the CLOB's L2-authenticated endpoints and the Data API (positions). Orders are built and
 * EIP-712 signed by @polymarket/clob-client-v2 (see polymarket-orders.ts); every request goes through
 * VenueHttp.
 *
 * Symbols: an outcome token id (a long decimal string), or "<gamma slug>:<outcome>" ("…:YES", "…:NO", or the
 * outcome's own name), or a bare slug meaning the market's first outcome (YES on a yes/no market).
 */

const VENUE = "polymarket" as const;

/** Published limits per 10 s (docs.polymarket.com/api-reference/rate-limits), as token buckets per second. */
export const POLYMARKET_LIMITS = {
  /** Gamma /markets: 300 / 10 s. */
  gamma: { capacity: 300, refillPerSecond: 30 },
  /** CLOB reads: /book, /midpoint 1,500 / 10 s; /prices-history 1,000 (cost 1.5); balance-allowance 200 (cost 7.5). */
  clobRead: { capacity: 1500, refillPerSecond: 150 },
  /** CLOB writes: POST /order 3,500 / 10 s and 36,000 / 10 min; DELETE /order 3,000 / 10 s and 30,000 / 10 min: the tighter of each. */
  clobWrite: { capacity: 3000, refillPerSecond: 50 },
  /** Data API 1,000 / 10 s; /positions 150 / 10 s (cost 1000/150). */
  data: { capacity: 1000, refillPerSecond: 100 },
} as const;
const COST = { pricesHistory: 1.5, balanceAllowance: 7.5, positions: 1000 / 150 } as const;

/** prices-history rejects spans over ~15 days: windows are paged at 14 days. */
export const PRICES_HISTORY_WINDOW_S = 14 * 86_400;
const RULES_TTL_MS = 30_000;

export interface PolymarketClientOptions {
  gammaUrl?: string;
  clobUrl?: string;
  dataUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock (ms) for candle windows, order timestamps and L2 signing; a test seam. */
  now?: () => number;
}

// ---------------------------------------------------------------------------------------------------------
// Signing

function base64UrlDecode(secret: string): Buffer {
  return Buffer.from(secret.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/**
 * Polymarket's L2 HMAC: base64url(HMAC-SHA256(base64url-decode(secret), timestamp + METHOD + path + body)),
 * padding kept; the query string is not signed.
 */
export function polymarketL2Signature(secret: string, timestamp: string | number, method: string, requestPath: string, body?: string): string {
  const message = `${timestamp}${method}${requestPath}${body ?? ""}`;
  return createHmac("sha256", base64UrlDecode(secret)).update(message).digest("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

interface BookLevel {
  price: string;
  size: string;
}
export interface PolymarketBook {
  market?: string;
  asset_id?: string;
  timestamp?: string;
  bids?: BookLevel[];
  asks?: BookLevel[];
  min_order_size?: string;
  tick_size?: string;
  neg_risk?: boolean;
  last_trade_price?: string;
}

function num(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : NaN;
}

function bookTime(timestamp: string | undefined, now: number): string {
  const ms = Number(timestamp);
  return new Date(Number.isFinite(ms) && ms > 0 ? ms : now).toISOString();
}

/** The venue sends bids ascending and asks descending (best last): sorted here best first. */
export function parsePolymarketBook(book: PolymarketBook, now = Date.now()): OrderBook {
  const levels = (side: BookLevel[] | undefined): [number, number][] => (side ?? []).map((l): [number, number] => [num(l.price), num(l.size)]).filter(([p, s]) => Number.isFinite(p) && Number.isFinite(s));
  return {
    bids: levels(book.bids).sort((a, b) => b[0] - a[0]),
    asks: levels(book.asks).sort((a, b) => a[0] - b[0]),
    at: bookTime(book.timestamp, now),
  };
}

const INTERVAL_MINUTES: Record<CandleInterval, number> = { "1m": 1, "5m": 5, "15m": 15, "1h": 60, "4h": 240, "1d": 1440 };
/** Price-point spacing asked of /prices-history per candle interval (several points per candle). */
const FIDELITY_MINUTES: Record<CandleInterval, number> = { "1m": 1, "5m": 1, "15m": 5, "1h": 5, "4h": 15, "1d": 60 };

/**
 * OHLC candles from /prices-history points ({t: seconds, p}). Candles open on multiples of the interval
 * (UTC); intervals without a point are left out (no price is invented). Volume is 0: the endpoint gives
 * prices only.
 */
export function candlesFromPrices(history: { t: number | string; p: number | string }[], interval: CandleInterval): Candle[] {
  const step = INTERVAL_MINUTES[interval] * 60;
  const points = new Map<number, number>();
  for (const point of history) {
    const t = num(point.t);
    const p = num(point.p);
    if (Number.isFinite(t) && Number.isFinite(p)) points.set(t, p);
  }
  const candles = new Map<number, Candle>();
  for (const [t, p] of [...points].sort((a, b) => a[0] - b[0])) {
    const time = Math.floor(t / step) * step * 1000;
    const c = candles.get(time);
    if (!c) candles.set(time, { time, open: p, high: p, low: p, close: p, volume: 0 });
    else {
      c.high = Math.max(c.high, p);
      c.low = Math.min(c.low, p);
      c.close = p;
    }
  }
  return [...candles.values()].sort((a, b) => a.time - b.time);
}

// ---------------------------------------------------------------------------------------------------------
// Symbols

interface GammaMarket {
  slug?: string;
  outcomes?: string | string[];
  clobTokenIds?: string | string[];
}

function jsonList(value: string | string[] | undefined): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== "string" || value === "") return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function notFound(what: string): string {
  return `market "${what}" does not exist on Polymarket`;
}

/** Slug lookups are immutable (a market's token ids never change): cached for the process. */
const tokenCache = new Map<string, string>();

// ---------------------------------------------------------------------------------------------------------
// Shared plumbing

interface Context {
  gamma: VenueHttp;
  clob: VenueHttp;
  data: VenueHttp;
  now: () => number;
}

function context(options: PolymarketClientOptions): Context {
  const urls = venueUrls();
  const timeoutMs = options.timeoutMs ?? venueTimeoutMs(VENUE);
  const common = { venue: VENUE, timeoutMs, maxRetries: options.maxRetries, backoffMs: options.backoffMs, sleep: options.sleep };
  const L = POLYMARKET_LIMITS;
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const gammaBucket = sharedBucket("polymarket:gamma", L.gamma.capacity, L.gamma.refillPerSecond);
  const dataBucket = sharedBucket("polymarket:data", L.data.capacity, L.data.refillPerSecond);
  return {
    gamma: new VenueHttp(clean({ ...common, baseUrl: options.gammaUrl ?? urls.polymarketGamma, readBucket: gammaBucket, writeBucket: gammaBucket })),
    clob: new VenueHttp(
      clean({
        ...common,
        baseUrl: options.clobUrl ?? urls.polymarketClob,
        readBucket: sharedBucket("polymarket:clob-read", L.clobRead.capacity, L.clobRead.refillPerSecond),
        writeBucket: sharedBucket("polymarket:clob-write", L.clobWrite.capacity, L.clobWrite.refillPerSecond),
      }),
    ),
    data: new VenueHttp(clean({ ...common, baseUrl: options.dataUrl ?? urls.polymarketData, readBucket: dataBucket, writeBucket: dataBucket })),
    now: options.now ?? Date.now,
  };
}

/** The outcome token id for a symbol (token id, "slug:OUTCOME", or a bare slug = first outcome). */
async function resolveToken(ctx: Context, symbol: string, signal?: AbortSignal): Promise<string> {
  const s = symbol.trim();
  if (/^\d+$/.test(s)) return s;
  const cached = tokenCache.get(s.toLowerCase());
  if (cached) return cached;
  const colon = s.lastIndexOf(":");
  const slug = colon > 0 ? s.slice(0, colon) : s;
  const outcome = colon > 0 ? s.slice(colon + 1) : null;
  if (!slug || !/^[A-Za-z0-9_.-]+$/.test(slug)) throw new Error(`polymarket: "${symbol}" is neither a token id nor "<market slug>:YES|NO"`);
  const markets = await ctx.gamma.request<GammaMarket[]>({ method: "GET", path: "/markets", query: { slug }, kind: "read", signal, notFound: notFound(slug) });
  const market = Array.isArray(markets) ? markets.find((m) => m.slug === slug) ?? markets[0] : undefined;
  const tokens = jsonList(market?.clobTokenIds);
  // Gamma answers an empty list for an unknown slug.
  if (!market || tokens.length === 0) throw new VenueError({ venue: VENUE, status: 404, message: notFound(slug) });
  const outcomes = jsonList(market.outcomes);
  let index = 0;
  if (outcome !== null) {
    index = outcomes.findIndex((o) => o.toLowerCase() === outcome.toLowerCase());
    if (index < 0 && outcomes.length === 0) index = { yes: 0, no: 1 }[outcome.toLowerCase()] ?? -1;
    if (index < 0 || index >= tokens.length) throw new Error(`polymarket: market "${slug}" has no outcome "${outcome}" (outcomes: ${outcomes.join(", ") || "unknown"})`);
  }
  const token = tokens[index];
  if (token === undefined) throw new Error(`polymarket: market "${slug}" has no outcome "${outcome}"`);
  tokenCache.set(s.toLowerCase(), token);
  return token;
}

async function fetchBook(ctx: Context, symbol: string, signal?: AbortSignal): Promise<{ token: string; book: PolymarketBook }> {
  const token = await resolveToken(ctx, symbol, signal);
  const book = await ctx.clob.request<PolymarketBook>({ method: "GET", path: "/book", query: { token_id: token }, kind: "read", signal, notFound: notFound(symbol) });
  if (!book || typeof book !== "object") throw new VenueError({ venue: VENUE, status: 200, message: `GET /book returned no book for "${symbol}"` });
  return { token, book };
}

function rulesFrom(book: PolymarketBook, symbol: string): MarketRules & { negRisk: boolean } {
  const tickSize = num(book.tick_size);
  if (!(tickSize > 0)) throw new VenueError({ venue: VENUE, status: 200, message: `the book for "${symbol}" has no tick size` });
  const min = num(book.min_order_size);
  return { tickSize, stepSize: 0.01, minQuantity: min > 0 ? min : 0, minNotional: 0, negRisk: book.neg_risk === true };
}

// ---------------------------------------------------------------------------------------------------------
// Market data

/** One page of a history read: the candles built for every open time in [from, to] (ms, inclusive). */
export interface CandleHistoryPage {
  from: number;
  to: number;
  candles: Candle[];
}

export interface PolymarketMarketClient extends VenueMarketClient {
  /** The outcome token id a symbol stands for. */
  resolveToken(symbol: string, signal?: AbortSignal): Promise<string>;
  /** Candles with open times in [fromMs, toMs], oldest first (paged, see candleHistoryPages). */
  getCandleHistory(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): Promise<Candle[]>;
  /**
   * Candles with open times in [fromMs, toMs], built from /prices-history points over startTs/endTs windows
   * of at most 14 days. Windows start on interval boundaries and hold whole candles; a point counts in the
   * window whose [startTs, endTs) holds it. Volume is 0. A page is yielded before the next is requested.
   */
  candleHistoryPages(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<CandleHistoryPage>;
}

export function createPolymarketMarketClient(options: PolymarketClientOptions = {}): PolymarketMarketClient {
  const ctx = context(options);
  const rulesCache = new Map<string, { at: number; rules: MarketRules }>();

  async function* candleHistoryPages(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, signal?: AbortSignal): AsyncGenerator<CandleHistoryPage> {
    const minutes = INTERVAL_MINUTES[interval];
    if (!minutes) throw new Error(`polymarket: unsupported candle interval "${interval}"`);
    if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs < 0) throw new Error(`polymarket: a history range needs whole ms times, got ${fromMs}..${toMs}`);
    if (fromMs > toMs) return;
    const token = await resolveToken(ctx, symbol, signal);
    const step = minutes * 60;
    const window = Math.floor(PRICES_HISTORY_WINDOW_S / step) * step;
    const first = Math.floor(fromMs / 1000 / step) * step;
    const end = Math.floor(toMs / 1000 / step) * step + step;
    for (let start = first; start < end; start += window) {
      const stop = Math.min(end, start + window);
      const page = await ctx.clob.request<{ history?: { t: number | string; p: number | string }[] }>({
        method: "GET",
        path: "/prices-history",
        query: { market: token, startTs: start, endTs: stop, fidelity: FIDELITY_MINUTES[interval] },
        kind: "read",
        cost: COST.pricesHistory,
        signal,
        notFound: notFound(symbol),
      });
      const points = (page && Array.isArray(page.history) ? page.history : []).filter((point) => {
        const t = num(point.t);
        return t >= start && t < stop;
      });
      const from = Math.max(fromMs, start * 1000);
      const to = Math.min(toMs, stop * 1000 - 1);
      yield { from, to, candles: candlesFromPrices(points, interval).filter((c) => c.time >= from && c.time <= to) };
    }
  }

  return {
    venue: VENUE,
    resolveToken: (symbol, signal) => resolveToken(ctx, symbol, signal),
    candleHistoryPages,

    async getCandleHistory(symbol, interval, fromMs, toMs, signal) {
      const out: Candle[] = [];
      for await (const page of candleHistoryPages(symbol, interval, fromMs, toMs, signal)) out.push(...page.candles);
      return out;
    },

    async getOrderBook(symbol, depth, signal) {
      const { book } = await fetchBook(ctx, symbol, signal);
      const parsed = parsePolymarketBook(book, ctx.now());
      if (depth > 0) {
        parsed.bids = parsed.bids.slice(0, depth);
        parsed.asks = parsed.asks.slice(0, depth);
      }
      return parsed;
    },

    /**
     * Best bid and ask from the book; price = GET /midpoint, the venue's own midpoint (falls back to the
     * book's midpoint when the venue has none). A side with no orders is an error ("no asks in the book for X"): no price is invented.
     */
    async getQuote(symbol, signal) {
      const { token, book } = await fetchBook(ctx, symbol, signal);
      const parsed = parsePolymarketBook(book, ctx.now());
      const bid = parsed.bids[0]?.[0];
      const ask = parsed.asks[0]?.[0];
      if (bid === undefined) throw new VenueError({ venue: VENUE, status: 200, message: `no bids in the book for "${symbol}"` });
      if (ask === undefined) throw new VenueError({ venue: VENUE, status: 200, message: `no asks in the book for "${symbol}"` });
      let price = (bid + ask) / 2;
      try {
        const mid = await ctx.clob.request<{ mid?: string }>({ method: "GET", path: "/midpoint", query: { token_id: token }, kind: "read", signal, notFound: notFound(symbol) });
        const m = num(mid?.mid);
        if (m > 0 && m < 1) price = m;
      } catch (error) {
        if (!(error instanceof VenueError) || error.status === null || error.status >= 500 || error.status === 429) throw error;
      }
      return { price, bid, ask, at: parsed.at } satisfies Quote;
    },

    /**
     * OHLC candles built from GET /prices-history points (several points per candle, see FIDELITY_MINUTES).
     * Volume is always 0: the endpoint gives prices only. The window is paged in 14-day slices because the
     * venue rejects spans over ~15 days.
     */
    async getCandles(symbol, interval, limit, signal) {
      const token = await resolveToken(ctx, symbol, signal);
      const step = INTERVAL_MINUTES[interval] * 60;
      const endTs = Math.floor(ctx.now() / 1000);
      const count = Math.max(1, Math.floor(limit));
      const startTs = (Math.floor(endTs / step) - (count - 1)) * step;
      const history: { t: number | string; p: number | string }[] = [];
      for (let from = startTs; from < endTs; from += PRICES_HISTORY_WINDOW_S) {
        const to = Math.min(endTs, from + PRICES_HISTORY_WINDOW_S);
        const page = await ctx.clob.request<{ history?: { t: number | string; p: number | string }[] }>({
          method: "GET",
          path: "/prices-history",
          query: { market: token, startTs: from, endTs: to, fidelity: FIDELITY_MINUTES[interval] },
          kind: "read",
          cost: COST.pricesHistory,
          signal,
          notFound: notFound(symbol),
        });
        if (page && Array.isArray(page.history)) history.push(...page.history);
      }
      return candlesFromPrices(history, interval).slice(-count);
    },

    async getFunding(): Promise<Funding> {
      throw new Error("polymarket: Polymarket has no perpetual funding");
    },

    /** tick_size and min_order_size from the book (cached 30 s: the tick changes near 0 and 1); shares step 0.01. */
    async getRules(symbol, signal) {
      const hit = rulesCache.get(symbol);
      if (hit && ctx.now() - hit.at < RULES_TTL_MS) return hit.rules;
      const { book } = await fetchBook(ctx, symbol, signal);
      const { negRisk: _negRisk, ...rules } = rulesFrom(book, symbol);
      void _negRisk;
      rulesCache.set(symbol, { at: ctx.now(), rules });
      return rules;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Account

interface ApiCreds {
  key: string;
  secret: string;
  passphrase: string;
}

interface PostOrderResponse {
  success?: boolean;
  errorMsg?: string;
  orderID?: string;
  status?: string;
  takingAmount?: string;
  makingAmount?: string;
}

export interface PolymarketOpenOrder {
  id: string;
  status: string;
  asset_id?: string;
  side?: string;
  original_size?: string;
  size_matched?: string;
  price?: string;
  order_type?: string;
  created_at?: number | string;
}

interface PolymarketTrade {
  taker_order_id?: string;
  asset_id?: string;
  side?: string;
  size?: string;
  price?: string;
  match_time?: string;
  maker_orders?: { order_id?: string; matched_amount?: string; price?: string }[];
}

interface OrderRecord {
  request: OrderRequest;
  token: string;
  type: "limit" | "market";
  price: number;
  built: BuiltOrder;
  hash: string;
  /** Seconds, for searching trades. */
  createdS: number;
}

export interface PolymarketAccountClient extends VenueAccountClient {
  /** The wallet (signer) address. */
  readonly address: string;
  /** The Polymarket order id (order hash) signed for a client order id, if this client signed one. */
  orderHash(clientOrderId: string): string | undefined;
}

const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Ticks a market order may cross beyond the best price. */
export const MARKET_ORDER_SLIPPAGE_TICKS = 5;

function decimals(tick: number): number {
  return Math.max(0, Math.ceil(-Math.log10(tick) - 1e-9));
}

function roundToTick(price: number, tick: number): number {
  return Number((Math.round(price / tick) * tick).toFixed(decimals(tick)));
}

/** The worst price a market order accepts: best ask (bid) moved 5 ticks against us, within tick..1-tick. */
export function marketOrderPrice(side: "buy" | "sell", book: OrderBook, tick: number, symbol: string): number {
  const best = side === "buy" ? book.asks[0]?.[0] : book.bids[0]?.[0];
  if (best === undefined) throw new Error(`polymarket: no ${side === "buy" ? "asks" : "bids"} in the book for "${symbol}": a market ${side} has no price to trade at`);
  const moved = side === "buy" ? best + MARKET_ORDER_SLIPPAGE_TICKS * tick : best - MARKET_ORDER_SLIPPAGE_TICKS * tick;
  return roundToTick(Math.min(1 - tick, Math.max(tick, moved)), tick);
}

/**
 * Secrets: `private_key` (required, 0x hex wallet key); `api_key`, `api_secret`, `api_passphrase` (L2 API
 * credentials, all three or none: when none, they are derived once with the wallet's L1 signature via
 * GET /auth/derive-api-key); `funder_address` (the Polymarket proxy / safe wallet holding the funds) with
 * `signature_type` "1" (POLY_PROXY, email / Magic accounts) or "2" (POLY_GNOSIS_SAFE, browser-wallet
 * accounts, the default when a funder is given). Without a funder the wallet itself trades (type 0, EOA).
 */
export function createPolymarketAccountClient(secrets: Record<string, string>, options: PolymarketClientOptions = {}): PolymarketAccountClient {
  const field = (name: string) => (typeof secrets[name] === "string" ? secrets[name].trim() : "");
  const privateKey = field("private_key");
  if (!privateKey) throw new Error('polymarket: the credential profile is missing the secret field "private_key"');
  if (!HEX_KEY.test(privateKey)) throw new Error('polymarket: the secret field "private_key" is not a 32-byte hex key');
  const account: PrivateKeyAccount = privateKeyToAccount((privateKey.startsWith("0x") ? privateKey : `0x${privateKey}`) as `0x${string}`);

  const credFields = ["api_key", "api_secret", "api_passphrase"] as const;
  const present = credFields.filter((f) => field(f));
  if (present.length > 0 && present.length < 3) {
    throw new Error(`polymarket: the credential profile is missing the secret field${3 - present.length > 1 ? "s" : ""} ${credFields.filter((f) => !field(f)).map((f) => `"${f}"`).join(", ")} (give all three API credentials or none)`);
  }
  const funder = field("funder_address") || undefined;
  if (funder && !ADDRESS.test(funder)) throw new Error('polymarket: the secret field "funder_address" is not a 0x address');
  const typeField = field("signature_type");
  let signatureType: 0 | 1 | 2 = funder ? 2 : 0;
  if (typeField) {
    if (!["0", "1", "2"].includes(typeField)) throw new Error('polymarket: the secret field "signature_type" must be 0 (EOA), 1 (POLY_PROXY) or 2 (POLY_GNOSIS_SAFE)');
    signatureType = Number(typeField) as 0 | 1 | 2;
  }
  if (signatureType !== 0 && !funder) throw new Error(`polymarket: signature type ${signatureType} needs the secret field "funder_address" (the proxy wallet)`);
  if (signatureType === 0 && funder) throw new Error('polymarket: signature type 0 (EOA) trades from the wallet itself: remove "funder_address" or use signature type 1 or 2');
  const wallet: PolymarketWallet = { account, signatureType, funder };

  const ctx = context(options);
  const clobBase = new URL(ctx.clob.baseUrl).pathname.replace(/\/+$/, "");
  let credsPromise: Promise<ApiCreds> | null =
    present.length === 3 ? Promise.resolve({ key: field("api_key"), secret: field("api_secret"), passphrase: field("api_passphrase") }) : null;

  function apiCreds(signal?: AbortSignal): Promise<ApiCreds> {
    if (!credsPromise) {
      credsPromise = ctx.clob
        .request<{ apiKey?: string; secret?: string; passphrase?: string }>({
          method: "GET",
          path: "/auth/derive-api-key",
          kind: "read",
          signal,
          sign: () => polymarketL1Headers(account, 137, 0, Math.floor(ctx.now() / 1000)),
        })
        .then((raw) => {
          if (!raw?.apiKey || !raw.secret || !raw.passphrase) throw new Error("the venue returned no credentials");
          return { key: raw.apiKey, secret: raw.secret, passphrase: raw.passphrase };
        })
        .catch((error: unknown) => {
          credsPromise = null;
          const why = error instanceof Error ? error.message : String(error);
          throw new Error(`polymarket: could not derive API credentials for wallet ${account.address} (${why}); create them on polymarket.com or with the official client and add api_key, api_secret and api_passphrase to the profile`);
        });
    }
    return credsPromise;
  }

  const l2 = (creds: ApiCreds) => ({ method, url, body }: SignInput) => {
    const ts = String(Math.floor(ctx.now() / 1000));
    const path = url.pathname.slice(clobBase.length) || "/";
    return {
      POLY_ADDRESS: account.address,
      POLY_SIGNATURE: polymarketL2Signature(creds.secret, ts, method, path, body || undefined),
      POLY_TIMESTAMP: ts,
      POLY_API_KEY: creds.key,
      POLY_PASSPHRASE: creds.passphrase,
    };
  };

  const orders = new Map<string, OrderRecord>();

  function baseOrder(record: OrderRecord): Order {
    const r = record.request;
    return {
      id: record.hash,
      clientOrderId: r.clientOrderId,
      venue: VENUE,
      symbol: r.symbol,
      side: r.side,
      type: record.type,
      quantity: r.quantity,
      filledQuantity: 0,
      limitPrice: record.type === "limit" ? record.price : null,
      averagePrice: null,
      fee: 0,
      status: "open",
      broker: "live",
      at: new Date(ctx.now()).toISOString(),
    };
  }

  /** POST /order's answer as an Order. Amounts are decimal strings: shares and USDC. */
  function fromPostResponse(record: OrderRecord, res: PostOrderResponse): Order {
    const order = baseOrder(record);
    if (res.orderID) order.id = res.orderID;
    if (res.success === false || (res.errorMsg && !res.orderID)) return { ...order, status: "rejected", reason: res.errorMsg || "rejected by Polymarket" };
    const making = num(res.makingAmount) || 0;
    const taking = num(res.takingAmount) || 0;
    const shares = record.request.side === "buy" ? taking : making;
    const usdc = record.request.side === "buy" ? making : taking;
    order.filledQuantity = shares;
    order.averagePrice = shares > 0 ? usdc / shares : null;
    const status = (res.status ?? "").toLowerCase();
    const full = shares >= record.request.quantity - 1e-9;
    if (record.type === "market") {
      order.status = shares > 0 ? "filled" : "cancelled";
      if (shares > 0 && !full) order.reason = "partially filled; the rest was killed (FAK)";
      if (shares === 0 && status !== "live" && status !== "delayed") order.reason = "nothing matched (FAK)";
      if (status === "live" || status === "delayed") order.status = "open";
    } else {
      order.status = status === "matched" && full ? "filled" : "open";
    }
    return order;
  }

  function fromOpenOrder(record: OrderRecord | undefined, o: PolymarketOpenOrder, symbol: string, clientOrderId: string): Order {
    const quantity = num(o.original_size);
    const filled = num(o.size_matched) || 0;
    const price = num(o.price);
    const type: "limit" | "market" = record?.type ?? (o.order_type === "FAK" || o.order_type === "FOK" ? "market" : "limit");
    const s = (o.status ?? "").toUpperCase();
    const status: Order["status"] = s === "MATCHED" || (quantity > 0 && filled >= quantity) ? "filled" : s.startsWith("CANCEL") ? "cancelled" : s === "LIVE" || s === "DELAYED" ? "open" : s === "UNMATCHED" ? "cancelled" : "rejected";
    const created = num(o.created_at);
    return {
      id: o.id,
      clientOrderId,
      venue: VENUE,
      symbol,
      side: (o.side ?? record?.request.side ?? "").toLowerCase() === "sell" ? "sell" : "buy",
      type,
      quantity: Number.isFinite(quantity) ? quantity : (record?.request.quantity ?? 0),
      filledQuantity: filled,
      limitPrice: type === "limit" && Number.isFinite(price) ? price : null,
      // The venue reports the order's limit price, not its fill prices: the fill price is taken as that.
      averagePrice: filled > 0 && Number.isFinite(price) ? price : null,
      fee: 0,
      status,
      ...(status === "rejected" ? { reason: `Polymarket order status ${o.status}` } : {}),
      broker: "live",
      at: new Date(created > 0 ? (created < 1e12 ? created * 1000 : created) : ctx.now()).toISOString(),
    };
  }

  async function getVenueOrder(hash: string, signal?: AbortSignal): Promise<PolymarketOpenOrder | null> {
    const creds = await apiCreds(signal);
    try {
      const o = await ctx.clob.request<PolymarketOpenOrder | null | "">({ method: "GET", path: `/data/order/${hash}`, kind: "read", sign: l2(creds), signal, notFound: `order "${hash}" not found` });
      return o && typeof o === "object" && typeof o.id === "string" && o.id ? o : null;
    } catch (error) {
      if (error instanceof VenueError && error.status === 404) return null;
      throw error;
    }
  }

  /** A fully matched immediate order is not kept by /data/order: its trades tell what happened. */
  async function fromTrades(record: OrderRecord, signal?: AbortSignal): Promise<Order | null> {
    const creds = await apiCreds(signal);
    const res = await ctx.clob.request<{ data?: PolymarketTrade[] } | PolymarketTrade[]>({
      method: "GET",
      path: "/data/trades",
      query: { asset_id: record.token, after: record.createdS - 60 },
      kind: "read",
      sign: l2(creds),
      signal,
    });
    const trades = Array.isArray(res) ? res : (res?.data ?? []);
    let shares = 0;
    let usdc = 0;
    const hash = record.hash.toLowerCase();
    for (const t of trades) {
      if (t.taker_order_id?.toLowerCase() === hash) {
        shares += num(t.size) || 0;
        usdc += (num(t.size) || 0) * (num(t.price) || 0);
      }
      for (const m of t.maker_orders ?? []) {
        if (m.order_id?.toLowerCase() === hash) {
          shares += num(m.matched_amount) || 0;
          usdc += (num(m.matched_amount) || 0) * (num(m.price) || 0);
        }
      }
    }
    if (shares <= 0) return null;
    const order = baseOrder(record);
    const full = shares >= record.request.quantity - 1e-9;
    return { ...order, filledQuantity: shares, averagePrice: usdc / shares, status: full || record.type === "market" ? "filled" : "open" };
  }

  async function send(record: OrderRecord, signal?: AbortSignal): Promise<Order> {
    const creds = await apiCreds(signal);
    const body = { ...record.built.payload, owner: creds.key };
    let res: PostOrderResponse;
    try {
      res = await ctx.clob.request<PostOrderResponse>({ method: "POST", path: "/order", body, kind: "write", sign: l2(creds), signal });
    } catch (error) {
      // A 400 is the venue refusing this order (bad amounts, balance, ...): a rejected order, not a fault.
      if (error instanceof VenueError && error.status === 400) return { ...baseOrder(record), status: "rejected", reason: error.message };
      throw error;
    }
    if (res?.orderID && res.orderID.toLowerCase() !== record.hash.toLowerCase() && res.success !== false) record.hash = res.orderID;
    return fromPostResponse(record, res ?? {});
  }

  async function findOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<Order | null> {
    const record = orders.get(clientOrderId);
    if (!record) {
      throw new Error(
        `polymarket: no order with client order id "${clientOrderId}" was signed by this client; Polymarket has no client order ids, so only the client that signed an order knows its id (order hash)`,
      );
    }
    const venueOrder = await getVenueOrder(record.hash, signal);
    if (venueOrder) return fromOpenOrder(record, venueOrder, symbol, clientOrderId);
    return fromTrades(record, signal);
  }

  const sameRequest = (a: OrderRequest, b: OrderRequest) => a.symbol === b.symbol && a.side === b.side && a.quantity === b.quantity && (a.limitPrice ?? null) === (b.limitPrice ?? null);

  return {
    venue: VENUE,
    address: account.address,
    orderHash: (clientOrderId) => orders.get(clientOrderId)?.hash,

    async getBalance(signal): Promise<Balance> {
      const creds = await apiCreds(signal);
      const res = await ctx.clob.request<{ balance?: string }>({
        method: "GET",
        path: "/balance-allowance",
        query: { asset_type: "COLLATERAL", signature_type: signatureType },
        kind: "read",
        cost: COST.balanceAllowance,
        sign: l2(creds),
        signal,
      });
      const balance = num(res?.balance);
      if (!Number.isFinite(balance)) throw new VenueError({ venue: VENUE, status: 200, message: "GET /balance-allowance returned no balance" });
      return { venue: VENUE, currency: "USDC", available: balance / 1e6 };
    },

    async getPositions(signal): Promise<Position[]> {
      const user = funder ?? account.address;
      const positions: Position[] = [];
      const pageSize = 500;
      for (let offset = 0; offset < 10 * pageSize; offset += pageSize) {
        const res = await ctx.data.request<unknown>({ method: "GET", path: "/positions", query: { user, sizeThreshold: 0, limit: pageSize, offset }, kind: "read", cost: COST.positions, signal });
        const rows = (Array.isArray(res) ? res : res && typeof res === "object" && Array.isArray((res as { data?: unknown }).data) ? (res as { data: unknown[] }).data : []) as { asset?: string; size?: number | string; avgPrice?: number | string }[];
        for (const row of rows) {
          const quantity = num(row.size);
          if (!row.asset || !(quantity > 0)) continue;
          positions.push({ venue: VENUE, symbol: String(row.asset), quantity, averagePrice: num(row.avgPrice) || 0 });
        }
        if (rows.length < pageSize) break;
      }
      return positions;
    },

    /**
     * Limit → GTC at limitPrice; market → FAK at the best ask (bid) moved 5 ticks against us. A market buy
     * spends quantity × best ask in USDC (the package's market builder takes a USDC amount), so it gets
     * about `quantity` shares, fewer if the book moves. The order is deterministic per clientOrderId:
     * placing the same request again first asks the venue about the order already signed.
     */
    async placeOrder(request, signal) {
      if (!(request.quantity > 0) || !Number.isFinite(request.quantity)) throw new Error(`polymarket: order quantity must be a positive number of shares (got ${request.quantity})`);
      const existing = orders.get(request.clientOrderId);
      if (existing) {
        if (!sameRequest(existing.request, request)) throw new Error(`polymarket: client order id "${request.clientOrderId}" was already used for a different order`);
        // Never sent twice: the venue's record of it, or "status unknown" for the caller to resolve.
        const found = await findOrder(request.symbol, request.clientOrderId, signal);
        if (found) return found;
        throw new VenueError({ venue: "polymarket", message: `order ${request.clientOrderId} was already signed and sent once; the venue does not know it yet, so it is not sent again`, statusUnknown: true });
      }
      const { token, book } = await fetchBook(ctx, request.symbol, signal);
      const rules = rulesFrom(book, request.symbol);
      const tick = rules.tickSize;
      const tickSize = asTickSize(book.tick_size ?? tick);
      let type: "limit" | "market";
      let price: number;
      let usdcAmount: number | undefined;
      if (request.limitPrice !== undefined && request.limitPrice !== null) {
        type = "limit";
        price = request.limitPrice;
        if (!(price >= tick && price <= 1 - tick + 1e-12)) throw new Error(`polymarket: limit price ${price} is outside ${tick}..${Number((1 - tick).toFixed(decimals(tick)))} for "${request.symbol}"`);
        if (Math.abs(roundToTick(price, tick) - price) > 1e-9) throw new Error(`polymarket: limit price ${price} is not a multiple of the tick size ${tick} for "${request.symbol}"`);
        price = roundToTick(price, tick);
      } else {
        type = "market";
        const parsed = parsePolymarketBook(book, ctx.now());
        price = marketOrderPrice(request.side, parsed, tick, request.symbol);
        // Never worse than the live pre-trade collar's bound.
        if (request.protectPrice !== undefined && request.protectPrice > 0) {
          price = roundToTick(request.side === "buy" ? Math.min(price, request.protectPrice) : Math.max(price, request.protectPrice), tick);
        }
        const bestAsk = parsed.asks[0]?.[0];
        if (request.side === "buy" && bestAsk !== undefined) {
          usdcAmount = Math.floor(request.quantity * bestAsk * 100 + 1e-7) / 100;
          if (!(usdcAmount > 0)) throw new Error(`polymarket: a market buy of ${request.quantity} shares at ${bestAsk} is under one cent`);
        }
      }
      const nowMs = ctx.now();
      const built = await buildPolymarketOrder(wallet, {
        tokenId: token,
        side: request.side,
        kind: type,
        price,
        quantity: request.quantity,
        usdcAmount,
        tickSize,
        negRisk: rules.negRisk,
        salt: polymarketSalt(request.clientOrderId),
        timestamp: String(nowMs),
      });
      const record: OrderRecord = { request: { ...request }, token, type, price, built, hash: built.hash, createdS: Math.floor(nowMs / 1000) };
      orders.set(request.clientOrderId, record);
      return send(record, signal);
    },

    /** DELETE /order {orderID}; the venue answers {canceled: [...], not_canceled: {id: reason}}. */
    async cancelOrder(symbol, orderId, signal) {
      const creds = await apiCreds(signal);
      const res = await ctx.clob.request<{ canceled?: string[]; not_canceled?: Record<string, string> }>({
        method: "DELETE",
        path: "/order",
        body: { orderID: orderId },
        kind: "write",
        sign: l2(creds),
        signal,
      });
      const cancelled = (res?.canceled ?? []).some((id) => id.toLowerCase() === orderId.toLowerCase());
      if (!cancelled) {
        const reason = res?.not_canceled?.[orderId] ?? Object.values(res?.not_canceled ?? {})[0] ?? "the venue did not confirm it";
        throw new Error(`polymarket: order "${orderId}" was not cancelled: ${reason}`);
      }
      const record = [...orders.values()].find((r) => r.hash.toLowerCase() === orderId.toLowerCase());
      const venueOrder = await getVenueOrder(orderId, signal).catch(() => null);
      if (venueOrder) return { ...fromOpenOrder(record, venueOrder, symbol, record?.request.clientOrderId ?? ""), status: "cancelled" };
      if (record) return { ...baseOrder(record), status: "cancelled" };
      return { id: orderId, clientOrderId: "", venue: VENUE, symbol, side: "buy", type: "limit", quantity: 0, filledQuantity: 0, limitPrice: null, averagePrice: null, fee: 0, status: "cancelled", broker: "live", at: new Date(ctx.now()).toISOString() };
    },

    findOrder,
  };
}
