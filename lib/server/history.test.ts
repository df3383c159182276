import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { MockVenue, type MockRequest, type MockReply } from "@/test/mock-venue";
import { countCandles, listCoveredRanges, listFundingRates } from "../db/candles";
import { createBinanceMarketClient } from "../venues/binance";
import { createKalshiMarketClient } from "../venues/kalshi";
import { createPolymarketMarketClient } from "../venues/polymarket";
import { findGaps, HistoryError, loadFunding, loadVenueBars, MAX_LISTED_GAPS, type HistoryClients, type LoadOptions } from "./history";

/**
 * History loads against MockVenue (answers shaped as the venues document them: Binance klines and
 * fundingRate arrays, Kalshi MarketCandlestick objects, Polymarket {history: [{t, p}]}) and a throwaway
 * SQLite database. Each test uses its own symbol, so the store's coverage of one does not leak into another.
 */

const mock = new MockVenue();
const PREFIX = "/trade-api/v2";
const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const NOW = Date.UTC(2030, 0, 1);
let clients: HistoryClients;

beforeAll(async () => {
  useThrowawayDatabase();
  const url = await mock.start();
  const fast = { timeoutMs: 2_000, backoffMs: 1, sleep: async () => {} };
  const binance = createBinanceMarketClient({ baseUrl: url, futuresBaseUrl: url, ...fast });
  clients = {
    binance,
    kalshi: createKalshiMarketClient({ baseUrl: url + PREFIX, ...fast, now: () => NOW }),
    polymarket: createPolymarketMarketClient({ gammaUrl: url, clobUrl: url, dataUrl: url, ...fast, now: () => NOW }),
  };
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const opts = (extra: LoadOptions = {}): LoadOptions => ({ clients, now: () => NOW, ...extra });

const price = (t: number) => 100 + ((t / MIN) % 50);
type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];
const kline = (t: number, step: number): KlineRow => {
  const p = price(t);
  return [t, String(p), String(p + 1), String(p - 1), String(p + 0.5), "12.5", t + step - 1, "1250", 42, "6", "600", "0"];
};

/**
 * Binance klines as documented: open times in [startTime, endTime] on the interval grid, at most `limit`,
 * oldest first. `missing` open times are left out (a venue gap); `repeat` open times are sent twice.
 */
function klines(step: number, behaviour: { missing?: Set<number>; repeat?: Set<number>; fail?: (req: MockRequest) => MockReply | null } = {}) {
  return (req: MockRequest): MockReply => {
    const failed = behaviour.fail?.(req);
    if (failed) return failed;
    const start = Number(req.query.get("startTime"));
    const end = Number(req.query.get("endTime"));
    const limit = Number(req.query.get("limit"));
    const rows: KlineRow[] = [];
    let sent = 0;
    for (let t = Math.ceil(start / step) * step; t <= end && sent < limit; t += step) {
      if (behaviour.missing?.has(t)) continue;
      rows.push(kline(t, step));
      sent++;
      if (behaviour.repeat?.has(t)) rows.push(kline(t, step));
    }
    return { json: rows };
  };
}

describe("Binance klines", () => {
  it("pages a range of 2,500 one-minute bars in three requests of at most 1,000", async () => {
    mock.on("GET", "/api/v3/klines", klines(MIN));
    const progress: number[] = [];
    const res = await loadVenueBars({ venue: "binance", symbol: "btcusdt", interval: "1m", from: T0, to: T0 + 2499 * MIN }, opts({ onFetched: (p) => progress.push(p.bars) }));
    const calls = mock.calls("GET", "/api/v3/klines");
    expect(calls.map((c) => [Number(c.query.get("startTime")), Number(c.query.get("endTime")), Number(c.query.get("limit"))])).toEqual([
      [T0, T0 + 1000 * MIN - 1, 1000],
      [T0 + 1000 * MIN, T0 + 2000 * MIN - 1, 1000],
      [T0 + 2000 * MIN, T0 + 2500 * MIN - 1, 500],
    ]);
    expect(calls.every((c) => c.query.get("symbol") === "BTCUSDT" && c.query.get("interval") === "1m")).toBe(true);
    expect(res.requests).toBe(3);
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(res.bars.length).toBe(2500);
    expect(res.bars.time[0]).toBe(T0);
    expect(res.bars.time[2499]).toBe(T0 + 2499 * MIN);
    expect(res.bars.open[7]).toBe(price(T0 + 7 * MIN));
    expect(res.bars.close[7]).toBe(price(T0 + 7 * MIN) + 0.5);
    expect(res.bars.volume[7]).toBe(12.5);
    expect(res.summary).toMatchObject({
      source: "venue",
      label: "binance BTCUSDT 1m",
      interval: "1m",
      bars: 2500,
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 2499 * MIN).toISOString(),
      gaps: [],
      duplicates: 0,
    });
    expect(await listCoveredRanges({ venue: "binance", symbol: "BTCUSDT", interval: "1m" })).toEqual([{ from: T0, to: T0 + 2500 * MIN - 1 }]);
  });

  it("sends no request for a range already loaded", async () => {
    mock.on("GET", "/api/v3/klines", klines(HOUR));
    const range = { venue: "binance", symbol: "ETHUSDT", interval: "1h", from: T0, to: T0 + 1499 * HOUR } as const;
    const first = await loadVenueBars(range, opts());
    expect(first.requests).toBe(2);
    mock.requests.length = 0;
    const second = await loadVenueBars(range, opts());
    expect(mock.requests).toHaveLength(0);
    expect(second.requests).toBe(0);
    expect(second.bars.length).toBe(1500);
    expect(Array.from(second.bars.close)).toEqual(Array.from(first.bars.close));
    // A range inside the covered one needs nothing either.
    const inner = await loadVenueBars({ ...range, from: T0 + 100 * HOUR, to: T0 + 199 * HOUR }, opts());
    expect(mock.requests).toHaveLength(0);
    expect(inner.bars.length).toBe(100);
  });

  it("fetches only the new stretches of a wider range", async () => {
    mock.on("GET", "/api/v3/klines", klines(MIN));
    const base = { venue: "binance", symbol: "SOLUSDT", interval: "1m" } as const;
    await loadVenueBars({ ...base, from: T0 + 1000 * MIN, to: T0 + 1999 * MIN }, opts());
    mock.requests.length = 0;
    const wide = await loadVenueBars({ ...base, from: T0 + 500 * MIN, to: T0 + 2299 * MIN }, opts());
    expect(mock.calls("GET", "/api/v3/klines").map((c) => [Number(c.query.get("startTime")), Number(c.query.get("endTime"))])).toEqual([
      [T0 + 500 * MIN, T0 + 1000 * MIN - 1],
      [T0 + 2000 * MIN, T0 + 2300 * MIN - 1],
    ]);
    expect(wide.requests).toBe(2);
    expect(wide.fetchedBars).toBe(800);
    expect(wide.bars.length).toBe(1800);
    expect(wide.summary.gaps).toEqual([]);
    expect(await listCoveredRanges(base)).toEqual([{ from: T0 + 500 * MIN, to: T0 + 2300 * MIN - 1 }]);
  });

  it("reports a gap in the venue's answer and does not fill it, now or on the next load", async () => {
    const missing = new Set([T0 + 10 * MIN, T0 + 11 * MIN, T0 + 12 * MIN, T0 + 40 * MIN]);
    mock.on("GET", "/api/v3/klines", klines(MIN, { missing }));
    const range = { venue: "binance", symbol: "XRPUSDT", interval: "1m", from: T0, to: T0 + 59 * MIN } as const;
    const res = await loadVenueBars(range, opts());
    const gaps = [
      { from: T0 + 10 * MIN, to: T0 + 12 * MIN, bars: 3 },
      { from: T0 + 40 * MIN, to: T0 + 40 * MIN, bars: 1 },
    ];
    expect(res.bars.length).toBe(56);
    expect(res.summary.gaps).toEqual(gaps);
    expect(res.missing).toEqual({ stretches: 2, bars: 4 });
    expect(Array.from(res.bars.time)).not.toContain(T0 + 11 * MIN);
    mock.requests.length = 0;
    const again = await loadVenueBars(range, opts());
    expect(mock.requests).toHaveLength(0);
    expect(again.summary.gaps).toEqual(gaps);
  });

  it("counts open times the venue repeated and keeps each once", async () => {
    mock.on("GET", "/api/v3/klines", klines(MIN, { repeat: new Set([T0 + 3 * MIN, T0 + 7 * MIN]) }));
    const res = await loadVenueBars({ venue: "binance", symbol: "ADAUSDT", interval: "1m", from: T0, to: T0 + 9 * MIN }, opts());
    expect(res.summary.duplicates).toBe(2);
    expect(res.bars.length).toBe(10);
    expect(new Set(res.bars.time).size).toBe(10);
    expect(res.summary.gaps).toEqual([]);
  });

  it("keeps page 1 when page 2 fails with a 5xx, throws HistoryError naming the venue and range, and resumes", async () => {
    const page2 = T0 + 1000 * MIN;
    let failing = true;
    mock.on("GET", "/api/v3/klines", klines(MIN, { fail: (req) => (failing && Number(req.query.get("startTime")) === page2 ? { status: 503, json: { code: -1008, msg: "Server is currently overloaded with other requests." } } : null) }));
    const range = { venue: "binance", symbol: "DOGEUSDT", interval: "1m", from: T0, to: T0 + 2499 * MIN } as const;
    const error = await loadVenueBars(range, opts()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HistoryError);
    const h = error as HistoryError;
    expect(h).toMatchObject({ venue: "binance", symbol: "DOGEUSDT", interval: "1m", from: T0, to: T0 + 2499 * MIN, fetchedBars: 1000 });
    expect(h.message).toContain("binance");
    expect(h.message).toContain("DOGEUSDT");
    expect(h.message).toContain(`${new Date(T0).toISOString()} to ${new Date(T0 + 2499 * MIN).toISOString()}`);
    expect(h.message).toContain("Server is currently overloaded");
    expect(h.message).toContain("HTTP 503");
    expect(h.message).toContain("1000 bars fetched before the failure are kept");
    // Reads are retried (VenueHttp's policy) before the load gives up: 1 + 3 attempts at page 2.
    expect(mock.calls("GET", "/api/v3/klines").filter((c) => Number(c.query.get("startTime")) === page2)).toHaveLength(4);
    const series = { venue: "binance", symbol: "DOGEUSDT", interval: "1m" };
    expect(await countCandles(series, T0, T0 + 2499 * MIN)).toBe(1000);
    expect(await listCoveredRanges(series)).toEqual([{ from: T0, to: T0 + 1000 * MIN - 1 }]);

    failing = false;
    mock.requests.length = 0;
    const resumed = await loadVenueBars(range, opts());
    expect(mock.calls("GET", "/api/v3/klines").map((c) => Number(c.query.get("startTime")))).toEqual([page2, T0 + 2000 * MIN]);
    expect(resumed.bars.length).toBe(2500);
  });

  it("stops at an abort with the signal's reason, keeping the pages stored so far", async () => {
    mock.on("GET", "/api/v3/klines", klines(MIN));
    const controller = new AbortController();
    const error = await loadVenueBars({ venue: "binance", symbol: "TRXUSDT", interval: "1m", from: T0, to: T0 + 2999 * MIN }, opts({ signal: controller.signal, onFetched: () => controller.abort() })).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(HistoryError);
    expect((error as Error).name).toBe("AbortError");
    expect(mock.calls("GET", "/api/v3/klines")).toHaveLength(1);
    expect(await countCandles({ venue: "binance", symbol: "TRXUSDT", interval: "1m" }, T0, T0 + 2999 * MIN)).toBe(1000);
  });

  it("reads USDⓈ-M perpetual klines from /fapi/v1/klines in pages of 1,500", async () => {
    mock.on("GET", "/fapi/v1/klines", klines(5 * MIN));
    const res = await loadVenueBars({ venue: "binance", symbol: "BTCUSDT-PERP", interval: "5m", from: T0, to: T0 + 1999 * 5 * MIN }, opts());
    const calls = mock.calls("GET", "/fapi/v1/klines");
    expect(calls.map((c) => [c.query.get("symbol"), Number(c.query.get("limit"))])).toEqual([
      ["BTCUSDT", 1500],
      ["BTCUSDT", 500],
    ]);
    expect(mock.calls("GET", "/api/v3/klines")).toHaveLength(0);
    expect(res.bars.length).toBe(2000);
    expect(res.summary.label).toBe("binance BTCUSDT-PERP 5m");
  });

  it("leaves out bars that are still open and does not cover them", async () => {
    mock.on("GET", "/api/v3/klines", klines(HOUR));
    const now = T0 + 10 * HOUR + 30 * MIN;
    const series = { venue: "binance", symbol: "BNBUSDT", interval: "1h" };
    const res = await loadVenueBars({ ...series, venue: "binance", interval: "1h", from: T0, to: T0 + 20 * HOUR }, opts({ now: () => now }));
    // The 10:00 bar is still open at 10:30: the last bar is 09:00.
    expect(res.bars.length).toBe(10);
    expect(res.bars.time[9]).toBe(T0 + 9 * HOUR);
    expect(res.summary.gaps).toEqual([]);
    expect(await listCoveredRanges(series)).toEqual([{ from: T0, to: T0 + 10 * HOUR - 1 }]);
  });
});

describe("gaps", () => {
  it("lists at most 100 stretches and counts them all", () => {
    const time: number[] = [];
    for (let i = 0; i < 300; i += 2) time.push(T0 + i * MIN); // every other minute
    const g = findGaps(time, T0, T0 + 299 * MIN, MIN);
    expect(g.stretches).toBe(150);
    expect(g.bars).toBe(150);
    expect(g.gaps).toHaveLength(MAX_LISTED_GAPS);
    expect(g.gaps[0]).toEqual({ from: T0 + MIN, to: T0 + MIN, bars: 1 });
  });

  it("reports leading and trailing stretches, and an empty answer as one gap", () => {
    expect(findGaps([T0 + 5 * MIN, T0 + 6 * MIN], T0, T0 + 9 * MIN, MIN).gaps).toEqual([
      { from: T0, to: T0 + 4 * MIN, bars: 5 },
      { from: T0 + 7 * MIN, to: T0 + 9 * MIN, bars: 3 },
    ]);
    expect(findGaps([], T0 + 30_000, T0 + 3 * MIN, MIN).gaps).toEqual([{ from: T0 + MIN, to: T0 + 3 * MIN, bars: 3 }]);
  });
});

describe("Binance funding", () => {
  const H8 = 8 * HOUR;
  /** fundingRate as documented: records from startTime (inclusive) up to endTime, the first `limit`, ascending; times carry Binance's few ms of lag. */
  const funding = (req: MockRequest): MockReply => {
    const start = Number(req.query.get("startTime"));
    const end = Number(req.query.get("endTime"));
    const limit = Number(req.query.get("limit"));
    const rows: { symbol: string; fundingTime: number; fundingRate: string; markPrice: string }[] = [];
    for (let t = Math.ceil((start - 3) / H8) * H8 + 3; t <= end && rows.length < limit; t += H8) {
      if (t < start) continue;
      rows.push({ symbol: req.query.get("symbol") ?? "", fundingTime: t, fundingRate: ((t / H8) % 7 === 0 ? "-0.00010000" : "0.00010000"), markPrice: "42000.5" });
    }
    return { json: rows };
  };

  it("pages funding history 1,000 records at a time and reads it from the store afterwards", async () => {
    mock.on("GET", "/fapi/v1/fundingRate", funding);
    const to = T0 + 2300 * H8;
    const rates = await loadFunding("binance", "ETHUSDT-PERP", T0, to, opts());
    const calls = mock.calls("GET", "/fapi/v1/fundingRate");
    expect(calls.map((c) => [c.query.get("symbol"), Number(c.query.get("startTime")), c.query.get("limit")])).toEqual([
      ["ETHUSDT", T0, "1000"],
      ["ETHUSDT", T0 + 999 * H8 + 3 + 1, "1000"],
      ["ETHUSDT", T0 + 1999 * H8 + 3 + 1, "1000"],
    ]);
    expect(rates).toHaveLength(2300);
    expect(rates[0]).toEqual({ time: T0 + 3, rate: (T0 + 3) / H8 % 7 === 0 ? -0.0001 : 0.0001 });
    expect(rates.every((r, i) => i === 0 || r.time - rates[i - 1]!.time === H8)).toBe(true);
    expect(await listFundingRates("binance", "ETHUSDT-PERP", T0, to)).toHaveLength(2300);
    mock.requests.length = 0;
    expect(await loadFunding("binance", "ETHUSDT-PERP", T0 + 100 * H8, T0 + 199 * H8 + 3, opts())).toHaveLength(100);
    expect(mock.requests).toHaveLength(0);
  });

  it("has no funding for spot markets or the other venues", async () => {
    expect(await loadFunding("binance", "BTCUSDT", T0, T0 + H8, opts())).toEqual([]);
    expect(await loadFunding("kalshi", "KXELONMARS-99", T0, T0 + H8, opts())).toEqual([]);
    expect(await loadFunding("polymarket", "123", T0, T0 + H8, opts())).toEqual([]);
    expect(mock.requests).toHaveLength(0);
  });

  it("keeps what was fetched when a funding page fails", async () => {
    mock.on("GET", "/fapi/v1/fundingRate", (req) => (Number(req.query.get("startTime")) > T0 ? { status: 500, json: { code: -1000, msg: "An unknown error occurred while processing the request." } } : funding(req)));
    const error = await loadFunding("binance", "SOLUSDT-PERP", T0, T0 + 1500 * H8, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).message).toMatch(/^binance: could not fetch SOLUSDT-PERP funding history for 2024-01-01T00:00:00.000Z to /);
    expect((error as HistoryError).fetchedBars).toBe(1000);
    expect(await listFundingRates("binance", "SOLUSDT-PERP", T0, T0 + 1500 * H8)).toHaveLength(1000);
  });
});

describe("Kalshi candlesticks", () => {
  const TICKER = "KXELONMARS-99";
  const candles = `${PREFIX}/series/KXELONMARS/markets/${TICKER}/candlesticks`;
  beforeEach(() => {
    mock.on("GET", `${PREFIX}/markets/${TICKER}`, { json: { market: { ticker: TICKER, event_ticker: "KXELONMARS", status: "open" } } });
    mock.on("GET", `${PREFIX}/events/KXELONMARS`, { json: { event: { event_ticker: "KXELONMARS", series_ticker: "KXELONMARS" } } });
  });
  /** MarketCandlestick objects for every period whose end_period_ts is in [start_ts, end_ts], except `missing` opens. */
  const sticks = (missing: Set<number> = new Set()) => (req: MockRequest): MockReply => {
    const period = Number(req.query.get("period_interval")) * 60;
    const start = Number(req.query.get("start_ts"));
    const end = Number(req.query.get("end_ts"));
    const out = [];
    for (let e = Math.ceil(start / period) * period; e <= end; e += period) {
      if (missing.has((e - period) * 1000)) continue;
      const p = (0.3 + ((e / period) % 10) / 100).toFixed(4);
      out.push({ end_period_ts: e, price: { open_dollars: p, high_dollars: p, low_dollars: p, close_dollars: p, previous_dollars: p }, volume_fp: "2.00", open_interest_fp: "100.00", yes_bid: {}, yes_ask: {} });
    }
    return { json: { ticker: TICKER, candlesticks: out } };
  };

  it("pages 5-minute candles built from 1-minute candlesticks, at most 5,000 per request", async () => {
    mock.on("GET", candles, sticks(new Set([T0 + 1200 * 5 * MIN])));
    const to = T0 + 1499 * 5 * MIN;
    const res = await loadVenueBars({ venue: "kalshi", symbol: "kxelonmars-99", interval: "5m", from: T0, to }, opts());
    const calls = mock.calls("GET", candles);
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.query.get("period_interval")).toBe("1");
      const span = Number(c.query.get("end_ts")) - Number(c.query.get("start_ts"));
      expect(span / 60 + 1).toBeLessThanOrEqual(5000);
    }
    expect(Number(calls[0]!.query.get("start_ts"))).toBe(T0 / 1000 + 60);
    expect(Number(calls[1]!.query.get("start_ts"))).toBe((T0 + 5000 * MIN) / 1000 + 60);
    expect(Number(calls[1]!.query.get("end_ts"))).toBe((to + 5 * MIN) / 1000);
    expect(res.requests).toBe(2);
    expect(res.bars.length).toBe(1500);
    expect(res.bars.volume[0]).toBe(10);
    expect(res.summary.gaps).toEqual([]);
    expect(res.summary.label).toBe(`kalshi ${TICKER} 5m`);
    mock.requests.length = 0;
    await loadVenueBars({ venue: "kalshi", symbol: TICKER, interval: "5m", from: T0, to }, opts());
    expect(mock.requests).toHaveLength(0);
  });

  it("reports hours Kalshi gave no candle for as a gap", async () => {
    const missing = new Set([T0 + 5 * HOUR, T0 + 6 * HOUR]);
    mock.on("GET", candles, sticks(missing));
    const res = await loadVenueBars({ venue: "kalshi", symbol: TICKER, interval: "1h", from: T0, to: T0 + 23 * HOUR }, opts());
    expect(mock.calls("GET", candles)[0]!.query.get("period_interval")).toBe("60");
    expect(res.bars.length).toBe(22);
    expect(res.summary.gaps).toEqual([{ from: T0 + 5 * HOUR, to: T0 + 6 * HOUR, bars: 2 }]);
  });

  it("names Kalshi and the range when the venue cannot be reached", async () => {
    mock.on("GET", candles, { status: 502, json: { error: { code: "bad_gateway", message: "upstream unavailable" } } });
    const error = await loadVenueBars({ venue: "kalshi", symbol: TICKER, interval: "1d", from: T0, to: T0 + 9 * 24 * HOUR }, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).message).toMatch(/^kalshi: could not fetch KXELONMARS-99 1d candle history for 2024-01-01T00:00:00.000Z to 2024-01-10T00:00:00.000Z: upstream unavailable/);
    expect((error as HistoryError).fetchedBars).toBe(0);
  });
});

describe("Polymarket prices-history", () => {
  const TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
  it("builds hourly candles from 14-day windows of price points and reports hours without a point", async () => {
    mock.on("GET", "/prices-history", (req) => {
      const start = Number(req.query.get("startTs"));
      const end = Number(req.query.get("endTs"));
      const history = [];
      // Points every 15 minutes, except the whole of day 3.
      for (let t = Math.ceil(start / 900) * 900; t <= end; t += 900) {
        const day = Math.floor((t * 1000 - T0) / (24 * HOUR));
        if (day === 3) continue;
        history.push({ t, p: 0.5 + ((t / 900) % 4) / 100 });
      }
      return { json: { history } };
    });
    const to = T0 + 20 * 24 * HOUR - HOUR;
    const res = await loadVenueBars({ venue: "polymarket", symbol: TOKEN, interval: "1h", from: T0, to }, opts());
    const calls = mock.calls("GET", "/prices-history");
    expect(calls.map((c) => [Number(c.query.get("startTs")), Number(c.query.get("endTs"))])).toEqual([
      [T0 / 1000, T0 / 1000 + 14 * 86_400],
      [T0 / 1000 + 14 * 86_400, T0 / 1000 + 20 * 86_400],
    ]);
    expect(calls.every((c) => c.query.get("market") === TOKEN && c.query.get("fidelity") === "5")).toBe(true);
    expect(res.bars.length).toBe(19 * 24);
    // Each hour: points at :00 :15 :30 :45 priced 0.50, 0.51, 0.52, 0.53.
    expect([res.bars.open[0], res.bars.high[0], res.bars.low[0], res.bars.close[0], res.bars.volume[0]]).toEqual([0.5, 0.53, 0.5, 0.53, 0]);
    expect(res.summary.gaps).toEqual([{ from: T0 + 3 * 24 * HOUR, to: T0 + 4 * 24 * HOUR - HOUR, bars: 24 }]);
    mock.requests.length = 0;
    await loadVenueBars({ venue: "polymarket", symbol: TOKEN, interval: "1h", from: T0, to }, opts());
    expect(mock.requests).toHaveLength(0);
  });
});

describe("requests", () => {
  it("refuses an interval it does not know and a range that ends before it starts", async () => {
    await expect(loadVenueBars({ venue: "binance", symbol: "BTCUSDT", interval: "2h" as "1h", from: T0, to: T0 + HOUR }, opts())).rejects.toThrow('unsupported candle interval "2h"');
    await expect(loadVenueBars({ venue: "binance", symbol: "BTCUSDT", interval: "1h", from: T0 + HOUR, to: T0 }, opts())).rejects.toThrow("starts after it ends");
    await expect(loadVenueBars({ venue: "binance", symbol: "BTC USDT", interval: "1h", from: T0, to: T0 + HOUR }, opts())).rejects.toThrow(/^history: binance: "BTC USDT" is not a Binance symbol/);
    expect(mock.requests).toHaveLength(0);
  });

  it("accepts ISO times", async () => {
    mock.on("GET", "/api/v3/klines", klines(24 * HOUR));
    const res = await loadVenueBars({ venue: "binance", symbol: "LTCUSDT", interval: "1d", from: "2024-01-01T00:00:00Z", to: "2024-01-31T00:00:00Z" }, opts());
    expect(res.bars.length).toBe(31);
    expect(res.summary.to).toBe("2024-01-31T00:00:00.000Z");
  });
});
