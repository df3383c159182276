import { constants, createPublicKey, generateKeyPairSync, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ccxtResponses, MockVenue, type MockRequest } from "../../test/mock-venue";
import type { Candle } from "../providers/types";
import { VenueError } from "./errors";
import {
  aggregateCandles,
  createKalshiAccountClient,
  createKalshiMarketClient,
  kalshiClientOrderId,
  kalshiSignature,
  kalshiSignedString,
  parseKalshiOrder,
  type KalshiClientOptions,
} from "./kalshi";

/** The parts of ccxt's recorded Kalshi responses (raw and as ccxt parsed them) that these tests read. */
interface RawMarket {
  ticker: string;
  [field: string]: unknown;
}
type RawOrder = Parameters<typeof parseKalshiOrder>[0];
interface CcxtTicker {
  bid: number;
  ask: number;
  info: { ticker: string };
}
interface CcxtBook {
  bids: [number, number][];
  asks: [number, number][];
}
interface CcxtPosition {
  side: string;
  contracts: number;
  info: { ticker: string };
}
interface CcxtOrder {
  id: string;
  amount: number;
  filled: number;
  label: string;
  side: string;
  price: number;
  timestamp: number;
}

const cases = ccxtResponses("kalshi");
const fixtureFile = JSON.parse(readFileSync(path.join(__dirname, "../../test/fixtures/ccxt/response/kalshi.json"), "utf8")) as { apiKey: string; privateKey: string };
const PREFIX = "/trade-api/v2";
const NOW = Date.UTC(2026, 5, 12, 18, 0, 0); // a fixed clock for candle windows and signing timestamps

const { privateKey: PRIVATE_PEM, publicKey: PUBLIC_KEY } = (() => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey: pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(), publicKey: pair.publicKey };
})();
const SECRETS = { key_id: "a952bcbe-ec3b-4b5b-b8f9-11dae589608c", private_key: PRIVATE_PEM };

const mock = new MockVenue();
let base = "";
beforeAll(async () => {
  base = (await mock.start()) + PREFIX;
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

function opts(extra: KalshiClientOptions = {}): KalshiClientOptions {
  return { baseUrl: base, timeoutMs: 2_000, backoffMs: 1, sleep: async () => {}, now: () => NOW, ...extra };
}
const market = (extra: KalshiClientOptions = {}) => createKalshiMarketClient(opts(extra));
const account = (extra: KalshiClientOptions = {}, secrets: Record<string, string> = SECRETS) => createKalshiAccountClient(secrets, opts(extra));

function pssVerify(signed: string, signatureB64: string, key: KeyObject = PUBLIC_KEY): boolean {
  return verify("sha256", Buffer.from(signed), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, Buffer.from(signatureB64, "base64"));
}
const header = (r: MockRequest, name: string) => String(r.headers[name.toLowerCase()] ?? "");
async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const tickerCase = cases.fetchTicker![0]!;
const elonMarket = (tickerCase.httpResponse as { market: RawMarket }).market;
/** GetEventResponse (kalshi-typescript docs/GetEventResponse.md, EventData.md); series "KXELONMARS" as in ccxt's request fixture URL. */
const elonEvent = { event: { event_ticker: "KXELONMARS-99", series_ticker: "KXELONMARS", title: "Elon Mars", sub_title: "", mutually_exclusive: false, collateral_return_type: "binary", settlement_sources: [] }, markets: [] };

describe("Kalshi signing", () => {
  it("signs timestamp + METHOD + path (with /trade-api/v2, without the query) with RSA-PSS SHA-256", () => {
    const signed = kalshiSignedString(1703123456789, "get", "/trade-api/v2/portfolio/orders?ticker=KXELONMARS-99&limit=5");
    expect(signed).toBe("1703123456789GET/trade-api/v2/portfolio/orders");
    const sig = kalshiSignature(PRIVATE_PEM, 1703123456789, "GET", "/trade-api/v2/portfolio/orders?ticker=KXELONMARS-99");
    expect(Buffer.from(sig, "base64")).toHaveLength(256);
    expect(pssVerify(signed, sig)).toBe(true);
    expect(pssVerify("1703123456789POST/trade-api/v2/portfolio/orders", sig)).toBe(false);
  });

  it("sends headers whose signature verifies for the request the mock received", async () => {
    mock.on("GET", `${PREFIX}/portfolio/balance`, { json: { balance: 12345, balance_dollars: "123.4500", portfolio_value: 0, updated_ts: 1 } });
    await account().getBalance();
    const [req] = mock.calls("GET", `${PREFIX}/portfolio/balance`);
    expect(header(req!, "KALSHI-ACCESS-KEY")).toBe(SECRETS.key_id);
    expect(header(req!, "KALSHI-ACCESS-TIMESTAMP")).toBe(String(NOW));
    expect(pssVerify(`${NOW}GET${req!.path}`, header(req!, "KALSHI-ACCESS-SIGNATURE"))).toBe(true);
    expect(req!.path).toBe("/trade-api/v2/portfolio/balance");
  });

  it("signs a query-string request over the bare path", async () => {
    mock.on("GET", `${PREFIX}/portfolio/orders`, { json: { orders: [], cursor: "" } });
    expect(await account().findOrder("kxelonmars-99", "run_1:node")).toBeNull();
    const [req] = mock.calls("GET", `${PREFIX}/portfolio/orders`);
    expect(req!.query.get("ticker")).toBe("KXELONMARS-99");
    expect(pssVerify(`${NOW}GET/trade-api/v2/portfolio/orders`, header(req!, "KALSHI-ACCESS-SIGNATURE"))).toBe(true);
  });

  it("accepts ccxt's dummy PKCS#1 key, a PKCS#8 key and a key pasted on one line with \\n", async () => {
    const ccxtKey = fixtureFile.privateKey;
    expect(ccxtKey).toContain("BEGIN RSA PRIVATE KEY");
    const ccxtPublic = createPublicKey(ccxtKey);
    mock.on("GET", `${PREFIX}/portfolio/balance`, { json: { balance: 100, balance_dollars: "1.0000" } });
    const pkcs8 = (() => {
      const k = generateKeyPairSync("rsa", { modulusLength: 2048 });
      return { pem: k.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), pub: k.publicKey };
    })();
    const variants: [string, KeyObject][] = [
      [ccxtKey, ccxtPublic],
      [pkcs8.pem, pkcs8.pub],
      [ccxtKey.trim().replace(/\n/g, "\\n"), ccxtPublic],
    ];
    for (const [pem, pub] of variants) {
      const client = account({}, { key_id: fixtureFile.apiKey, private_key: pem });
      await client.getBalance();
      const req = mock.requests.at(-1)!;
      expect(header(req, "KALSHI-ACCESS-KEY")).toBe("test-api-key");
      expect(pssVerify(`${NOW}GET${req.path}`, header(req, "KALSHI-ACCESS-SIGNATURE"), pub)).toBe(true);
    }
  });

  it("names a missing or unreadable secret field, never its value", () => {
    expect(() => createKalshiAccountClient({ private_key: PRIVATE_PEM }, opts())).toThrow('Kalshi credentials are missing the secret field "key_id"');
    expect(() => createKalshiAccountClient({ key_id: "k" }, opts())).toThrow('Kalshi credentials are missing the secret field "private_key"');
    const bad = "-----BEGIN RSA PRIVATE KEY-----\nTOTALLYSECRETBYTES\n-----END RSA PRIVATE KEY-----";
    let message = "";
    try {
      createKalshiAccountClient({ key_id: "k", private_key: bad }, opts());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('Kalshi secret "private_key" is not a readable PEM private key');
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => createKalshiAccountClient({ key_id: "k", private_key: ec }, opts())).toThrow('"private_key" must be an RSA private key');
  });

  it("maps our client order id to a deterministic UUID-shaped Kalshi id", () => {
    const ours = "run_0f8fad5b-d9cb-469f-a165-70867728950e:order_buy_1";
    const id = kalshiClientOrderId(ours);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(kalshiClientOrderId(ours)).toBe(id);
    expect(kalshiClientOrderId(`${ours}x`)).not.toBe(id);
  });
});

describe("Kalshi market data against ccxt's recorded responses", () => {
  it("getQuote: every fetchTicker/fetchTickers market gives ccxt's bid and ask, the midpoint as price", async () => {
    const markets = [
      ...cases.fetchTicker!.map((c) => ({ m: (c.httpResponse as { market: RawMarket }).market, parsed: c.parsedResponse as CcxtTicker })),
      ...cases.fetchTickers!.flatMap((c) => (c.httpResponse as { markets: RawMarket[] }).markets.map((m) => ({ m, parsed: Object.values(c.parsedResponse as Record<string, CcxtTicker>).find((t) => t.info.ticker === m.ticker)! }))),
    ];
    expect(markets.length).toBe(3);
    const client = market();
    for (const { m, parsed } of markets) {
      mock.on("GET", `${PREFIX}/markets/${m.ticker}`, { json: { market: m } });
      const q = await client.getQuote(m.ticker.toLowerCase());
      expect(q.bid).toBe(parsed.bid);
      expect(q.ask).toBe(parsed.ask);
      expect(q.price).toBeCloseTo((parsed.bid + parsed.ask) / 2, 10);
      expect(Number.isNaN(Date.parse(q.at))).toBe(false);
    }
    expect((await client.getQuote("KXCOLONIZEMARS-50")).price).toBe(0.179); // (0.163 + 0.195) / 2
  });

  it("getRules: tick from price_ranges[].step, fractional trading → step 0.01, cached per ticker", async () => {
    const client = market();
    for (const m of (cases.fetchTickers![0]!.httpResponse as { markets: RawMarket[] }).markets) mock.on("GET", `${PREFIX}/markets/${m.ticker}`, { json: { market: m } });
    expect(await client.getRules("KXELONMARS-99")).toEqual({ tickSize: 0.01, stepSize: 0.01, minQuantity: 0.01, minNotional: 0 });
    expect(await client.getRules("KXCOLONIZEMARS-50")).toEqual({ tickSize: 0.001, stepSize: 0.01, minQuantity: 0.01, minNotional: 0 });
    await client.getRules("KXELONMARS-99");
    expect(mock.calls("GET", `${PREFIX}/markets/KXELONMARS-99`)).toHaveLength(1);
    // Whole contracts only when fractional trading is off; tapered ranges take the coarsest step.
    const whole = { ...elonMarket, ticker: "KXWHOLE-1", fractional_trading_enabled: false, price_ranges: [{ start: "0", end: "0.1", step: "0.001" }, { start: "0.1", end: "0.9", step: "0.01" }, { start: "0.9", end: "1", step: "0.001" }] };
    mock.on("GET", `${PREFIX}/markets/KXWHOLE-1`, { json: { market: whole } });
    expect(await client.getRules("kxwhole-1")).toEqual({ tickSize: 0.01, stepSize: 1, minQuantity: 1, minNotional: 0 });
  });

  it("getOrderBook: every fetchOrderBook case matches ccxt's bids and asks", async () => {
    const client = market();
    for (const c of cases.fetchOrderBook!) {
      mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { json: c.httpResponse });
      const book = await client.getOrderBook("KXELONMARS-99", 100);
      const parsed = c.parsedResponse as CcxtBook;
      expect(book.bids).toEqual(parsed.bids);
      expect(book.asks).toEqual(parsed.asks);
      expect(mock.requests.at(-1)!.query.get("depth")).toBe("100");
      const top = await client.getOrderBook("KXELONMARS-99", 2);
      expect(top.bids).toEqual([[0.08, 444.32], [0.07, 3195.84]]);
      expect(top.asks).toEqual([[0.12, 1967.33], [0.13, 118.85]]);
    }
  });

  it("getOrderBook: the older cents `orderbook` shape", async () => {
    // Pre-fixed-point GetMarketOrderbookResponse: {orderbook: {yes: [[cents, count]], no: [[cents, count]]}}, ascending.
    mock.on("GET", `${PREFIX}/markets/KXOLD-1/orderbook`, { json: { orderbook: { yes: [[40, 10], [42, 5]], no: [[50, 7], [55, 3]] } } });
    const book = await market().getOrderBook("KXOLD-1", 10);
    expect(book.bids).toEqual([[0.42, 5], [0.4, 10]]);
    expect(book.asks).toEqual([[0.45, 3], [0.5, 7]]);
  });

  it("getCandles: every fetchOHLCV case gives ccxt's OHLCV, stamped at the period start", async () => {
    for (const c of cases.fetchOHLCV!) {
      mock.reset();
      mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
      mock.on("GET", `${PREFIX}/events/KXELONMARS-99`, { json: elonEvent });
      mock.on("GET", `${PREFIX}/series/KXELONMARS/markets/KXELONMARS-99/candlesticks`, { json: c.httpResponse });
      const client = market();
      const candles = await client.getCandles("KXELONMARS-99", "1h", 24);
      const parsed = c.parsedResponse as number[][];
      expect(candles).toHaveLength(parsed.length);
      candles.forEach((candle, i) => {
        const [t, o, h, l, cl, v] = parsed[i]!;
        // ccxt's recorded output carries end_period_ts; our candles open one period earlier.
        expect(candle).toEqual({ time: t! - 3_600_000, open: o, high: h, low: l, close: cl, volume: v });
      });
      const [req] = mock.calls("GET", `${PREFIX}/series/KXELONMARS/markets/KXELONMARS-99/candlesticks`);
      expect(req!.query.get("period_interval")).toBe("60");
      expect(Number(req!.query.get("end_ts"))).toBe(NOW / 1000);
      expect(Number(req!.query.get("start_ts"))).toBe(NOW / 1000 - 25 * 3600);
      // The series ticker is cached: a second call reads no market or event again.
      await client.getCandles("KXELONMARS-99", "1h", 24);
      expect(mock.calls("GET", `${PREFIX}/events/KXELONMARS-99`)).toHaveLength(1);
      expect(mock.calls("GET", `${PREFIX}/markets/KXELONMARS-99`)).toHaveLength(1);
    }
  });

  it("getCandles 5m: aggregated from 1-minute candles; no-trade minutes carry the last price", async () => {
    // MarketCandlestick shape (docs/MarketCandlestick.md, PriceDistribution.md): OHLC in price.*_dollars,
    // volume_fp, end_period_ts (inclusive end). Minutes 12:00..12:09 of a day; minute 12:02 had no trade.
    const t0 = Date.UTC(2026, 5, 12, 12, 0) / 1000;
    const trade = (i: number, o: string, h: string, l: string, c: string, v: string) => ({ end_period_ts: t0 + (i + 1) * 60, price: { open_dollars: o, high_dollars: h, low_dollars: l, close_dollars: c, previous_dollars: "0.4000" }, volume_fp: v, open_interest_fp: "10.00", yes_bid: {}, yes_ask: {} });
    const sticks = [
      { end_period_ts: t0 - 60 + 60, price: {}, volume_fp: "0.00" }, // 11:59, nothing known yet → skipped
      trade(0, "0.4100", "0.4300", "0.4000", "0.4200", "5.00"),
      trade(1, "0.4200", "0.4400", "0.4200", "0.4400", "2.50"),
      { end_period_ts: t0 + 3 * 60, price: { previous_dollars: "0.4400" }, volume_fp: "0.00" },
      trade(3, "0.4400", "0.4500", "0.3900", "0.4000", "1.00"),
      trade(4, "0.4000", "0.4100", "0.4000", "0.4100", "1.00"),
      trade(5, "0.4100", "0.4600", "0.4100", "0.4500", "3.00"),
      trade(9, "0.4500", "0.4700", "0.4500", "0.4700", "4.25"),
    ];
    sticks[0]!.end_period_ts = t0; // the candle for 11:59..12:00
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
    mock.on("GET", `${PREFIX}/events/KXELONMARS-99`, { json: elonEvent });
    mock.on("GET", `${PREFIX}/series/KXELONMARS/markets/KXELONMARS-99/candlesticks`, { json: { ticker: "KXELONMARS-99", candlesticks: sticks } });
    const candles = await market().getCandles("KXELONMARS-99", "5m", 10);
    expect(candles).toEqual<Candle[]>([
      { time: t0 * 1000, open: 0.41, high: 0.45, low: 0.39, close: 0.41, volume: 9.5 },
      { time: (t0 + 300) * 1000, open: 0.41, high: 0.47, low: 0.41, close: 0.47, volume: 7.25 },
    ]);
    const req = mock.calls("GET", /candlesticks$/)[0]!;
    expect(req.query.get("period_interval")).toBe("1");
    expect(Number(req.query.get("start_ts")) % 300).toBe(0);
    expect(aggregateCandles(candles, 15)).toHaveLength(1);
  });

  it("getCandles 4h and 1d ask for 60- and 1440-minute candles", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
    mock.on("GET", `${PREFIX}/events/KXELONMARS-99`, { json: elonEvent });
    mock.on("GET", /candlesticks$/, { json: { candlesticks: [] } });
    const client = market();
    expect(await client.getCandles("KXELONMARS-99", "4h", 5)).toEqual([]);
    expect(await client.getCandles("KXELONMARS-99", "1d", 5)).toEqual([]);
    expect(mock.calls("GET", /candlesticks$/).map((r) => r.query.get("period_interval"))).toEqual(["60", "1440"]);
  });

  it("getFunding refuses clearly", async () => {
    await expect(market().getFunding("KXELONMARS-99")).rejects.toThrow("Kalshi has no perpetual funding");
  });
});

describe("Kalshi account against ccxt's recorded responses and documented shapes", () => {
  it("getBalance: balance_dollars, else cents", async () => {
    // GetBalanceResponse (docs/GetBalanceResponse.md).
    // once() routes stack: the last registered answers first.
    mock.once("GET", `${PREFIX}/portfolio/balance`, { json: { balance: 98765, portfolio_value: 0, updated_ts: 1 } });
    mock.once("GET", `${PREFIX}/portfolio/balance`, { json: { balance: 123456, balance_dollars: "1234.5600", portfolio_value: 5000, updated_ts: 1781000000 } });
    const client = account();
    expect(await client.getBalance()).toEqual({ venue: "kalshi", currency: "USD", available: 1234.56 });
    expect(await client.getBalance()).toEqual({ venue: "kalshi", currency: "USD", available: 987.65 });
  });

  it("getPositions: every fetchPositions case (legacy cents shape), and the documented fixed-point shape", async () => {
    for (const c of cases.fetchPositions!) {
      mock.reset();
      mock.on("GET", `${PREFIX}/portfolio/positions`, { json: c.httpResponse });
      const positions = await account().getPositions();
      const raw = (c.httpResponse as { market_positions: { ticker: string }[] }).market_positions;
      expect(positions.map((p) => p.symbol)).toEqual(raw.map((p) => p.ticker));
      for (const ccxtPos of c.parsedResponse as CcxtPosition[]) {
        const ours = positions.find((p) => p.symbol === ccxtPos.info.ticker)!;
        expect(ours.quantity).toBe(ccxtPos.side === "short" ? -ccxtPos.contracts : ccxtPos.contracts);
      }
      // -12 contracts (NO) costing 480 cents → NO at 0.40 → short YES at 0.60; +5 YES costing 250 cents → 0.50.
      expect(positions).toEqual([
        { venue: "kalshi", symbol: "KXELONMARS-99", quantity: -12, averagePrice: 0.6 },
        { venue: "kalshi", symbol: "KXOTHERMARKET-21", quantity: 5, averagePrice: 0.5 },
      ]);
    }
    // GetPositionsResponse / MarketPosition (docs/MarketPosition.md), two pages; flat positions are dropped.
    mock.reset();
    mock.once("GET", `${PREFIX}/portfolio/positions`, { json: { cursor: "", market_positions: [{ ticker: "KXB-2", position_fp: "0.00", market_exposure_dollars: "0" }], event_positions: [] } });
    mock.once("GET", `${PREFIX}/portfolio/positions`, { json: { cursor: "page2", market_positions: [{ ticker: "KXA-1", exchange_index: 0, position_fp: "10.50", market_exposure_dollars: "3.675000", realized_pnl_dollars: "0", fees_paid_dollars: "0.05", total_traded_dollars: "3.675", last_updated_ts: "2026-06-01T00:00:00Z" }], event_positions: [] } });
    expect(await account().getPositions()).toEqual([{ venue: "kalshi", symbol: "KXA-1", quantity: 10.5, averagePrice: 0.35 }]);
    expect(mock.calls("GET", `${PREFIX}/portfolio/positions`)[1]!.query.get("cursor")).toBe("page2");
  });

  it("orders: every fetchOpenOrders order parses like ccxt's (YES-leg view), and findOrder matches by client id", async () => {
    for (const c of cases.fetchOpenOrders!) {
      const raw = (c.httpResponse as { orders: RawOrder[] }).orders;
      const parsed = c.parsedResponse as CcxtOrder[];
      raw.forEach((o, i) => {
        const ours = parseKalshiOrder(o);
        const theirs = parsed[i]!;
        expect(ours.id).toBe(theirs.id);
        expect(ours.quantity).toBe(theirs.amount);
        expect(ours.filledQuantity).toBe(theirs.filled);
        expect(ours.status).toBe("open");
        // ccxt reports the NO leg as is; we quote the YES leg: sell NO at q = buy YES at 1 - q.
        if (theirs.label === "NO") {
          expect(ours.side).toBe(theirs.side === "sell" ? "buy" : "sell");
          expect(ours.limitPrice).toBeCloseTo(1 - theirs.price, 10);
        } else {
          expect(ours.side).toBe(theirs.side);
          expect(ours.limitPrice).toBe(theirs.price);
        }
        expect(ours.at).toBe(new Date(theirs.timestamp).toISOString());
      });
      mock.reset();
      const ours = "run_1:buy";
      const mine = { ...raw[0], order_id: "c1111111-2222-3333-4444-777777777777", client_order_id: kalshiClientOrderId(ours), book_side: "bid", status: "executed", fill_count_fp: "10.00", remaining_count_fp: "0.00", taker_fill_cost_dollars: "0.800000", maker_fill_cost_dollars: "0", taker_fees_dollars: "0.060000", maker_fees_dollars: "0" };
      mock.once("GET", `${PREFIX}/portfolio/orders`, { json: { orders: [mine], cursor: "" } });
      mock.once("GET", `${PREFIX}/portfolio/orders`, { json: { orders: raw, cursor: "next" } });
      const found = await account().findOrder("KXELONMARS-99", ours);
      expect(mock.calls("GET", `${PREFIX}/portfolio/orders`).map((r) => r.query.get("cursor"))).toEqual([null, "next"]);
      expect(found).toMatchObject({ id: mine.order_id, clientOrderId: ours, symbol: "KXELONMARS-99", side: "buy", quantity: 10, filledQuantity: 10, averagePrice: 0.08, fee: 0.06, status: "filled", broker: "live" });
      mock.on("GET", `${PREFIX}/portfolio/orders`, { json: c.httpResponse });
      expect(await account().findOrder("KXELONMARS-99", "run_1:other")).toBeNull();
    }
  });
});

describe("Kalshi orders", () => {
  const createdResting = { order_id: "ee0b2c2a-0000-4000-8000-000000000001", client_order_id: "x", fill_count: "0.00", remaining_count: "10.00", ts_ms: 1781280000000 };

  it("a limit order is a good_till_canceled bid with fixed-point strings and our id mapped", async () => {
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 201, json: createdResting });
    const order = await account().placeOrder({ venue: "kalshi", symbol: "kxelonmars-99", side: "buy", quantity: 10, limitPrice: 0.56, clientOrderId: "run_a:n1" });
    const [req] = mock.calls("POST", `${PREFIX}/portfolio/events/orders`);
    expect(JSON.parse(req!.body)).toEqual({ ticker: "KXELONMARS-99", client_order_id: kalshiClientOrderId("run_a:n1"), side: "bid", count: "10.00", price: "0.5600", time_in_force: "good_till_canceled", self_trade_prevention_type: "taker_at_cross" });
    expect(pssVerify(`${NOW}POST/trade-api/v2/portfolio/events/orders`, header(req!, "KALSHI-ACCESS-SIGNATURE"))).toBe(true);
    expect(order).toEqual({ id: createdResting.order_id, clientOrderId: "run_a:n1", venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", type: "limit", quantity: 10, filledQuantity: 0, limitPrice: 0.56, averagePrice: null, fee: 0, status: "open", broker: "live", at: new Date(1781280000000).toISOString() });
  });

  it("a market buy is IOC 5 ticks above the best ask of a fresh book (ccxt book: 0.12 → 0.17)", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { json: cases.fetchOrderBook![0]!.httpResponse });
    // CreateOrderV2Response (docs/CreateOrderV2Response.md): 3 of 10 filled, the IOC remainder cancelled.
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 201, json: { order_id: "o-2", client_order_id: "x", fill_count: "3.00", remaining_count: "7.00", average_fill_price: "0.1200", average_fee_paid: "0.0100", ts_ms: 1781280000000 } });
    const order = await account().placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 10, clientOrderId: "run_a:m1" });
    const body = JSON.parse(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)[0]!.body);
    expect(body).toMatchObject({ side: "bid", price: "0.1700", count: "10.00", time_in_force: "immediate_or_cancel" });
    expect(order).toMatchObject({ type: "market", limitPrice: null, filledQuantity: 3, averagePrice: 0.12, fee: 0.03, status: "filled" });
    expect(order.reason).toContain("filled 3 of 10; the rest was cancelled");
  });

  it("a market sell is IOC 5 ticks below the best bid (0.08 → 0.03); nothing filled → cancelled", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { json: cases.fetchOrderBook![0]!.httpResponse });
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 201, json: { order_id: "o-3", fill_count: "0.00", remaining_count: "4.00", ts_ms: 1781280000000 } });
    const order = await account().placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "sell", quantity: 4, clientOrderId: "run_a:m2" });
    expect(JSON.parse(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)[0]!.body)).toMatchObject({ side: "ask", price: "0.0300", time_in_force: "immediate_or_cancel" });
    expect(order).toMatchObject({ status: "cancelled", filledQuantity: 0, averagePrice: null });
  });

  it("market order prices stay within 0.01..0.99", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { json: { orderbook_fp: { yes_dollars: [["0.0200", "5.00"]], no_dollars: [["0.0300", "5.00"]] } } });
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 201, json: { order_id: "o-4", fill_count: "1.00", remaining_count: "0.00", average_fill_price: "0.9700", ts_ms: 1 } });
    const client = account();
    const buy = await client.placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 1, clientOrderId: "run_a:c1" });
    await client.placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "sell", quantity: 1, clientOrderId: "run_a:c2" });
    const prices = mock.calls("POST", `${PREFIX}/portfolio/events/orders`).map((r) => JSON.parse(r.body).price);
    expect(prices).toEqual(["0.9900", "0.0100"]); // ask 0.97 + 0.05, bid 0.02 - 0.05
    expect(buy).toMatchObject({ status: "filled", filledQuantity: 1, averagePrice: 0.97 });
  });

  it("a book with no asks: the book says so, the quote and a market buy refuse clearly, nothing is posted", async () => {
    const oneSided = { ...elonMarket, yes_ask_dollars: "1.0000", yes_ask_size_fp: "0.00", no_bid_dollars: "0.0000" };
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: { market: oneSided } });
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { json: { orderbook_fp: { yes_dollars: [["0.0800", "444.32"]], no_dollars: [] } } });
    const data = market();
    const book = await data.getOrderBook("KXELONMARS-99", 10);
    expect(book.asks).toEqual([]);
    expect(book.bids).toEqual([[0.08, 444.32]]);
    await expect(data.getQuote("KXELONMARS-99")).rejects.toThrow('no asks in the book for "KXELONMARS-99" (last traded at 0.1)');
    mock.on("GET", `${PREFIX}/markets/KXNOASK-1`, { json: { market: { ...oneSided, ticker: "KXNOASK-1", yes_ask_dollars: undefined } } });
    await expect(data.getQuote("KXNOASK-1")).rejects.toThrow('no asks in the book for "KXNOASK-1"');
    await expect(account().placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 1, clientOrderId: "run_a:z" })).rejects.toThrow('no asks in the book for "KXELONMARS-99"');
    expect(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)).toHaveLength(0);
  });

  it("rejects bad input before sending", async () => {
    const client = account();
    await expect(client.placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 1, limitPrice: 1.2, clientOrderId: "c" })).rejects.toThrow("limit price must be between 0 and 1");
    await expect(client.placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 0, limitPrice: 0.5, clientOrderId: "c" })).rejects.toThrow("quantity must be at least 0.01 contracts");
    expect(mock.requests).toHaveLength(0);
  });

  it("cancelOrder reads the order, sends DELETE with market_ticker, reports it cancelled with its fills", async () => {
    // Order (docs/Order.md) resting with 4 of 10 filled; CancelOrderV2Response reduced_by the resting 6.
    const resting = { order_id: "o-9", user_id: "u", client_order_id: kalshiClientOrderId("run_a:n9"), ticker: "KXELONMARS-99", outcome_side: "no", book_side: "ask", type: "limit", status: "resting", yes_price_dollars: "0.6000", no_price_dollars: "0.4000", fill_count_fp: "4.00", remaining_count_fp: "6.00", initial_count_fp: "10.00", taker_fill_cost_dollars: "0", maker_fill_cost_dollars: "1.600000", taker_fees_dollars: "0", maker_fees_dollars: "0.020000", created_time: "2026-06-12T14:00:00Z" };
    mock.on("GET", `${PREFIX}/portfolio/orders/o-9`, { json: { order: resting } });
    mock.on("DELETE", `${PREFIX}/portfolio/events/orders/o-9`, { json: { order_id: "o-9", client_order_id: resting.client_order_id, reduced_by: "6.00", ts_ms: 1781290000000 } });
    const order = await account().cancelOrder("KXELONMARS-99", "o-9");
    const [del] = mock.calls("DELETE", `${PREFIX}/portfolio/events/orders/o-9`);
    expect(del!.query.get("market_ticker")).toBe("KXELONMARS-99");
    expect(pssVerify(`${NOW}DELETE/trade-api/v2/portfolio/events/orders/o-9`, header(del!, "KALSHI-ACCESS-SIGNATURE"))).toBe(true);
    // An ask (sell YES at 0.60) fills by buying NO: 1.60 for 4 NO = 0.40 each → YES 0.60.
    expect(order).toMatchObject({ id: "o-9", side: "sell", quantity: 10, filledQuantity: 4, limitPrice: 0.6, averagePrice: 0.6, fee: 0.02, status: "cancelled", at: new Date(1781290000000).toISOString() });
    mock.on("GET", `${PREFIX}/portfolio/orders/o-10`, { json: { order: { ...resting, order_id: "o-10", status: "executed" } } });
    await expect(account().cancelOrder("KXELONMARS-99", "o-10")).rejects.toThrow('order "o-10" is already filled');
    expect(mock.calls("DELETE", /o-10/)).toHaveLength(0);
  });
});

describe("Kalshi faults", () => {
  it("not found: a market that does not exist is named", async () => {
    mock.on("GET", `${PREFIX}/markets/XYZ`, { status: 404, json: { error: { code: "not_found", message: "market not found" } } });
    const e = await caught(market().getQuote("xyz"));
    expect(e).toBeInstanceOf(VenueError);
    expect(e.message).toBe('kalshi: market "XYZ" does not exist on Kalshi: market not found (HTTP 404, code not_found)');
    expect(mock.calls("GET", `${PREFIX}/markets/XYZ`)).toHaveLength(1); // a 404 is not retried
  });

  it("429 with Retry-After is retried and then succeeds", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse });
    mock.once("GET", `${PREFIX}/markets/KXELONMARS-99`, { status: 429, json: { error: "too many requests" }, headers: { "Retry-After": "1" } });
    const waits: number[] = [];
    const q = await market({ sleep: async (ms) => void waits.push(ms) }).getQuote("KXELONMARS-99");
    expect(q.bid).toBe(0.08);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(mock.calls("GET", `${PREFIX}/markets/KXELONMARS-99`)).toHaveLength(2);
  });

  it("429 without Retry-After backs off, then fails clearly", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { status: 429, json: { error: "too many requests" } });
    const waits: number[] = [];
    const e = await caught(market({ maxRetries: 2, backoffMs: 10, sleep: async (ms) => void waits.push(ms) }).getOrderBook("KXELONMARS-99", 5));
    expect(e.message).toBe("kalshi: rate limited on GET /trade-api/v2/markets/KXELONMARS-99/orderbook: too many requests (HTTP 429)");
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]!); // exponential
    expect(mock.calls("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`)).toHaveLength(3);
  });

  it("5xx on order placement: exactly one POST, status unknown, then findOrder resolves it", async () => {
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 500, json: { error: { code: "internal_server_error", message: "internal error" } } });
    const client = account();
    const request = { venue: "kalshi" as const, symbol: "KXELONMARS-99", side: "buy" as const, quantity: 2, limitPrice: 0.3, clientOrderId: "run_b:n1" };
    const e = await caught(client.placeOrder(request));
    expect(e).toBeInstanceOf(VenueError);
    expect((e as VenueError).statusUnknown).toBe(true);
    expect(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)).toHaveLength(1);
    const sent = JSON.parse(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)[0]!.body);
    // The order did reach Kalshi: it rests (docs/Order.md shape).
    mock.on("GET", `${PREFIX}/portfolio/orders`, (req) => ({ json: { cursor: "", orders: req.query.get("ticker") === "KXELONMARS-99" ? [{ order_id: "o-77", user_id: "u", client_order_id: sent.client_order_id, ticker: "KXELONMARS-99", outcome_side: "yes", book_side: "bid", type: "limit", status: "resting", yes_price_dollars: "0.3000", no_price_dollars: "0.7000", fill_count_fp: "0.00", remaining_count_fp: "2.00", initial_count_fp: "2.00", taker_fill_cost_dollars: "0", maker_fill_cost_dollars: "0", taker_fees_dollars: "0", maker_fees_dollars: "0", created_time: "2026-06-12T15:00:00Z" }] : [] } }));
    expect(await client.findOrder("KXELONMARS-99", "run_b:n1")).toEqual({ id: "o-77", clientOrderId: "run_b:n1", venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", type: "limit", quantity: 2, filledQuantity: 0, limitPrice: 0.3, averagePrice: null, fee: 0, status: "open", broker: "live", at: "2026-06-12T15:00:00.000Z" });
    expect(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)).toHaveLength(1);
  });

  it("timeouts: a read fails after its retries, a write is status unknown and sent once", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99`, { json: tickerCase.httpResponse, delayMs: 400 });
    const e = await caught(market({ timeoutMs: 100, maxRetries: 1 }).getQuote("KXELONMARS-99"));
    expect(e.message).toBe("kalshi: GET /trade-api/v2/markets/KXELONMARS-99 timed out after 100 ms (no response)");
    expect(mock.calls("GET", `${PREFIX}/markets/KXELONMARS-99`)).toHaveLength(2);
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 201, json: createdRestingFor("t"), delayMs: 400 });
    const w = await caught(account({ timeoutMs: 100 }).placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 1, limitPrice: 0.5, clientOrderId: "run_t:1" }));
    expect((w as VenueError).statusUnknown).toBe(true);
    expect(mock.calls("POST", `${PREFIX}/portfolio/events/orders`)).toHaveLength(1);
  });

  it("malformed JSON is a clear error", async () => {
    mock.on("GET", `${PREFIX}/markets/KXELONMARS-99/orderbook`, { text: "<html>502 Bad Gateway</html" });
    const e = await caught(market({ maxRetries: 0 }).getOrderBook("KXELONMARS-99", 5));
    expect(e.message).toBe("kalshi: GET /trade-api/v2/markets/KXELONMARS-99/orderbook returned malformed JSON (HTTP 200)");
  });

  it("a rejected order carries Kalshi's code, message and details, and is not status unknown", async () => {
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 400, json: { error: { code: "invalid_price", message: "price is not on the tick grid", details: "step 0.01" } } });
    const e = (await caught(account().placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "sell", quantity: 1, limitPrice: 0.555, clientOrderId: "run_c:1" }))) as VenueError;
    expect(e.message).toBe("kalshi: price is not on the tick grid: step 0.01 (HTTP 400, code invalid_price)");
    expect(e.statusUnknown).toBe(false);
  });

  it("no error message contains the key id, the private key or a signature", async () => {
    mock.on("GET", `${PREFIX}/portfolio/balance`, { status: 401, json: { error: { code: "authentication_error", message: "invalid signature" } } });
    mock.on("GET", `${PREFIX}/portfolio/positions`, { status: 503, text: "unavailable" });
    mock.on("POST", `${PREFIX}/portfolio/events/orders`, { status: 502, text: "bad gateway" });
    const client = account({ maxRetries: 1 });
    const errors = [
      await caught(client.getBalance()),
      await caught(client.getPositions()),
      await caught(client.placeOrder({ venue: "kalshi", symbol: "KXELONMARS-99", side: "buy", quantity: 1, limitPrice: 0.5, clientOrderId: "run_d:1" })),
    ];
    const signatures = mock.requests.map((r) => header(r, "KALSHI-ACCESS-SIGNATURE"));
    expect(signatures.every((s) => s.length > 100)).toBe(true);
    const keyBody = PRIVATE_PEM.split("\n")[1]!;
    for (const e of errors) {
      const text = `${e.message} ${String(e.stack)} ${JSON.stringify(e)}`;
      expect(text).not.toContain(SECRETS.key_id);
      expect(text).not.toContain(keyBody);
      for (const s of signatures) expect(text).not.toContain(s);
    }
    expect(errors[0]!.message).toBe("kalshi: invalid signature (HTTP 401, code authentication_error)");
  });
});

function createdRestingFor(id: string) {
  return { order_id: `o-${id}`, fill_count: "0.00", remaining_count: "1.00", ts_ms: 1 };
}
