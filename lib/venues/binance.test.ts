import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ccxtResponses, MockVenue, type MockRequest } from "../../test/mock-venue";
import type { CandleInterval, OrderRequest } from "../providers/types";
import {
  BINANCE_CLIENT_ORDER_ID,
  binanceClientOrderId,
  binanceDepthLimit,
  binanceSignature,
  createBinanceAccountClient,
  createBinanceMarketClient,
  parseBinanceSymbol,
  plainDecimal,
  type BinanceClientOptions,
} from "./binance";
import { VenueError } from "./errors";

/**
 * Offline tests against MockVenue. Recorded Binance responses come from ccxt's MIT-licensed static tests
 * (test/fixtures/ccxt/response/binance.json); each is served as is and our parsed values are checked
 * against ccxt's parsedResponse. Where ccxt has no recording (bookTicker with an empty side, premiumIndex,
 * fundingInfo, fundingRate, exchangeInfo, futures order RESULT, spot order FULL with fills, cancel), small
 * fixtures below follow the response shapes documented in Binance's REST docs (spot rest-api.md and the
 * USDⓈ-M futures "Market Data" / "Trade" pages); their values are our own.
 */

const ccxt = ccxtResponses("binance");
const mock = new MockVenue();
let url = "";
const API_KEY = "test-api-key-0123456789abcdefABCDEF";
const API_SECRET = "test-api-secret-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210";
const NOW = 1_717_171_717_171;

const fast: BinanceClientOptions = { timeoutMs: 2_000, backoffMs: 1, sleep: async () => {} };
const market = (o: BinanceClientOptions = {}) => createBinanceMarketClient({ baseUrl: url, futuresBaseUrl: url, ...fast, ...o });
const account = (o: Parameters<typeof createBinanceAccountClient>[1] = {}) =>
  createBinanceAccountClient({ api_key: API_KEY, api_secret: API_SECRET }, { baseUrl: url, futuresBaseUrl: url, now: () => NOW, ...fast, ...o });

/** ccxt unified symbol -> ours; null for coin-margined (inverse) contracts, which this client does not trade. */
function ours(ccxtSymbol: string): string | null {
  const [pair = "", settle] = ccxtSymbol.split(":");
  const [base = "", quote = ""] = pair.split("/");
  if (settle === undefined) return `${base}${quote}`;
  if (settle === quote) return `${base}${quote}-PERP`;
  return null;
}
const isPerp = (s: string) => s.endsWith("-PERP");

type Parsed = Record<string, unknown>;
const ccxtStatus: Record<string, string> = { closed: "filled", open: "open", canceled: "cancelled", rejected: "rejected", expired: "cancelled" };

beforeAll(async () => {
  url = await mock.start();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

describe("pure helpers", () => {
  it("signs with Binance's published HMAC-SHA256 test vector", () => {
    expect(
      binanceSignature(
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
      ),
    ).toBe("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  });

  it("maps our client order ids deterministically onto Binance's pattern", () => {
    const a = "run_0f8fad5b-d9cb-469f-a165-70867728950e:buy-when-rsi-low-node-with-a-long-name";
    const b = "run_0f8fad5b-d9cb-469f-a165-70867728950e:sell";
    expect(binanceClientOrderId(a)).toBe(binanceClientOrderId(a));
    expect(binanceClientOrderId(a)).not.toBe(binanceClientOrderId(b));
    for (const id of [a, b, "x", "run_é:ü"]) expect(binanceClientOrderId(id)).toMatch(BINANCE_CLIENT_ORDER_ID);
  });

  it("formats quantities and prices as plain decimals", () => {
    expect(plainDecimal(1e-7)).toBe("0.0000001");
    expect(plainDecimal(0.1 + 0.2)).toBe("0.3");
    expect(plainDecimal(0.00078)).toBe("0.00078");
    expect(plainDecimal(241)).toBe("241");
    expect(plainDecimal(1.5e-8)).toBe("0.000000015");
    expect(plainDecimal(2e21)).toBe("2000000000000000000000");
    expect(plainDecimal(42574.31)).toBe("42574.31");
    expect(plainDecimal(-2.5e-7)).toBe("-0.00000025");
  });

  it("normalises symbols and routes -PERP to futures", () => {
    expect(parseBinanceSymbol(" btcusdt ")).toEqual({ display: "BTCUSDT", symbol: "BTCUSDT", futures: false });
    expect(parseBinanceSymbol("ethusdt-perp")).toEqual({ display: "ETHUSDT-PERP", symbol: "ETHUSDT", futures: true });
    expect(() => parseBinanceSymbol("  ")).toThrow(/not a Binance symbol/);
  });

  it("picks the smallest accepted depth limit and its weight", () => {
    expect(binanceDepthLimit(2, false)).toEqual({ limit: 2, weight: 5 });
    expect(binanceDepthLimit(101, false)).toEqual({ limit: 101, weight: 25 });
    expect(binanceDepthLimit(1000, false)).toEqual({ limit: 1000, weight: 50 });
    expect(binanceDepthLimit(9000, false)).toEqual({ limit: 5000, weight: 250 });
    expect(binanceDepthLimit(1, true)).toEqual({ limit: 5, weight: 2 });
    expect(binanceDepthLimit(7, true)).toEqual({ limit: 10, weight: 2 });
    expect(binanceDepthLimit(51, true)).toEqual({ limit: 100, weight: 5 });
    expect(binanceDepthLimit(101, true)).toEqual({ limit: 500, weight: 10 });
    expect(binanceDepthLimit(5000, true)).toEqual({ limit: 1000, weight: 20 });
  });

  it("refuses to build an account client without its secret fields, naming the field", () => {
    expect(() => createBinanceAccountClient({ api_key: "k" }, { baseUrl: "http://127.0.0.1:1" })).toThrow(/missing the "api_secret" field/);
    expect(() => createBinanceAccountClient({ api_secret: "s3cr3t" }, { baseUrl: "http://127.0.0.1:1" })).toThrow(/missing the "api_key" field/);
    try {
      createBinanceAccountClient({ api_key: "", api_secret: "s3cr3t" });
    } catch (error) {
      expect(String(error)).not.toContain("s3cr3t");
    }
  });
});

describe("market data from ccxt recordings", () => {
  it("parses every recorded order book (spot + USDⓈ-M) like ccxt", async () => {
    let parsed = 0;
    for (const c of ccxt.fetchOrderBook!) {
      const symbol = ours(String(c.input[0]));
      if (!symbol) continue;
      const depth = Number(c.input[1]);
      const path = isPerp(symbol) ? "/fapi/v1/depth" : "/api/v3/depth";
      mock.reset();
      mock.on("GET", path, { json: c.httpResponse });
      const book = await market().getOrderBook(symbol, depth);
      const p = c.parsedResponse as Parsed;
      expect(book.bids, c.description).toEqual(p.bids);
      expect(book.asks, c.description).toEqual(p.asks);
      if (typeof p.timestamp === "number") expect(book.at).toBe(new Date(p.timestamp).toISOString());
      const req = mock.calls("GET", path)[0]!;
      expect(req.query.get("symbol")).toBe(symbol.replace("-PERP", ""));
      expect(req.query.get("limit")).toBe(String(binanceDepthLimit(depth, isPerp(symbol)).limit));
      parsed++;
    }
    expect(parsed).toBe(ccxt.fetchOrderBook!.length);
  });

  it("parses every recorded USDT-quoted kline set like ccxt (coin-M index klines are out of scope)", async () => {
    const skipped: string[] = [];
    for (const c of ccxt.fetchOHLCV!) {
      const symbol = ours(String(c.input[0]));
      if (!symbol) {
        skipped.push(c.description);
        continue;
      }
      const path = isPerp(symbol) ? "/fapi/v1/klines" : "/api/v3/klines";
      mock.reset();
      mock.on("GET", path, { json: c.httpResponse });
      const limit = Number(c.input[3]);
      const candles = await market().getCandles(symbol, c.input[1] as CandleInterval, limit);
      expect(candles.map((k) => [k.time, k.open, k.high, k.low, k.close, k.volume]), c.description).toEqual(c.parsedResponse);
      const req = mock.calls("GET", path)[0]!;
      expect(req.query.get("interval")).toBe(c.input[1]);
      expect(req.query.get("limit")).toBe(String(limit));
      // oldest first
      for (let i = 1; i < candles.length; i++) expect(candles[i]!.time).toBeGreaterThan(candles[i - 1]!.time);
    }
    expect(skipped).toEqual(["inverse index price"]);
  });

  it("reads bid/ask from the recorded ticker and quotes the midpoint", async () => {
    // ccxt recorded /api/v3/ticker/24hr, whose bidPrice/bidQty/askPrice/askQty are the bookTicker fields.
    for (const c of ccxt.fetchTicker!) {
      mock.reset();
      mock.on("GET", "/api/v3/ticker/bookTicker", { json: c.httpResponse });
      const q = await market().getQuote(ours(String(c.input[0]))!);
      const p = c.parsedResponse as Parsed;
      expect(q.bid).toBe(p.bid);
      expect(q.ask).toBe(p.ask);
      expect(q.price).toBeCloseTo(((p.bid as number) + (p.ask as number)) / 2, 9);
      expect(Number.isNaN(Date.parse(q.at))).toBe(false);
    }
  });
});

describe("market data, documented shapes", () => {
  it("quotes a perpetual from /fapi/v1/ticker/bookTicker with its time", async () => {
    mock.on("GET", "/fapi/v1/ticker/bookTicker", { json: { symbol: "BTCUSDT", bidPrice: "64000.10", bidQty: "3.210", askPrice: "64000.20", askQty: "0.500", time: 1717000000123, lastUpdateId: 1 } });
    const q = await market().getQuote("btcusdt-perp");
    expect(q).toEqual({ bid: 64000.1, ask: 64000.2, price: (64000.1 + 64000.2) / 2, at: new Date(1717000000123).toISOString() });
    expect(mock.calls("GET", "/fapi/v1/ticker/bookTicker")[0]!.query.get("symbol")).toBe("BTCUSDT");
  });

  it("cuts a futures book to the requested depth after asking for the next accepted limit", async () => {
    mock.on("GET", "/fapi/v1/depth", (req) => {
      const n = Number(req.query.get("limit"));
      return { json: { lastUpdateId: 1, E: 1, T: 1717000000000, bids: Array.from({ length: n }, (_, i) => [String(100 - i), "1"]), asks: Array.from({ length: n }, (_, i) => [String(101 + i), "2"]) } };
    });
    const book = await market().getOrderBook("ETHUSDT-PERP", 7);
    expect(mock.calls("GET", "/fapi/v1/depth")[0]!.query.get("limit")).toBe("10");
    expect(book.bids).toHaveLength(7);
    expect(book.asks[6]).toEqual([107, 2]);
  });

  it("a book with no asks: the book keeps the side empty, the quote refuses to invent a price", async () => {
    // Binance reports an empty side in bookTicker as price "0.00000000" and qty "0.00000000".
    mock.on("GET", "/api/v3/ticker/bookTicker", { json: { symbol: "NEWUSDT", bidPrice: "1.2300", bidQty: "10.00", askPrice: "0.00000000", askQty: "0.00000000" } });
    mock.on("GET", "/api/v3/depth", { json: { lastUpdateId: 5, bids: [["1.2300", "10.00"]], asks: [] } });
    await expect(market().getQuote("NEWUSDT")).rejects.toThrow("no asks in the book for NEWUSDT");
    const book = await market().getOrderBook("NEWUSDT", 5);
    expect(book.asks).toEqual([]);
    expect(book.bids).toEqual([[1.23, 10]]);
  });

  it("reads funding from premiumIndex with the interval from fundingInfo (default 8 h), cached", async () => {
    // Shapes: USDⓈ-M "Mark Price" (GET /fapi/v1/premiumIndex) and "Get Funding Rate Info" (GET /fapi/v1/fundingInfo).
    mock.on("GET", "/fapi/v1/premiumIndex", (req) => ({
      json: { symbol: req.query.get("symbol"), markPrice: req.query.get("symbol") === "BTCUSDT" ? "64012.34567890" : "3100.50000000", indexPrice: "64000.00", estimatedSettlePrice: "64001.00", lastFundingRate: req.query.get("symbol") === "BTCUSDT" ? "0.00010000" : "-0.00002500", interestRate: "0.00010000", nextFundingTime: 1717200000000, time: 1717171717000 },
    }));
    mock.on("GET", "/fapi/v1/fundingInfo", { json: [{ symbol: "BTCUSDT", adjustedFundingRateCap: "0.02500000", adjustedFundingRateFloor: "-0.02500000", fundingIntervalHours: 4, disclaimer: false }] });
    const client = market();
    expect(await client.getFunding("BTCUSDT")).toEqual({ rate: 0.0001, intervalHours: 4, nextTime: 1717200000000, markPrice: 64012.3456789, at: new Date(1717171717000).toISOString() });
    const eth = await client.getFunding("ethusdt-perp");
    expect(eth.rate).toBe(-0.000025);
    expect(eth.intervalHours).toBe(8);
    expect(mock.calls("GET", "/fapi/v1/premiumIndex").map((r) => r.query.get("symbol"))).toEqual(["BTCUSDT", "ETHUSDT"]);
    expect(mock.calls("GET", "/fapi/v1/fundingInfo")).toHaveLength(1);
  });

  it("reads funding history from /fapi/v1/fundingRate, oldest first", async () => {
    // Shape: USDⓈ-M "Get Funding Rate History".
    mock.on("GET", "/fapi/v1/fundingRate", { json: [
      { symbol: "BTCUSDT", fundingRate: "0.00010000", fundingTime: 1717142400000, markPrice: "64100.10000000" },
      { symbol: "BTCUSDT", fundingRate: "-0.00003750", fundingTime: 1717171200000, markPrice: "" },
    ] });
    const history = await market().getFundingHistory("BTCUSDT-PERP", 2);
    expect(history).toEqual([
      { time: 1717142400000, rate: 0.0001, markPrice: 64100.1 },
      { time: 1717171200000, rate: -0.0000375, markPrice: null },
    ]);
    expect(mock.calls("GET", "/fapi/v1/fundingRate")[0]!.query.get("limit")).toBe("2");
  });

  it("reads rules from exchangeInfo filters (spot NOTIONAL / MIN_NOTIONAL, futures MIN_NOTIONAL.notional), cached", async () => {
    // Shapes: spot rest-api.md "Exchange information" + filters.md; USDⓈ-M "Exchange Information".
    mock.on("GET", "/api/v3/exchangeInfo", (req) => {
      const symbol = req.query.get("symbol");
      if (symbol === "BTCUSDT") {
        return { json: { timezone: "UTC", serverTime: 1, rateLimits: [], exchangeFilters: [], symbols: [{ symbol: "BTCUSDT", status: "TRADING", baseAsset: "BTC", quoteAsset: "USDT", filters: [
          { filterType: "PRICE_FILTER", minPrice: "0.01000000", maxPrice: "1000000.00000000", tickSize: "0.01000000" },
          { filterType: "LOT_SIZE", minQty: "0.00001000", maxQty: "9000.00000000", stepSize: "0.00001000" },
          { filterType: "NOTIONAL", minNotional: "5.00000000", applyMinToMarket: true, maxNotional: "9000000.00000000", applyMaxToMarket: false, avgPriceMins: 5 },
        ] }] } };
      }
      return { json: { symbols: [{ symbol: "LTCBTC", status: "TRADING", filters: [
        { filterType: "PRICE_FILTER", minPrice: "0.00000100", maxPrice: "100000.00000000", tickSize: "0.00000100" },
        { filterType: "LOT_SIZE", minQty: "0.00100000", maxQty: "100000.00000000", stepSize: "0.00100000" },
        { filterType: "MIN_NOTIONAL", minNotional: "0.00010000", applyToMarket: true, avgPriceMins: 5 },
      ] }] } };
    });
    mock.on("GET", "/fapi/v1/exchangeInfo", { json: { timezone: "UTC", rateLimits: [], symbols: [{ symbol: "BTCUSDT", contractType: "PERPETUAL", filters: [
      { filterType: "PRICE_FILTER", minPrice: "556.80", maxPrice: "4529764", tickSize: "0.10" },
      { filterType: "LOT_SIZE", stepSize: "0.001", maxQty: "1000", minQty: "0.001" },
      { filterType: "MARKET_LOT_SIZE", stepSize: "0.001", maxQty: "120", minQty: "0.001" },
      { filterType: "MIN_NOTIONAL", notional: "100" },
    ] }] } });
    const client = market();
    expect(await client.getRules("BTCUSDT")).toEqual({ tickSize: 0.01, stepSize: 0.00001, minQuantity: 0.00001, minNotional: 5 });
    expect(await client.getRules("btcusdt")).toEqual({ tickSize: 0.01, stepSize: 0.00001, minQuantity: 0.00001, minNotional: 5 });
    expect(mock.calls("GET", "/api/v3/exchangeInfo")).toHaveLength(1);
    expect(await client.getRules("LTCBTC")).toEqual({ tickSize: 0.000001, stepSize: 0.001, minQuantity: 0.001, minNotional: 0.0001 });
    expect(await client.getRules("BTCUSDT-PERP")).toEqual({ tickSize: 0.1, stepSize: 0.001, minQuantity: 0.001, minNotional: 100 });
    await expect(client.getRules("NOPEUSDT-PERP")).rejects.toThrow('market "NOPEUSDT-PERP" does not exist on Binance');
    expect(mock.calls("GET", "/fapi/v1/exchangeInfo")).toHaveLength(1);
  });
});

describe("faults", () => {
  const invalidSymbol = { status: 400, json: { code: -1121, msg: "Invalid symbol." } };

  it("an unknown market is a clear 'does not exist' error that keeps status and code, not retried", async () => {
    mock.on("GET", "/api/v3/ticker/bookTicker", invalidSymbol);
    mock.on("GET", "/fapi/v1/premiumIndex", invalidSymbol);
    const error = (await market().getQuote("xyz").catch((e: unknown) => e)) as VenueError;
    expect(error).toBeInstanceOf(VenueError);
    expect(error.message).toBe('binance: market "XYZ" does not exist on Binance (HTTP 400, code -1121)');
    expect(error.status).toBe(400);
    expect(error.code).toBe("-1121");
    expect(mock.calls("GET", "/api/v3/ticker/bookTicker")).toHaveLength(1);
    await expect(market().getFunding("XYZ")).rejects.toThrow('market "XYZ-PERP" does not exist on Binance');
  });

  it("429 with Retry-After: the read waits as told, retries and succeeds", async () => {
    const waits: number[] = [];
    mock.on("GET", "/api/v3/ticker/bookTicker", { json: { symbol: "BTCUSDT", bidPrice: "100.00", bidQty: "1", askPrice: "100.02", askQty: "1" } });
    mock.once("GET", "/api/v3/ticker/bookTicker", { status: 429, headers: { "Retry-After": "2" }, json: { code: -1003, msg: "Too many requests; current limit of IP is 6000 requests per minute." } });
    const q = await market({ sleep: async (ms) => void waits.push(ms) }).getQuote("BTCUSDT");
    expect(q.price).toBeCloseTo(100.01, 9);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
    expect(mock.calls("GET", "/api/v3/ticker/bookTicker")).toHaveLength(2);
  });

  it("429 without Retry-After on every attempt: fails after the retries with a clear message", async () => {
    mock.on("GET", "/api/v3/klines", { status: 429, json: { code: -1003, msg: "Too many requests." } });
    const error = (await market({ maxRetries: 2 }).getCandles("BTCUSDT", "1m", 10).catch((e: unknown) => e)) as VenueError;
    expect(error).toBeInstanceOf(VenueError);
    expect(error.message).toMatch(/rate limited on GET \/api\/v3\/klines/);
    expect(error.status).toBe(429);
    expect(mock.calls("GET", "/api/v3/klines")).toHaveLength(3);
  });

  it("a reply slower than the timeout fails with a timeout error", async () => {
    mock.on("GET", "/api/v3/depth", { delayMs: 600, json: { lastUpdateId: 1, bids: [], asks: [] } });
    await expect(market({ timeoutMs: 100, maxRetries: 0 }).getOrderBook("BTCUSDT", 5)).rejects.toThrow(/GET \/api\/v3\/depth timed out after 100 ms/);
  });

  it("malformed JSON is reported as such", async () => {
    mock.on("GET", "/fapi/v1/klines", { text: '[[1712738460000,"71481.90"' });
    await expect(market({ maxRetries: 0 }).getCandles("BTCUSDT-PERP", "1m", 3)).rejects.toThrow(/GET \/fapi\/v1\/klines returned malformed JSON/);
  });
});

describe("account", () => {
  /** The query string the mock received, without the signature, re-serialised as the client serialised it. */
  function unsignedQuery(req: MockRequest): string {
    return new URLSearchParams([...req.query.entries()].filter(([k]) => k !== "signature")).toString();
  }

  function expectSigned(req: MockRequest): void {
    const keys = [...req.query.keys()];
    expect(keys[keys.length - 1]).toBe("signature");
    expect(req.query.get("recvWindow")).toBe("5000");
    expect(req.query.get("timestamp")).toBe(String(NOW));
    expect(req.headers["x-mbx-apikey"]).toBe(API_KEY);
    const expected = createHmac("sha256", API_SECRET).update(unsignedQuery(req) + req.body).digest("hex");
    expect(req.query.get("signature")).toBe(expected);
  }

  it("places a signed spot limit order: what the mock received verifies against our secret", async () => {
    const created = ccxt.createOrder![0]!; // SOL/USDT limit buy 0.05 @ 241
    mock.on("POST", "/api/v3/order", { json: created.httpResponse });
    const request: OrderRequest = { venue: "binance", symbol: "SOLUSDT", side: "buy", quantity: 0.05, limitPrice: 241, clientOrderId: "run_5b6f0c1e-6a0e-4b8e-9a43-0d3c1f2e9b7a:buy-1" };
    const order = await account().placeOrder(request);
    const [req] = mock.calls("POST", "/api/v3/order");
    expectSigned(req!);
    expect(Object.fromEntries([...req!.query.entries()].filter(([k]) => !["signature", "timestamp", "recvWindow"].includes(k)))).toEqual({
      symbol: "SOLUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.05",
      price: "241",
      newClientOrderId: binanceClientOrderId(request.clientOrderId),
      newOrderRespType: "FULL",
    });
    expect(order.clientOrderId).toBe(request.clientOrderId);
    expect(order.broker).toBe("live");
  });

  it("parses every recorded spot createOrder response like ccxt", async () => {
    for (const c of ccxt.createOrder!) {
      mock.reset();
      mock.on("POST", "/api/v3/order", { json: c.httpResponse });
      const [sym, type, side, amount, price] = c.input as [string, string, "buy" | "sell", number, number | null];
      const order = await account().placeOrder({ venue: "binance", symbol: ours(sym)!, side, quantity: amount, ...(type === "limit" ? { limitPrice: price! } : {}), clientOrderId: `run_x:${c.description}` });
      const p = c.parsedResponse as Parsed;
      expect(order.id, c.description).toBe(p.id);
      expect(order.status).toBe(ccxtStatus[String(p.status)]);
      expect(order.quantity).toBe(p.amount);
      expect(order.filledQuantity).toBe(p.filled);
      expect(order.averagePrice).toBe(p.average ?? null);
      expect(order.limitPrice).toBe(p.price ?? null);
      expect(order.side).toBe(p.side);
      expect(order.at).toBe(new Date(Number((c.httpResponse as Parsed).transactTime)).toISOString());
      expect(mock.calls("POST", "/api/v3/order")[0]!.query.get("type")).toBe(type === "limit" ? "LIMIT" : "MARKET");
    }
  });

  it("parses every recorded order lookup (spot and USDⓈ-M) like ccxt through findOrder", async () => {
    const cases = [...ccxt.fetchOrder!, ...ccxt.fetchOpenOrders!, ...ccxt.fetchOpenOrder!];
    expect(cases.length).toBe(4);
    for (const c of cases) {
      const raw = Array.isArray(c.httpResponse) ? c.httpResponse[0] : c.httpResponse;
      const p = (Array.isArray(c.parsedResponse) ? c.parsedResponse[0] : c.parsedResponse) as Parsed;
      const symbol = ours(String(c.input.find((x) => typeof x === "string" && x.includes("/"))))!;
      // The portfolio-margin recording is papi's UM order, the same shape as /fapi/v1/order.
      const path = isPerp(symbol) ? "/fapi/v1/order" : "/api/v3/order";
      mock.reset();
      mock.on("GET", path, { json: raw });
      const order = await account().findOrder(symbol, "run_y:node");
      expect(order, c.description).not.toBeNull();
      expect(order!.id).toBe(p.id);
      expect(order!.clientOrderId).toBe("run_y:node");
      expect(order!.symbol).toBe(symbol);
      expect(order!.status).toBe(ccxtStatus[String(p.status)]);
      expect(order!.quantity).toBe(p.amount);
      expect(order!.filledQuantity).toBe(p.filled);
      expect(order!.averagePrice).toBe(p.average ?? null);
      expect(order!.type).toBe(p.type === "market" ? "market" : "limit");
      if (p.type !== "market") expect(order!.limitPrice).toBe(p.price);
      const [req] = mock.calls("GET", path);
      expect(req!.query.get("origClientOrderId")).toBe(binanceClientOrderId("run_y:node"));
      expectSigned(req!);
    }
  });

  it("reads the free quote-asset balance from the recorded spot account, for each asset", async () => {
    const spot = ccxt.fetchBalance!.find((c) => c.description === "Spot balance")!;
    mock.on("GET", "/api/v3/account", { json: spot.httpResponse });
    const free = (spot.parsedResponse as { free: Record<string, number> }).free;
    for (const [asset, amount] of Object.entries(free)) {
      expect(await account({ quoteAsset: asset }).getBalance()).toEqual({ venue: "binance", currency: asset, available: amount });
    }
    expect(await account().getBalance()).toEqual({ venue: "binance", currency: "USDT", available: 0 });
    const req = mock.calls("GET", "/api/v3/account")[0]!;
    expect(req.query.get("omitZeroBalances")).toBe("true");
    expectSigned(req);
  });

  it("reads the futures wallet's available balance from the recorded /fapi account responses", async () => {
    const linear = ccxt.fetchBalance!.find((c) => c.description === "Linear swap balance")!;
    mock.on("GET", "/fapi/v3/account", { json: linear.httpResponse });
    expect(await account().getFuturesBalance()).toEqual({ venue: "binance", currency: "USDT", available: (linear.parsedResponse as { free: Record<string, number> }).free.USDT });
    // The other recorded futures account response (ccxt reads positions from it): USDT availableBalance 18.65856952.
    const other = ccxt.fetchPositions!.find((c) => c.description.includes("account"))!;
    mock.reset();
    mock.on("GET", "/fapi/v3/account", { json: other.httpResponse });
    expect((await account().getFuturesBalance()).available).toBe(18.65856952);
  });

  it("lists spot holdings and the recorded USDⓈ-M positions like ccxt", async () => {
    const spot = ccxt.fetchBalance!.find((c) => c.description === "Spot balance")!;
    const linear = ccxt.fetchPositions!.filter((c) => c.description.startsWith("Fetch linear positions") && !c.description.includes("account"));
    expect(linear).toHaveLength(2);
    for (const c of linear) {
      mock.reset();
      mock.on("GET", "/api/v3/account", { json: spot.httpResponse });
      mock.on("GET", "/fapi/v3/positionRisk", { json: c.httpResponse });
      const positions = await account().getPositions();
      const p = (c.parsedResponse as Parsed[])[0]!;
      expect(positions).toEqual([
        { venue: "binance", symbol: "LTCUSDT", quantity: 0.919741, averagePrice: 0 },
        { venue: "binance", symbol: "ETHUSDT", quantity: 0.02229833, averagePrice: 0 },
        { venue: "binance", symbol: "BTCUSDT-PERP", quantity: (p.side === "short" ? -1 : 1) * (p.contracts as number), averagePrice: p.entryPrice },
      ]);
      expectSigned(mock.calls("GET", "/fapi/v3/positionRisk")[0]!);
    }
  });

  it("getPositions skips futures for a key without futures permission, but fails on other futures errors", async () => {
    mock.on("GET", "/api/v3/account", { json: { balances: [{ asset: "USDT", free: "50.0", locked: "0" }, { asset: "BTC", free: "0.001", locked: "0.002" }] } });
    mock.on("GET", "/fapi/v3/positionRisk", { status: 401, json: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." } });
    expect(await account().getPositions()).toEqual([{ venue: "binance", symbol: "BTCUSDT", quantity: 0.003, averagePrice: 0 }]);
    mock.on("GET", "/fapi/v3/positionRisk", { status: 503, json: { code: -1001, msg: "Internal error; unable to process your request. Please try again." } });
    await expect(account({ maxRetries: 0 }).getPositions()).rejects.toThrow(/Internal error/);
    expect(await account({ futures: false }).getPositions()).toHaveLength(1);
  });

  it("places a USDⓈ-M market order on /fapi with the bare symbol and reads avgPrice", async () => {
    // Shape: USDⓈ-M "New Order" response (newOrderRespType RESULT).
    mock.on("POST", "/fapi/v1/order", (req) => ({
      json: { orderId: 4087922044, symbol: "BTCUSDT", status: "FILLED", clientOrderId: req.query.get("newClientOrderId"), price: "0.00", avgPrice: "64010.50000", origQty: "0.010", executedQty: "0.010", cumQty: "0.010", cumQuote: "640.10500", timeInForce: "GTC", type: "MARKET", reduceOnly: false, closePosition: false, side: "SELL", positionSide: "BOTH", stopPrice: "0.00", workingType: "CONTRACT_PRICE", priceProtect: false, origType: "MARKET", updateTime: 1717171717999 },
    }));
    const order = await account().placeOrder({ venue: "binance", symbol: "btcusdt-perp", side: "sell", quantity: 0.01, clientOrderId: "run_z:short" });
    const req = mock.calls("POST", "/fapi/v1/order")[0]!;
    expect(req.query.get("symbol")).toBe("BTCUSDT");
    expect(req.query.get("type")).toBe("MARKET");
    expect(req.query.get("quantity")).toBe("0.01");
    expect(req.query.get("price")).toBeNull();
    expect(req.query.get("timeInForce")).toBeNull();
    expect(req.query.get("newOrderRespType")).toBe("RESULT");
    expectSigned(req);
    expect(order).toMatchObject({ id: "4087922044", clientOrderId: "run_z:short", symbol: "BTCUSDT-PERP", side: "sell", type: "market", status: "filled", quantity: 0.01, filledQuantity: 0.01, averagePrice: 64010.5, limitPrice: null, fee: 0, at: new Date(1717171717999).toISOString() });
  });

  it("spot FULL fills: average = cummulativeQuoteQty / executedQty; fee counts quote and base commissions", async () => {
    // Shape: rest-api.md "New order" Response FULL.
    mock.on("POST", "/api/v3/order", { json: {
      symbol: "BTCUSDT", orderId: 28, orderListId: -1, clientOrderId: "sc-x", transactTime: 1507725176595, price: "0.00000000", origQty: "0.30000000", executedQty: "0.30000000", origQuoteOrderQty: "0.000000", cummulativeQuoteQty: "19200.00000000", status: "FILLED", timeInForce: "GTC", type: "MARKET", side: "BUY", workingTime: 1507725176595, selfTradePreventionMode: "NONE",
      fills: [
        { price: "64000.00000000", qty: "0.10000000", commission: "6.40000000", commissionAsset: "USDT", tradeId: 56 },
        { price: "64000.00000000", qty: "0.10000000", commission: "0.00010000", commissionAsset: "BTC", tradeId: 57 },
        { price: "64000.00000000", qty: "0.10000000", commission: "0.01000000", commissionAsset: "BNB", tradeId: 58 },
      ],
    } });
    const order = await account().placeOrder({ venue: "binance", symbol: "BTCUSDT", side: "buy", quantity: 0.3, clientOrderId: "run_f:buy" });
    expect(order.averagePrice).toBe(64000);
    expect(order.filledQuantity).toBe(0.3);
    expect(order.status).toBe("filled");
    expect(order.fee).toBeCloseTo(6.4 + 0.0001 * 64000, 9); // BNB commission is not in fee
  });

  it("maps Binance statuses onto ours", async () => {
    const base = { symbol: "BTCUSDT", orderId: 1, clientOrderId: "sc-x", price: "50000.00", origQty: "1.0", executedQty: "0", cummulativeQuoteQty: "0", type: "LIMIT", side: "BUY", time: 1 };
    const expected: Record<string, string> = { FILLED: "filled", NEW: "open", PARTIALLY_FILLED: "open", CANCELED: "cancelled", EXPIRED: "cancelled", EXPIRED_IN_MATCH: "cancelled", REJECTED: "rejected" };
    for (const [status, ourStatus] of Object.entries(expected)) {
      mock.reset();
      mock.on("GET", "/api/v3/order", { json: { ...base, status } });
      expect((await account().findOrder("BTCUSDT", "run_s:n"))!.status, status).toBe(ourStatus);
    }
  });

  it("cancels by orderId and reports our client order id for an order this client placed", async () => {
    const ourId = "run_c:limit";
    mock.on("POST", "/api/v3/order", (req) => ({ json: { symbol: "LTCUSDT", orderId: 3811057334, orderListId: -1, clientOrderId: req.query.get("newClientOrderId"), transactTime: 1699380855570, price: "50.00000000", origQty: "0.20000000", executedQty: "0.00000000", cummulativeQuoteQty: "0.00000000", status: "NEW", timeInForce: "GTC", type: "LIMIT", side: "BUY", fills: [] } }));
    // Shape: rest-api.md "Cancel order" response.
    mock.on("DELETE", "/api/v3/order", { json: { symbol: "LTCUSDT", origClientOrderId: binanceClientOrderId(ourId), orderId: 3811057334, orderListId: -1, clientOrderId: "cancelMyOrder1", transactTime: 1699380900000, price: "50.00000000", origQty: "0.20000000", executedQty: "0.00000000", cummulativeQuoteQty: "0.00000000", status: "CANCELED", timeInForce: "GTC", type: "LIMIT", side: "BUY" } });
    const client = account();
    const placed = await client.placeOrder({ venue: "binance", symbol: "LTCUSDT", side: "buy", quantity: 0.2, limitPrice: 50, clientOrderId: ourId });
    expect(placed.status).toBe("open");
    const cancelled = await client.cancelOrder("ltcusdt", placed.id);
    expect(cancelled).toMatchObject({ id: "3811057334", clientOrderId: ourId, status: "cancelled", limitPrice: 50, quantity: 0.2, filledQuantity: 0 });
    const req = mock.calls("DELETE", "/api/v3/order")[0]!;
    expect(req.query.get("orderId")).toBe("3811057334");
    expect(req.query.get("symbol")).toBe("LTCUSDT");
    expectSigned(req);
  });

  it("5xx on placement: exactly one POST, status unknown, then findOrder tells what happened", async () => {
    const received: string[] = [];
    mock.on("POST", "/api/v3/order", (req) => {
      received.push(req.query.get("newClientOrderId")!);
      return { status: 503, json: { code: -1001, msg: "Internal error; unable to process your request. Please try again." } };
    });
    // The venue did take the order: it answers the lookup by the id it received, and -2013 for any other.
    mock.on("GET", "/api/v3/order", (req) =>
      received.includes(req.query.get("origClientOrderId")!)
        ? { json: { symbol: "BTCUSDT", orderId: 991, orderListId: -1, clientOrderId: req.query.get("origClientOrderId"), price: "0.00000000", origQty: "0.00100000", executedQty: "0.00100000", cummulativeQuoteQty: "64.00000000", status: "FILLED", timeInForce: "GTC", type: "MARKET", side: "BUY", time: 1717171700000, updateTime: 1717171700000 } }
        : { status: 400, json: { code: -2013, msg: "Order does not exist." } },
    );
    const client = account();
    const request: OrderRequest = { venue: "binance", symbol: "BTCUSDT", side: "buy", quantity: 0.001, clientOrderId: "run_u:buy" };
    const error = (await client.placeOrder(request).catch((e: unknown) => e)) as VenueError;
    expect(error).toBeInstanceOf(VenueError);
    expect(error.statusUnknown).toBe(true);
    expect(error.status).toBe(503);
    expect(mock.calls("POST", "/api/v3/order")).toHaveLength(1);
    const found = await client.findOrder("BTCUSDT", request.clientOrderId);
    expect(found).toMatchObject({ id: "991", clientOrderId: "run_u:buy", status: "filled", filledQuantity: 0.001, averagePrice: 64000 });
    expect(await client.findOrder("BTCUSDT", "run_u:never-sent")).toBeNull();
  });

  it("a timed-out order is status unknown and was sent once", async () => {
    mock.on("POST", "/fapi/v1/order", { delayMs: 600, json: {} });
    const error = (await account({ timeoutMs: 100 }).placeOrder({ venue: "binance", symbol: "BTCUSDT-PERP", side: "buy", quantity: 0.002, limitPrice: 60000, clientOrderId: "run_t:b" }).catch((e: unknown) => e)) as VenueError;
    expect(error.statusUnknown).toBe(true);
    expect(error.message).toMatch(/timed out/);
    expect(mock.calls("POST", "/fapi/v1/order")).toHaveLength(1);
  });

  it("no error message carries the key, the secret, the signature or the signed query", async () => {
    mock.on("GET", "/api/v3/account", { status: 400, json: { code: -1022, msg: "Signature for this request is not valid." } });
    mock.on("POST", "/api/v3/order", { status: 400, json: { code: -2010, msg: "Account has insufficient balance for requested action." } });
    const errors: unknown[] = [];
    errors.push(await account().getBalance().catch((e: unknown) => e));
    errors.push(await account().placeOrder({ venue: "binance", symbol: "BTCUSDT", side: "buy", quantity: 1, limitPrice: 1, clientOrderId: "run_n:b" }).catch((e: unknown) => e));
    const signatures = mock.requests.map((r) => r.query.get("signature")!).filter(Boolean);
    expect(signatures).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(VenueError);
      const text = `${String(error)} ${(error as Error).stack ?? ""} ${JSON.stringify(error)}`;
      for (const secret of [API_KEY, API_SECRET, ...signatures, "signature=", "timestamp="]) expect(text).not.toContain(secret);
    }
    expect(String(errors[0])).toContain("Signature for this request is not valid.");
    expect((errors[1] as VenueError).code).toBe("-2010");
  });
});
