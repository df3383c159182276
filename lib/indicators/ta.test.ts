import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { bollinger, ema, macd, rsi, sma, stable, type Series } from "./ta";

/**
 * Two independent references: TA-Lib's own regression tables (values its test suite asserts, rounded, so
 * compared within the 0.01 that suite uses), and TA-Lib compiled to WebAssembly (talib-web) over whole
 * real candle series, compared within 1e-6 on every value after the warm-up.
 */
const fixtures = path.resolve(__dirname, "../../test/fixtures");
const read = (f: string) => JSON.parse(readFileSync(path.join(fixtures, f), "utf8"));
const series = read("talib/series.json") as { close: number[] };
const expected = read("talib/expected.json") as {
  values: { function: string; params: Record<string, number | string>; compatibility: string; unstablePeriod: number; output: string; barIndex: number; expected: number }[];
};

type TalibFn = (args: Record<string, unknown>) => Record<string, number[]>;
type Talib = Record<string, TalibFn> & { init(path: string): Promise<void> };
let raw: Talib;
/** talib-web returns views into WebAssembly memory that the next call overwrites: copy them at once. */
const talib = new Proxy({} as Record<"SMA" | "EMA" | "RSI" | "MACD" | "BBANDS" | "VAR", TalibFn>, {
  get: (_t, name: string) => (args: Record<string, unknown>) => {
    const out = raw[name]!(args);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)]));
  },
});
beforeAll(async () => {
  const require = createRequire(import.meta.url);
  raw = require("talib-web") as Talib;
  // talib-web fetches its .wasm when fetch exists; under Node it must read the file instead.
  const fetch = globalThis.fetch;
  (globalThis as { fetch?: unknown }).fetch = undefined;
  try {
    await raw.init(require.resolve("talib-web/lib/talib.wasm"));
  } finally {
    globalThis.fetch = fetch;
  }
});

function ours(fn: string, p: Record<string, number | string>, values: number[]): Record<string, Series> | null {
  switch (fn) {
    case "SMA":
      return { real: sma(values, p.timePeriod as number) };
    case "EMA":
      return { real: ema(values, p.timePeriod as number) };
    case "RSI":
      return { real: rsi(values, p.timePeriod as number) };
    case "MACD": {
      const m = macd(values, p.fastPeriod as number, p.slowPeriod as number, p.signalPeriod as number);
      return { macd: m.macd, signal: m.signal, hist: m.histogram };
    }
    case "BBANDS": {
      if (p.maType !== "SMA" || p.nbDevUp !== p.nbDevDn) return null; // our bands: SMA middle, symmetric
      const b = bollinger(values, p.timePeriod as number, p.nbDevUp as number);
      return { upper: b.upper, middle: b.middle, lower: b.lower };
    }
    default:
      return null;
  }
}

describe("indicators against TA-Lib's regression tables (within 0.01)", () => {
  const rows = expected.values.filter((v) => v.compatibility === "DEFAULT" && v.unstablePeriod === 0 && ours(v.function, v.params, [1, 2, 3]) !== null);

  it("covers SMA, EMA, RSI, MACD and Bollinger bands", () => {
    expect(new Set(rows.map((r) => r.function))).toEqual(new Set(["SMA", "EMA", "RSI", "MACD", "BBANDS"]));
    expect(rows.length).toBeGreaterThan(30);
  });

  it.each(rows.map((r) => [`${r.function} ${JSON.stringify(r.params)} ${r.output}[bar ${r.barIndex}] = ${r.expected}`, r] as const))("%s", (_name, r) => {
    const got = ours(r.function, r.params, series.close)![r.output]![r.barIndex];
    expect(got).not.toBeNull();
    expect(Math.abs((got as number) - r.expected)).toBeLessThanOrEqual(0.01);
  });
});

const realSeries: [string, number[]][] = [
  ["TA-Lib reference series (252 daily bars)", series.close],
  ["BTC/USDT 1m, 2021-01-03 (1,440 bars)", (read("candles/btcusdt-1m-1440.json") as { close: string }[]).map((c) => Number(c.close))],
  ["LTC/USDT 1h, 2019-08-17/19 (48 bars)", (read("candles/ltcusdt-1h-48.json") as { close: string }[]).map((c) => Number(c.close))],
  ["DOGE/USDT 4h, October 2023 (186 bars)", (read("candles/dogeusdt-4h.json") as { close: number }[]).map((c) => Number(c.close))],
];

/**
 * Compares our series (null during the warm-up, full length) with talib-web's output, which holds the
 * values from TA-Lib's first output bar (input length minus its lookback) at the start of the array.
 */
function expectSameTail(name: string, mine: Series, theirs: number[], lookback: number, tolerance = 1e-6) {
  const m = stable(mine);
  expect(m.length, `${name}: values after the warm-up`).toBe(mine.length - lookback);
  let worst = 0;
  for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(m[i]! - theirs[i]!));
  expect(worst, `${name}: largest difference`).toBeLessThanOrEqual(tolerance);
}

describe.each(realSeries)("indicators against TA-Lib (WebAssembly) on %s, every value within 1e-6", (_label, closes) => {
  it("SMA(20)", () => expectSameTail("SMA", sma(closes, 20), talib.SMA({ inReal: closes, timePeriod: 20 }).output!, 19));
  it("EMA(20), seeded with the SMA of the first 20", () => expectSameTail("EMA", ema(closes, 20), talib.EMA({ inReal: closes, timePeriod: 20 }).output!, 19));
  it("RSI(14), Wilder smoothing", () => expectSameTail("RSI", rsi(closes, 14), talib.RSI({ inReal: closes, timePeriod: 14 }).output!, 14));
  it("MACD(12, 26, 9)", () => {
    const m = macd(closes, 12, 26, 9);
    const t = talib.MACD({ inReal: closes, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 });
    expectSameTail("MACD line", m.macd, t.MACD!, 33);
    expectSameTail("MACD signal", m.signal, t.MACDSignal!, 33);
    expectSameTail("MACD histogram", m.histogram, t.MACDHist!, 33);
  });
  it("Bollinger bands(20, 2), population deviation", () => {
    const b = bollinger(closes, 20, 2);
    // talib-web 0.1.3's BBANDS fills in only its first 19 band values (the rest read 0) and its STDDEV
    // returns the variance after the first 19, so the reference is built as TA-Lib's BBANDS itself is:
    // SMA middle and the square root of TA-Lib's population VAR, both from the WebAssembly build. Where
    // its BBANDS is filled in, it is checked directly too.
    const middle = talib.SMA({ inReal: closes, timePeriod: 20 }).output!;
    const deviation = talib.VAR({ inReal: closes, timePeriod: 20, nbDev: 1 }).output!.map(Math.sqrt);
    expectSameTail("upper", b.upper, middle.map((m, i) => m + 2 * deviation[i]!), 19);
    expectSameTail("middle", b.middle, middle, 19);
    expectSameTail("lower", b.lower, middle.map((m, i) => m - 2 * deviation[i]!), 19);
    const direct = talib.BBANDS({ inReal: closes, timePeriod: 20, nbDevUp: 2, nbDevDn: 2, MAType: 0 }).upperBand!;
    const upper = stable(b.upper);
    for (let i = 0; i < 19; i++) expect(Math.abs(upper[i]! - direct[i]!)).toBeLessThanOrEqual(1e-6);
  });
});

describe("input checks", () => {
  it("refuses a period below 1 or not whole", () => {
    expect(() => sma([1, 2], 0)).toThrow("period must be a whole number of at least 1, got 0");
    expect(() => ema([1, 2], 1.5)).toThrow("period must be a whole number");
  });
  it("gives only nulls when the series is shorter than the warm-up", () => {
    expect(ema([1, 2], 5)).toEqual([null, null]);
  });
});

describe("sma", () => {
  it("gives exactly trading-signals' SMA, bit for bit", async () => {
    const { SMA } = await import("trading-signals");
    let seed = 7;
    const values = Array.from({ length: 2_000 }, () => {
      seed = (seed * 16807) % 2147483647;
      return 30_000 + (seed / 2147483647) * 1_000;
    });
    for (const period of [1, 2, 3, 10, 30, 200]) {
      const ref = new SMA(period);
      const theirs = values.map((v) => ref.update(v, false) ?? null);
      expect(sma(values, period)).toEqual(theirs);
    }
  });
});
