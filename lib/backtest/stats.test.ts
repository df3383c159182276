import { describe, expect, it } from "vitest";
import { computeStats, drawdownCurve, monthlyReturns } from "./stats";
import { STAT_NAMES, type Stats, type StatsInput, type Trade } from "./types";

/**
 * Every expected value below is worked out by hand from the definitions in
 * /work/shared/guide/backtest-statistics.md; the comment next to each shows the arithmetic.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** 2024-01-01, a Monday. */
const MON = Date.UTC(2024, 0, 1);

const f64 = (xs: number[]) => Float64Array.from(xs);
/** `count` times `step` apart from `start`. */
const times = (start: number, step: number, count: number) => f64(Array.from({ length: count }, (_, i) => start + i * step));
/** 100 × 1.01^i: a constant 1% return per bar. */
const growth = (count: number) => f64(Array.from({ length: count }, (_, i) => 100 * 1.01 ** i));

function input(time: Float64Array, equity: Float64Array, over: Partial<StatsInput> = {}): StatsInput {
  return { time, equity, close: over.close ?? equity, trades: [], warmup: 0, commissions: 0, ...over };
}

function trade(time: Float64Array, entry_bar: number, exit_bar: number, pnl: number, return_pct: number): Trade {
  return {
    size: 1,
    entry_bar,
    exit_bar,
    entry_price: 100,
    exit_price: 100 * (1 + return_pct),
    entry_time: time[entry_bar]!,
    exit_time: time[exit_bar]!,
    pnl,
    return_pct,
    commission: 0,
    market: "dataset:TEST",
  };
}

function num(s: Stats, name: keyof Stats): number {
  const v = s[name];
  if (typeof v !== "number") throw new Error(`${name} is ${String(v)}, not a number`);
  return v;
}

describe("computeStats: returns and risk on a tiny daily series", () => {
  // Mon 2024-01-01 .. Fri 01-05, no weekend bar: 252 periods a year.
  // Equity 100, 101, 99.99, 99.99, 100.9899: daily returns r = +1%, −1%, 0, +1%.
  const time = times(MON, DAY, 5);
  const s = computeStats(input(time, f64([100, 101, 99.99, 99.99, 100.9899])));

  it("Start, End, Duration, final and peak equity, Return", () => {
    expect(s.Start).toBe("2024-01-01T00:00:00.000Z");
    expect(s.End).toBe("2024-01-05T00:00:00.000Z");
    expect(s.Duration).toBe(4);
    expect(num(s, "Equity Final [$]")).toBeCloseTo(100.9899, 10);
    expect(s["Equity Peak [$]"]).toBe(101);
    // (100.9899 − 100) / 100 × 100
    expect(num(s, "Return [%]")).toBeCloseTo(0.9899, 10);
  });

  it("Return (Ann.), Volatility (Ann.), Sharpe, Sortino", () => {
    // gmean g = (1.01 × 0.99 × 1 × 1.01)^(1/4) − 1 = 1.009899^(1/4) − 1 = 0.002465616107...
    // Return (Ann.) = (1 + g)^252 − 1 = 1.009899^63 − 1 = 0.859988916...
    expect(num(s, "Return (Ann.) [%]")).toBeCloseTo(85.9988916299554, 7);
    // mean r = 0.0025; squared deviations 0.0075², 0.0125², 0.0025², 0.0075² sum to 2.75e-4; var = 2.75e-4 / 3
    // Volatility = sqrt((var + (1+g)²)^252 − (1+g)^504) = 0.28362032621...
    expect(num(s, "Volatility (Ann.) [%]")).toBeCloseTo(28.362032621089757, 7);
    // 85.9988916 / 28.3620326
    expect(num(s, "Sharpe Ratio")).toBeCloseTo(3.0321836512523923, 8);
    // downside deviation sqrt(mean(min(r,0)²)) = sqrt(0.0001 / 4) = 0.005; Sortino = 0.859988916 / (0.005 × sqrt(252))
    expect(num(s, "Sortino Ratio")).toBeCloseTo(10.834841918097911, 8);
  });

  it("CAGR, drawdown and Calmar", () => {
    // years = 4 / 365.25; CAGR = 1.009899^(365.25 / 4) − 1 = 1.4582700711...
    expect(num(s, "CAGR [%]")).toBeCloseTo(145.82700711003844, 7);
    // running max 100, 101, 101, 101, 101; dd = 0, 0, 0.01, 0.01, 0.0001: one period, bars 1..4 (3 days)
    expect(num(s, "Max. Drawdown [%]")).toBeCloseTo(-1, 10);
    expect(num(s, "Avg. Drawdown [%]")).toBeCloseTo(-1, 10);
    expect(s["Max. Drawdown Duration"]).toBe(3);
    expect(s["Avg. Drawdown Duration"]).toBe(3);
    // Return (Ann.) / max dd = 0.859988916 / 0.01
    expect(num(s, "Calmar Ratio")).toBeCloseTo(85.9988916299554, 6);
  });

  it("has every statistic, in STAT_NAMES order", () => {
    expect(Object.keys(s)).toEqual([...STAT_NAMES]);
  });
});

describe("computeStats: annualisation", () => {
  it("252 periods when weekend bars are at most 0.6 × 2/7 of the bars", () => {
    // Mon..Sat: 1 weekend bar in 6 = 0.1667 <= 0.1714; every daily return 1%: (1.01)^252 − 1
    const s = computeStats(input(times(MON, DAY, 6), growth(6)));
    expect(num(s, "Return (Ann.) [%]")).toBeCloseTo(1127.4002099240245, 6);
  });

  it("365 periods when weekend bars are more than 0.6 × 2/7 of the bars", () => {
    // Tue..Sat: 1 weekend bar in 5 = 0.2 > 0.1714: (1.01)^365 − 1
    const s = computeStats(input(times(MON + DAY, DAY, 5), growth(5)));
    expect(num(s, "Return (Ann.) [%]")).toBeCloseTo(3678.343433288728, 6);
  });

  it("weekly bars: 52 periods; durations still rounded to whole days", () => {
    // Mondays from 2024-01-01, 1% a week: (1.01)^52 − 1
    const time = times(MON, 7 * DAY, 6);
    const trades = [trade(time, 0, 1, 1, 0.01), trade(time, 1, 3, 2, 0.02)];
    const s = computeStats(input(time, growth(6), { trades }));
    expect(num(s, "Return (Ann.) [%]")).toBeCloseTo(67.76889214629446, 8);
    // trades last 7 and 14 days: mean 10.5 days rounded up to 11 (not to a whole week)
    expect(s["Max. Trade Duration"]).toBe(14);
    expect(s["Avg. Trade Duration"]).toBe(11);
  });

  it("monthly bars: 12 periods", () => {
    // 1st of Jan..Jul 2024 (spacings 31, 29, 31, 30, 31, 30 days: most common 31), 1% a month: (1.01)^12 − 1
    const time = f64([0, 1, 2, 3, 4, 5, 6].map((m) => Date.UTC(2024, m, 1)));
    const s = computeStats(input(time, growth(7)));
    expect(num(s, "Return (Ann.) [%]")).toBeCloseTo(12.682503013196978, 8);
  });
});

describe("computeStats: intraday data", () => {
  // Mon 22:00, 23:00, Tue 00:00, 01:00, 02:00, 03:30 (1h resolution; the last step is 1.5h).
  const time = f64([-2, -1, 0, 1, 2, 3.5].map((h) => MON + DAY + h * HOUR));
  // Equity 99, 100 | 95, 97, 99, 101: last of Monday 100, last of Tuesday 101: one daily return, +1%.
  const equity = f64([99, 100, 95, 97, 99, 101]);
  // 23:00 -> 03:30 (4.5h) and 22:00 -> 23:00 (1h), in exit order.
  const trades = [trade(time, 0, 1, 1, 0.01), trade(time, 1, 5, 1, 0.01)];
  const s = computeStats(input(time, equity, { trades }));

  it("resamples to UTC days: one period return", () => {
    // (1.01)^252 − 1; no weekend bars
    expect(num(s, "Return (Ann.) [%]")).toBeCloseTo(1127.4002099240245, 6);
    // fewer than 2 period returns: no sample variance
    expect(s["Volatility (Ann.) [%]"]).toBeNull();
    expect(s["Sharpe Ratio"]).toBeNull();
    // no negative period return: downside deviation 0 (backtesting.py: +Infinity)
    expect(s["Sortino Ratio"]).toBeNull();
  });

  it("rounds every duration up to whole hours", () => {
    // 22:00 -> 03:30 = 5.5h -> 6h = 0.25 days
    expect(num(s, "Duration")).toBeCloseTo(6 / 24, 12);
    // dd 0, 0, 0.05, 0.03, 0.01, 0: one period 23:00 -> 03:30 = 4.5h -> 5h
    expect(num(s, "Max. Drawdown [%]")).toBeCloseTo(-5, 10);
    expect(num(s, "Max. Drawdown Duration")).toBeCloseTo(5 / 24, 12);
    expect(num(s, "Avg. Drawdown Duration")).toBeCloseTo(5 / 24, 12);
    // trades 1h and 4.5h: max 4.5h -> 5h; mean 2.75h -> 3h
    expect(num(s, "Max. Trade Duration")).toBeCloseTo(5 / 24, 12);
    expect(num(s, "Avg. Trade Duration")).toBeCloseTo(3 / 24, 12);
    // bars 0..1 and 1..5: all 6
    expect(s["Exposure Time [%]"]).toBe(100);
  });
});

describe("computeStats: drawdown periods", () => {
  it("max, mean peak and durations of the periods", () => {
    // equity      100, 90,  95,   100, 100, 80,  120, 110,   105
    // running max 100, 100, 100,  100, 100, 100, 120, 120,   120
    // dd          0,   0.1, 0.05, 0,   0,   0.2, 0,   1/12,  0.125
    // zero bars 0, 3, 4, 6 and the last bar 8 -> periods 0..3 (3 days, peak 0.1), 3..4 (one step: not a period),
    // 4..6 (2 days, peak 0.2), 6..8 (2 days, peak 0.125)
    const s = computeStats(input(times(MON, DAY, 9), f64([100, 90, 95, 100, 100, 80, 120, 110, 105])));
    expect(num(s, "Max. Drawdown [%]")).toBeCloseTo(-20, 10);
    // −(0.1 + 0.2 + 0.125) / 3 × 100
    expect(num(s, "Avg. Drawdown [%]")).toBeCloseTo(-14.16666666666667, 10);
    expect(s["Max. Drawdown Duration"]).toBe(3);
    // (3 + 2 + 2) / 3 = 2.33 days, rounded up to 3
    expect(s["Avg. Drawdown Duration"]).toBe(3);
  });

  it("a dip on the last bar alone spans one step and is not a period", () => {
    // equity 100, 90, 100, 120, 114; dd 0, 0.1, 0, 0, 0.05: period 0..2 (2 days, peak 0.1); 3..4 is one step
    const s = computeStats(input(times(MON, DAY, 5), f64([100, 90, 100, 120, 114])));
    expect(num(s, "Max. Drawdown [%]")).toBeCloseTo(-10, 10);
    expect(num(s, "Avg. Drawdown [%]")).toBeCloseTo(-10, 10);
    expect(s["Max. Drawdown Duration"]).toBe(2);
    expect(s["Avg. Drawdown Duration"]).toBe(2);
  });

  it("no period: max drawdown only", () => {
    // equity 100, 110, 105: dd on the last bar only, 1 − 105/110
    const s = computeStats(input(times(MON, DAY, 3), f64([100, 110, 105])));
    expect(num(s, "Max. Drawdown [%]")).toBeCloseTo(-4.545454545454541, 10);
    expect(s["Avg. Drawdown [%]"]).toBeNull();
    expect(s["Max. Drawdown Duration"]).toBeNull();
    expect(s["Avg. Drawdown Duration"]).toBeNull();
  });
});

describe("computeStats: Beta, Alpha, Buy & Hold", () => {
  const time = times(MON, DAY, 6);
  const close = f64([10, 11, 10.5, 12, 11.5, 13]);

  it("equity = close²: every log return is twice the market's, Beta 2", () => {
    const equity = f64([100, 121, 110.25, 144, 132.25, 169]);
    const s = computeStats(input(time, equity, { close }));
    expect(num(s, "Beta")).toBeCloseTo(2, 10);
    // Return (169 − 100) / 100 = 69%; Buy & Hold (13 − 10) / 10 = 30%; Alpha = 69 − 2 × 30
    expect(num(s, "Return [%]")).toBeCloseTo(69, 10);
    expect(num(s, "Buy & Hold Return [%]")).toBeCloseTo(30, 10);
    expect(num(s, "Alpha [%]")).toBeCloseTo(9, 8);
  });

  it("constant equity: Beta 0, Alpha 0, no risk ratios", () => {
    const s = computeStats(input(time, f64([100, 100, 100, 100, 100, 100]), { close }));
    expect(s.Beta).toBe(0);
    expect(s["Alpha [%]"]).toBe(0);
    expect(s["Return [%]"]).toBe(0);
    expect(s["Return (Ann.) [%]"]).toBe(0);
    expect(s["CAGR [%]"]).toBe(0);
    // (0 + 1)^252 − 1^504 = 0
    expect(s["Volatility (Ann.) [%]"]).toBe(0);
    expect(s["Max. Drawdown [%]"]).toBe(0);
    // 0 / 0 in each
    expect(s["Sharpe Ratio"]).toBeNull();
    expect(s["Sortino Ratio"]).toBeNull();
    expect(s["Calmar Ratio"]).toBeNull();
    expect(s["Avg. Drawdown [%]"]).toBeNull();
    expect(s["Max. Drawdown Duration"]).toBeNull();
  });

  it("constant close: market variance 0, Beta and Alpha null", () => {
    const s = computeStats(input(time, f64([100, 101, 102, 103, 104, 105]), { close: f64([5, 5, 5, 5, 5, 5]) }));
    expect(s.Beta).toBeNull();
    expect(s["Alpha [%]"]).toBeNull();
    expect(s["Buy & Hold Return [%]"]).toBe(0);
  });

  it("Buy & Hold is measured from Close[warmup]", () => {
    const t = times(MON, DAY, 4);
    const c = f64([10, 20, 25, 30]);
    // (30 − 20) / 20
    expect(num(computeStats(input(t, c, { warmup: 1 })), "Buy & Hold Return [%]")).toBeCloseTo(50, 10);
    // (30 − 10) / 10
    expect(num(computeStats(input(t, c, { warmup: 0 })), "Buy & Hold Return [%]")).toBeCloseTo(200, 10);
    expect(computeStats(input(t, c, { warmup: 4 }))["Buy & Hold Return [%]"]).toBeNull();
  });
});

describe("computeStats: trades", () => {
  const time = times(MON, DAY, 10);
  const trades = [
    trade(time, 1, 2, 20, 0.1), // 1 day
    trade(time, 2, 4, -10, -0.05), // 2 days
    trade(time, 6, 6, 30, 0.15), // 0
    trade(time, 7, 8, -5, -0.02), // 1 day
    trade(time, 8, 8, 0, 0), // 0
  ];
  const s = computeStats(input(time, growth(10), { trades, commissions: 1.5 }));

  it("counts, win rate, best, worst, averages", () => {
    expect(s["# Trades"]).toBe(5);
    // PnL > 0: 2 of 5
    expect(num(s, "Win Rate [%]")).toBeCloseTo(40, 10);
    expect(num(s, "Best Trade [%]")).toBeCloseTo(15, 10);
    expect(num(s, "Worst Trade [%]")).toBeCloseTo(-5, 10);
    // (1.1 × 0.95 × 1.15 × 0.98 × 1)^(1/5) − 1 = 1.177715^0.2 − 1
    expect(num(s, "Avg. Trade [%]")).toBeCloseTo(3.3256250856118053, 10);
    // (0.1 − 0.05 + 0.15 − 0.02 + 0) / 5
    expect(num(s, "Expectancy [%]")).toBeCloseTo(3.6, 10);
  });

  it("Profit Factor, SQN, Kelly", () => {
    // (0.1 + 0.15) / |−0.05 − 0.02|
    expect(num(s, "Profit Factor")).toBeCloseTo(3.571428571428571, 10);
    // PnL mean 35/5 = 7; squared deviations 169 + 289 + 529 + 144 + 49 = 1180; std = sqrt(1180 / 4)
    // SQN = sqrt(5) × 7 / 17.17556403...
    expect(num(s, "SQN")).toBeCloseTo(0.9113223768657672, 10);
    // W = 0.4; mean win 25, mean loss −7.5: 0.4 − 0.6 / (25 / 7.5)
    expect(num(s, "Kelly Criterion")).toBeCloseTo(0.22, 10);
  });

  it("durations, exposure, commissions", () => {
    expect(s["Max. Trade Duration"]).toBe(2);
    // (1 + 2 + 0 + 1 + 0) / 5 = 0.8 days, rounded up to 1
    expect(s["Avg. Trade Duration"]).toBe(1);
    // bars 1..2, 2..4, 6, 7..8, 8: {1, 2, 3, 4, 6, 7, 8} = 7 of 10
    expect(num(s, "Exposure Time [%]")).toBeCloseTo(70, 10);
    expect(s["Commissions [$]"]).toBe(1.5);
  });

  it("one winning trade: no losses, no spread", () => {
    const one = computeStats(input(time, growth(10), { trades: [trade(time, 0, 9, 50, 0.5)] }));
    expect(one["Win Rate [%]"]).toBe(100);
    expect(num(one, "Avg. Trade [%]")).toBeCloseTo(50, 10);
    // no losing trade: 0.5 / 0
    expect(one["Profit Factor"]).toBeNull();
    // std of one PnL (ddof 1) undefined
    expect(one.SQN).toBeNull();
    // mean losing PnL undefined
    expect(one["Kelly Criterion"]).toBeNull();
    expect(one["Exposure Time [%]"]).toBe(100);
  });

  it("only losing trades; a −100% trade makes the geometric mean 0", () => {
    const lost = computeStats(
      input(time, growth(10), { trades: [trade(time, 0, 1, -10, -0.1), trade(time, 2, 3, -100, -1)] }),
    );
    expect(lost["Win Rate [%]"]).toBe(0);
    // 0 / |−1.1|
    expect(lost["Profit Factor"]).toBe(0);
    // 1 + r <= 0 for one trade
    expect(lost["Avg. Trade [%]"]).toBe(0);
    // (−0.1 − 1) / 2
    expect(num(lost, "Expectancy [%]")).toBeCloseTo(-55, 10);
    // mean winning PnL undefined
    expect(lost["Kelly Criterion"]).toBeNull();
  });

  it("no trades: trade statistics null", () => {
    const none = computeStats(input(time, growth(10)));
    expect(none["# Trades"]).toBe(0);
    expect(none["Exposure Time [%]"]).toBe(0);
    expect(none["Commissions [$]"]).toBe(0);
    for (const name of [
      "Win Rate [%]",
      "Best Trade [%]",
      "Worst Trade [%]",
      "Avg. Trade [%]",
      "Max. Trade Duration",
      "Avg. Trade Duration",
      "Profit Factor",
      "Expectancy [%]",
      "SQN",
      "Kelly Criterion",
    ] as const) {
      expect(none[name], name).toBeNull();
    }
  });
});

describe("computeStats: degenerate input", () => {
  it("one bar", () => {
    const s = computeStats(input(f64([MON]), f64([100])));
    expect(s.Start).toBe("2024-01-01T00:00:00.000Z");
    expect(s.End).toBe("2024-01-01T00:00:00.000Z");
    expect(s.Duration).toBe(0);
    expect(s["Return [%]"]).toBe(0);
    expect(s["Return (Ann.) [%]"]).toBeNull();
    expect(s["CAGR [%]"]).toBeNull();
    expect(s.Beta).toBeNull();
  });

  it("rejects columns of different lengths", () => {
    expect(() => computeStats(input(times(MON, DAY, 3), f64([1, 2, 3]), { close: f64([1, 2]) }))).toThrow();
  });
});

describe("drawdownCurve", () => {
  it("is −dd × 100: 0 at a new high, negative below it", () => {
    // running max 100, 100, 100, 100, 100, 120
    const dd = drawdownCurve(f64([100, 90, 95, 100, 80, 120]));
    const expected = [0, -10, -5, 0, -20, 0];
    expect(dd.length).toBe(6);
    expected.forEach((v, i) => expect(dd[i]).toBeCloseTo(v, 10));
    expect(Object.is(dd[0], 0) && Object.is(dd[3], 0) && Object.is(dd[5], 0)).toBe(true);
  });
});

describe("monthlyReturns", () => {
  it("last equity of each UTC month over the previous month's, the first over equity[0]", () => {
    const time = f64([
      Date.UTC(2023, 11, 30),
      Date.UTC(2023, 11, 31, 23),
      Date.UTC(2024, 0, 15),
      Date.UTC(2024, 0, 31, 23, 59),
      Date.UTC(2024, 1, 29),
      Date.UTC(2024, 2, 1),
    ]);
    const m = monthlyReturns(time, f64([100, 110, 105, 99, 120, 108.9]));
    expect(m.map((x) => x.month)).toEqual(["2023-12", "2024-01", "2024-02", "2024-03"]);
    // 110/100 − 1, 99/110 − 1, 120/99 − 1, 108.9/120 − 1
    const expected = [10, -10, 21.212121212121215, -9.249999999999991];
    expected.forEach((v, i) => expect(m[i]!.return_pct).toBeCloseTo(v, 10));
  });

  it("dates before 1970", () => {
    const time = f64([Date.UTC(1969, 11, 31, 12), Date.UTC(1970, 0, 1)]);
    const m = monthlyReturns(time, f64([100, 50]));
    expect(m.map((x) => x.month)).toEqual(["1969-12", "1970-01"]);
    expect(m[0]!.return_pct).toBe(0);
    expect(m[1]!.return_pct).toBeCloseTo(-50, 10);
  });

  it("no bars: no months", () => {
    expect(monthlyReturns(new Float64Array(0), new Float64Array(0))).toEqual([]);
  });
});
