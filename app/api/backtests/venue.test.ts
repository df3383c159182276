import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest } from "@/test/http";
import { MockVenue, type MockRequest, type MockReply } from "@/test/mock-venue";
import type { BacktestRecord } from "@/lib/backtest/types";
import * as backtests from "./route";

/** A backtest on venue history through the API: the candle store is filled from the (mock) venue once. */

const mock = new MockVenue();
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const BARS = 600;
const MISSING = T0 + 300 * HOUR;

const template = JSON.parse(readFileSync(path.join(__dirname, "../../../lib/templates/ema-cross.json"), "utf8")) as { workflow: unknown };

/** Hourly klines as Binance documents them, on a slow sine, with one hour missing (a venue gap). */
function klines(req: MockRequest): MockReply {
  const start = Number(req.query.get("startTime"));
  const end = Number(req.query.get("endTime"));
  const limit = Number(req.query.get("limit"));
  const rows: unknown[] = [];
  for (let t = Math.ceil(start / HOUR) * HOUR; t <= end && rows.length < limit; t += HOUR) {
    if (t === MISSING || t >= T0 + BARS * HOUR) continue;
    const p = 40_000 + 2_000 * Math.sin((t - T0) / (30 * HOUR));
    rows.push([t, String(p), String(p + 50), String(p - 50), String(p + 10), "3.5", t + HOUR - 1, "1", 1, "1", "1", "0"]);
  }
  return { json: rows };
}

beforeAll(async () => {
  useThrowawayDatabase();
  const url = await mock.start();
  process.env.BINANCE_BASE_URL = url;
  process.env.BINANCE_FUTURES_BASE_URL = url;
  mock.on("GET", "/api/v3/klines", klines);
});
afterAll(async () => {
  delete process.env.BINANCE_BASE_URL;
  delete process.env.BINANCE_FUTURES_BASE_URL;
  await mock.close();
});

const body = { workflow: template.workflow, data: { venue: "binance", symbol: "BTCUSDT", interval: "1h", from: new Date(T0).toISOString(), to: new Date(T0 + (BARS - 1) * HOUR).toISOString() } };
const post = () => backtests.POST(jsonRequest("POST", "/api/backtests", body), undefined);

describe("POST /api/backtests on venue history", () => {
  it("fetches the range once, reports the venue's gap, and a second backtest sends no request", async () => {
    const first = await post();
    expect(first.status).toBe(201);
    const a = (await first.json()) as BacktestRecord;
    expect(a.data[0]).toMatchObject({ source: "venue", bars: BARS - 1, interval: "1h", gaps: [{ from: MISSING, to: MISSING, bars: 1 }] });
    expect(a.notes.join("\n")).toMatch(/1 missing bar in 1 gap \(not filled\)/);
    expect(a.trades.length).toBeGreaterThan(0);
    const requests = mock.calls("GET", "/api/v3/klines").length;
    expect(requests).toBe(1);

    const b = (await (await post()).json()) as BacktestRecord;
    expect(mock.calls("GET", "/api/v3/klines").length).toBe(requests);
    expect(b.trades).toEqual(a.trades);
    expect(b.stats).toEqual(a.stats);
  });

  it("answers a venue that cannot be reached with a 502 naming the venue and the range", async () => {
    mock.on("GET", "/api/v3/klines", () => ({ status: 503, json: { code: -1, msg: "down for maintenance" } }));
    const res = await backtests.POST(jsonRequest("POST", "/api/backtests", { ...body, data: { ...body.data, symbol: "ETHUSDT" } }), undefined);
    expect(res.status).toBe(502);
    const json = (await res.json()) as { error: string; details: { venue: string } };
    expect(json.error).toMatch(/^binance: could not fetch ETHUSDT 1h candle history for 2025-01-01T00:00:00.000Z to /);
    expect(json.details.venue).toBe("binance");
  });
});
