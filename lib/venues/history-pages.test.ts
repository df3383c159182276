import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MockVenue, type MockRequest, type MockReply } from "../../test/mock-venue";
import { BINANCE_KLINES_LIMIT, createBinanceMarketClient } from "./binance";
import { VenueError } from "./errors";
import { createKalshiMarketClient } from "./kalshi";
import { createPolymarketMarketClient, PRICES_HISTORY_WINDOW_S } from "./polymarket";

/**
 * The venue clients' history reads against MockVenue: page windows, the parameters each venue documents
 * (Binance startTime/endTime/limit, Kalshi start_ts/end_ts by end_period_ts, Polymarket startTs/endTs),
 * and that a page is handed over before the next request goes out.
 */

const mock = new MockVenue();
let url = "";
const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const fast = { timeoutMs: 2_000, backoffMs: 1, sleep: async () => {} };

beforeAll(async () => {
  url = await mock.start();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

/** Klines on the grid for open times in [startTime, endTime], the first `limit`. */
const klines = (step: number) => (req: MockRequest): MockReply => {
  const start = Number(req.query.get("startTime"));
  const end = Number(req.query.get("endTime"));
  const limit = Number(req.query.get("limit"));
  const rows = [];
  for (let t = Math.ceil(start / step) * step; t <= end && rows.length < limit; t += step) rows.push([t, "1.5", "2", "1", "1.75", "10", t + step - 1, "15", 3, "5", "7.5", "0"]);
  return { json: rows };
};

describe("Binance", () => {
  const binance = () => createBinanceMarketClient({ baseUrl: url, futuresBaseUrl: url, ...fast });

  it("getKlineHistory pages spot klines in windows of 1,000 intervals", async () => {
    mock.on("GET", "/api/v3/klines", klines(HOUR));
    const candles = await binance().getKlineHistory("ethusdt", "1h", T0, T0 + 2199 * HOUR);
    expect(candles).toHaveLength(2200);
    expect(candles[0]).toEqual({ time: T0, open: 1.5, high: 2, low: 1, close: 1.75, volume: 10 });
    const calls = mock.calls("GET", "/api/v3/klines");
    expect(calls.map((c) => Number(c.query.get("limit")))).toEqual([1000, 1000, 200]);
    for (const c of calls) {
      expect(c.query.get("symbol")).toBe("ETHUSDT");
      expect((Number(c.query.get("endTime")) - Number(c.query.get("startTime")) + 1) / HOUR).toBeLessThanOrEqual(BINANCE_KLINES_LIMIT.spot);
    }
  });

  it("klineHistoryPages yields each page before requesting the next", async () => {
    mock.on("GET", "/fapi/v1/klines", klines(MIN));
    const seen: number[] = [];
    for await (const page of binance().klineHistoryPages("BTCUSDT-PERP", "1m", T0, T0 + 3000 * MIN - 1)) {
      seen.push(mock.calls("GET", "/fapi/v1/klines").length);
      expect(page.candles.every((c) => c.time >= page.from && c.time <= page.to)).toBe(true);
    }
    expect(seen).toEqual([1, 2]);
    expect(mock.calls("GET", "/fapi/v1/klines").map((c) => c.query.get("limit"))).toEqual(["1500", "1500"]);
  });

  it("getFundingHistory keeps its latest-records form and pages a range", async () => {
    const H8 = 8 * HOUR;
    mock.on("GET", "/fapi/v1/fundingRate", (req) => {
      const limit = Number(req.query.get("limit"));
      const start = req.query.has("startTime") ? Number(req.query.get("startTime")) : T0;
      const end = req.query.has("endTime") ? Number(req.query.get("endTime")) : T0 + 10 * H8;
      const rows = [];
      for (let t = Math.ceil(start / H8) * H8; t <= end && rows.length < limit; t += H8) rows.push({ symbol: "BTCUSDT", fundingTime: t, fundingRate: "0.00010000", markPrice: "" });
      return { json: rows };
    });
    const client = binance();
    expect(await client.getFundingHistory("BTCUSDT-PERP", 3)).toHaveLength(3);
    expect(mock.calls("GET", "/fapi/v1/fundingRate")[0]!.query.has("startTime")).toBe(false);
    mock.requests.length = 0;
    const all = await client.getFundingHistory("BTCUSDT-PERP", T0, T0 + 1499 * H8);
    expect(all).toHaveLength(1500);
    expect(all[0]).toEqual({ time: T0, rate: 0.0001, markPrice: null });
    expect(mock.calls("GET", "/fapi/v1/fundingRate").map((c) => [Number(c.query.get("startTime")), c.query.get("limit")])).toEqual([
      [T0, "1000"],
      [T0 + 999 * H8 + 1, "1000"],
    ]);
  });

  it("a failing page is a VenueError after the read retries", async () => {
    mock.on("GET", "/api/v3/klines", { status: 500, json: { code: -1000, msg: "An unknown error occurred while processing the request." } });
    const error = await binance().getKlineHistory("BTCUSDT", "1m", T0, T0 + 10 * MIN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VenueError);
    expect(mock.calls("GET", "/api/v3/klines")).toHaveLength(4);
  });
});

describe("Kalshi", () => {
  const PREFIX = "/trade-api/v2";
  const TICKER = "KXHIGHNY-24JAN01-T50";
  const path = `${PREFIX}/series/KXHIGHNY/markets/${TICKER}/candlesticks`;
  beforeEach(() => {
    mock.on("GET", `${PREFIX}/markets/${TICKER}`, { json: { market: { ticker: TICKER, event_ticker: "KXHIGHNY-24JAN01" } } });
    mock.on("GET", `${PREFIX}/events/KXHIGHNY-24JAN01`, { json: { event: { series_ticker: "KXHIGHNY" } } });
    mock.on("GET", path, (req) => {
      const period = Number(req.query.get("period_interval")) * 60;
      const out = [];
      for (let e = Number(req.query.get("start_ts")); e <= Number(req.query.get("end_ts")); e += period) {
        out.push({ end_period_ts: e, price: { open_dollars: "0.4000", high_dollars: "0.4500", low_dollars: "0.3500", close_dollars: "0.4200" }, volume_fp: "1.00" });
      }
      return { json: { ticker: TICKER, candlesticks: out } };
    });
  });

  it("getCandleHistory asks for at most 5,000 candlesticks per request, selected by end_period_ts", async () => {
    const client = createKalshiMarketClient({ baseUrl: url + PREFIX, ...fast });
    const candles = await client.getCandleHistory(TICKER, "1h", T0, T0 + 7999 * HOUR);
    expect(candles).toHaveLength(8000);
    expect(candles[0]).toEqual({ time: T0, open: 0.4, high: 0.45, low: 0.35, close: 0.42, volume: 1 });
    const calls = mock.calls("GET", path);
    expect(calls.map((c) => [Number(c.query.get("start_ts")), Number(c.query.get("end_ts")), c.query.get("period_interval")])).toEqual([
      [(T0 + HOUR) / 1000, (T0 + 5000 * HOUR) / 1000, "60"],
      [(T0 + 5001 * HOUR) / 1000, (T0 + 8000 * HOUR) / 1000, "60"],
    ]);
  });

  it("4h candles are whole buckets of 60-minute candlesticks, never split across pages", async () => {
    const client = createKalshiMarketClient({ baseUrl: url + PREFIX, ...fast });
    const pages = [];
    for await (const page of client.candleHistoryPages(TICKER, "4h", T0 + HOUR, T0 + 2000 * 4 * HOUR)) pages.push(page);
    expect(pages).toHaveLength(2);
    // 5,000 hourly candlesticks hold 1,250 whole 4h buckets; the bucket opening before `from` is left out.
    expect(pages[0]!.candles).toHaveLength(1249);
    expect(pages[0]!.candles[0]!.time).toBe(T0 + 4 * HOUR);
    expect(pages[0]!.to + 1).toBe(pages[1]!.from);
    expect(pages[1]!.candles[pages[1]!.candles.length - 1]!.time).toBe(T0 + 2000 * 4 * HOUR);
    expect(pages.flatMap((p) => p.candles).every((c) => c.volume === 4)).toBe(true);
  });
});

describe("Polymarket", () => {
  const TOKEN = "16040015440196279900485035793550429453516625694844857319147506590755961451627";
  it("getCandleHistory reads windows of at most 14 days aligned to the interval", async () => {
    mock.on("GET", "/prices-history", (req) => {
      const start = Number(req.query.get("startTs"));
      const end = Number(req.query.get("endTs"));
      // Points every 12 hours, the window's end point included (the next window holds it too).
      const history = [];
      for (let t = Math.ceil(start / 43_200) * 43_200; t <= end; t += 43_200) history.push({ t, p: String((t / 43_200) % 2 === 0 ? 0.6 : 0.4) });
      return { json: { history } };
    });
    const client = createPolymarketMarketClient({ clobUrl: url, gammaUrl: url, dataUrl: url, ...fast });
    const candles = await client.getCandleHistory(TOKEN, "1d", T0, T0 + 29 * 24 * HOUR);
    expect(candles).toHaveLength(30);
    expect(new Set(candles.map((c) => c.time)).size).toBe(30);
    expect(candles[0]).toMatchObject({ time: T0, high: 0.6, low: 0.4, volume: 0 });
    const calls = mock.calls("GET", "/prices-history");
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(Number(c.query.get("endTs")) - Number(c.query.get("startTs"))).toBeLessThanOrEqual(PRICES_HISTORY_WINDOW_S);
      expect(Number(c.query.get("startTs")) % 86_400).toBe(0);
      expect(c.query.get("fidelity")).toBe("60");
    }
  });
});
