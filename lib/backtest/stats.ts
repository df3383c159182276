/**
 * The report's statistics, matching the definitions of backtesting.py's current release (see
 * /work/shared/guide/backtest-statistics.md), implemented from those definitions.
 *
 * Every function is O(bars + trades) with a constant number of passes over typed arrays and no per-bar
 * allocation. Times are ms since the epoch, read as UTC.
 *
 * NaN and ±Infinity are reported as null. backtesting.py gives NaN where a statistic is undefined and
 * +Infinity in one place: the Sortino Ratio when no period return is negative (and Return (Ann.) > 0);
 * here that is null too. Other non-finite results (CAGR or Return (Ann.) overflowing) are null as well.
 */
import type { MonthlyReturn, Stats, StatsInput } from "./types";

const DAY_MS = 86_400_000;
/** Units a duration is rounded up to, coarsest first: day, hour, minute, second, millisecond. */
const UNITS_MS = [DAY_MS, 3_600_000, 60_000, 1_000, 1] as const;

/** A finite number as itself (−0 as 0); NaN and ±Infinity as null. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? (x === 0 ? 0 : x) : null;
}

/** UTC day number (days since 1970-01-01) of a time in ms. */
function dayOf(t: number): number {
  return Math.floor(t / DAY_MS);
}

/** year * 12 + (month − 1) of a UTC day number (proleptic Gregorian; integer arithmetic only). */
function monthIndexOfDay(day: number): number {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9; // 1..12
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

function formatMonth(monthIndex: number): string {
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

/**
 * The data's spacing: the most common positive difference between consecutive times (the smallest such
 * difference on a tie); NaN when no two consecutive times increase. Zero and negative steps are ignored.
 */
function modeSpacing(time: Float64Array): number {
  const counts = new Map<number, number>();
  let run = NaN;
  let runLength = 0;
  for (let i = 1; i < time.length; i++) {
    const d = time[i]! - time[i - 1]!;
    if (!(d > 0)) continue;
    if (d === run) {
      runLength++;
    } else {
      if (runLength > 0) counts.set(run, (counts.get(run) ?? 0) + runLength);
      run = d;
      runLength = 1;
    }
  }
  if (runLength > 0) counts.set(run, (counts.get(run) ?? 0) + runLength);
  let best = NaN;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/**
 * The unit durations are rounded up to, as pandas' `Timedelta.ceil(period.resolution_string)`: the coarsest
 * of day, hour, minute, second and millisecond that divides the spacing (1h and 4h data: hours; 15min
 * data: minutes; daily and weekly data: days). 0 (no rounding) when the spacing is unknown or fractional.
 */
function roundingUnit(spacing: number): number {
  if (!(spacing > 0)) return 0;
  for (const unit of UNITS_MS) if (spacing % unit === 0) return unit;
  return 0;
}

/** A duration in ms, rounded up to `unit` ms (when unit > 0), in days. */
function durationDays(ms: number, unit: number): number {
  return unit > 0 ? (Math.ceil(ms / unit) * unit) / DAY_MS : ms / DAY_MS;
}

type Period = "day" | "week" | "month" | "year";

/**
 * The period returns are measured over, from the spacing's whole days: 7 weekly, 28 to 31 monthly, 365 or
 * 366 yearly, anything else (intraday, daily, irregular) daily.
 */
function periodOf(spacing: number): Period {
  const days = Math.floor(spacing / DAY_MS);
  if (days === 7) return "week";
  if (days >= 28 && days <= 31) return "month";
  if (days === 365 || days === 366) return "year";
  return "day";
}

/** The key of the resampling bin a UTC day falls in: the day; the ISO week (Monday to Sunday); the month; the year. */
function periodKey(period: Period, day: number): number {
  switch (period) {
    case "day":
      return day;
    case "week":
      return Math.floor((day + 3) / 7); // day 4 (1970-01-05) is a Monday
    case "month":
      return monthIndexOfDay(day);
    case "year":
      return Math.floor(monthIndexOfDay(day) / 12);
  }
}

/** Drawdown in percent at each bar: −(1 − equity / running max) × 100, so 0 or negative. */
export function drawdownCurve(equity: Float64Array): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    out[i] = 0 - (1 - e / peak) * 100;
  }
  return out;
}

/**
 * One entry per UTC calendar month that has bars, oldest first: the month's last equity over the previous
 * month's last equity − 1 (the first month's over equity[0]), in percent.
 */
export function monthlyReturns(time: Float64Array, equity: Float64Array): MonthlyReturn[] {
  const n = Math.min(time.length, equity.length);
  const out: MonthlyReturn[] = [];
  if (n === 0) return out;
  let lastDay = NaN;
  let month = NaN;
  let previous = equity[0]!;
  let last = equity[0]!;
  for (let i = 0; i < n; i++) {
    const day = dayOf(time[i]!);
    if (day !== lastDay) {
      lastDay = day;
      const m = monthIndexOfDay(day);
      if (m !== month) {
        if (i > 0) {
          out.push({ month: formatMonth(month), return_pct: (last / previous - 1) * 100 });
          previous = last;
        }
        month = m;
      }
    }
    last = equity[i]!;
  }
  out.push({ month: formatMonth(month), return_pct: (last / previous - 1) * 100 });
  return out;
}

/**
 * Every statistic of STAT_NAMES, in that order. `time`, `close` and `equity` must have the same length
 * (an Error otherwise). Start and End are ISO 8601; every duration is in days, rounded up to the data's
 * resolution (see roundingUnit). Undefined statistics are null (see the file's comment).
 */
export function computeStats(input: StatsInput): Stats {
  const { time, close, equity, trades, warmup, commissions } = input;
  const n = time.length;
  if (close.length !== n || equity.length !== n) {
    throw new Error(`computeStats: time, close and equity differ in length (${n}, ${close.length}, ${equity.length})`);
  }

  const spacing = modeSpacing(time);
  const unit = roundingUnit(spacing);
  const period = periodOf(spacing);

  // Pass 1 over the bars: equity peak, drawdown and its periods, weekend share, Beta's co-moments.
  let equityPeak = -Infinity;
  let runningMax = -Infinity;
  let maxDd = 0;
  let lastZero = -1; // index of the last bar with dd == 0
  let periodPeakDd = 0;
  let ddPeriods = 0;
  let ddDurationSum = 0;
  let ddDurationMax = -Infinity;
  let ddPeakSum = 0;
  let weekendBars = 0;
  let weekendDay = NaN;
  let isWeekend = false;
  // Welford co-moments of x = log equity return, y = log close return.
  let m = 0;
  let meanX = 0;
  let meanY = 0;
  let cxy = 0;
  let cyy = 0;
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    if (e > equityPeak) equityPeak = e;
    if (e > runningMax) runningMax = e;
    const dd = 1 - e / runningMax;
    if (dd > maxDd) maxDd = dd;
    if (dd > periodPeakDd) periodPeakDd = dd;
    // A period runs between successive dd == 0 bars (the last bar closes one) and counts if it spans > 1 step.
    if (dd === 0 || i === n - 1) {
      if (lastZero >= 0 && i > lastZero + 1) {
        const span = time[i]! - time[lastZero]!;
        ddPeriods++;
        ddDurationSum += span;
        if (span > ddDurationMax) ddDurationMax = span;
        ddPeakSum += periodPeakDd;
      }
      if (dd === 0) {
        lastZero = i;
        periodPeakDd = 0;
      }
    }

    const day = dayOf(time[i]!);
    if (day !== weekendDay) {
      weekendDay = day;
      const dow = (((day + 3) % 7) + 7) % 7; // 0 Monday .. 6 Sunday
      isWeekend = dow >= 5;
    }
    if (isWeekend) weekendBars++;

    if (i > 0) {
      const x = Math.log(e / equity[i - 1]!);
      const y = Math.log(close[i]! / close[i - 1]!);
      m++;
      const dx = x - meanX;
      meanX += dx / m;
      const dy = y - meanY;
      meanY += dy / m;
      cxy += dx * (y - meanY);
      cyy += dy * (y - meanY);
    }
  }

  const annualPeriods =
    period === "week" ? 52 : period === "month" ? 12 : period === "year" ? 1 : weekendBars / n > (0.6 * 2) / 7 ? 365 : 252;

  // Pass 2 over the bars: period returns of the equity resampled to `period` (last non-NaN value per bin).
  let returnsCount = 0;
  let sumLog1p = 0;
  let anyNonPositive = false;
  let meanR = 0;
  let m2R = 0;
  let sumNegativeSq = 0;
  let binKey = NaN;
  let binLast = NaN; // last non-NaN equity of the current bin
  let previousBin = NaN; // last value of the previous non-empty bin
  let keyDay = NaN;
  let key = NaN;
  const addReturn = (value: number) => {
    if (!Number.isNaN(previousBin)) {
      const r = value / previousBin - 1;
      if (!Number.isNaN(r)) {
        returnsCount++;
        if (1 + r <= 0) anyNonPositive = true;
        else sumLog1p += Math.log(1 + r);
        const d = r - meanR;
        meanR += d / returnsCount;
        m2R += d * (r - meanR);
        if (r < 0) sumNegativeSq += r * r;
      }
    }
    previousBin = value;
  };
  for (let i = 0; i < n; i++) {
    const day = dayOf(time[i]!);
    if (day !== keyDay) {
      keyDay = day;
      key = periodKey(period, day);
    }
    if (key !== binKey) {
      if (!Number.isNaN(binLast)) addReturn(binLast);
      binKey = key;
      binLast = NaN;
    }
    const e = equity[i]!;
    if (!Number.isNaN(e)) binLast = e;
  }
  if (!Number.isNaN(binLast)) addReturn(binLast);

  // geometric mean of the period returns: 0 when any 1 + r <= 0, NaN with none.
  const gmean = returnsCount === 0 ? NaN : anyNonPositive ? 0 : Math.exp(sumLog1p / returnsCount) - 1;
  const annualReturn = (1 + gmean) ** annualPeriods - 1;
  const variance = returnsCount > 1 ? m2R / (returnsCount - 1) : NaN;
  // A negative radicand arises only from rounding (variance 0) and counts as 0.
  const volatility = Math.sqrt(
    Math.max(0, (variance + (1 + gmean) ** 2) ** annualPeriods - (1 + gmean) ** (2 * annualPeriods)),
  );
  const sortino =
    returnsCount === 0 ? NaN : annualReturn / (Math.sqrt(sumNegativeSq / returnsCount) * Math.sqrt(annualPeriods));

  // Exposure: bars inside [entry_bar, exit_bar] of some trade, by a difference array.
  const cover = new Int32Array(n + 1);
  let tradeCount = 0;
  let wins = 0;
  let best = -Infinity;
  let worst = Infinity;
  let sumLogTrade = 0;
  let anyTradeNonPositive = false;
  let sumReturn = 0;
  let sumPositive = 0;
  let sumNegative = 0;
  let sumPnl = 0;
  let sumWinPnl = 0;
  let lossCount = 0;
  let sumLossPnl = 0;
  let durationSum = 0;
  let durationMax = -Infinity;
  for (const t of trades) {
    tradeCount++;
    const lo = Math.max(0, t.entry_bar);
    const hi = Math.min(n - 1, t.exit_bar);
    if (lo <= hi) {
      cover[lo]!++;
      cover[hi + 1]!--;
    }
    const r = t.return_pct;
    if (r > best) best = r;
    if (r < worst) worst = r;
    if (1 + r <= 0) anyTradeNonPositive = true;
    else sumLogTrade += Math.log(1 + r);
    sumReturn += r;
    if (r > 0) sumPositive += r;
    else if (r < 0) sumNegative += r;
    sumPnl += t.pnl;
    if (t.pnl > 0) {
      wins++;
      sumWinPnl += t.pnl;
    } else if (t.pnl < 0) {
      lossCount++;
      sumLossPnl += t.pnl;
    }
    const duration = t.exit_time - t.entry_time;
    durationSum += duration;
    if (duration > durationMax) durationMax = duration;
  }
  let exposed = 0;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    depth += cover[i]!;
    if (depth > 0) exposed++;
  }
  const meanPnl = sumPnl / tradeCount;
  let pnlSq = 0;
  for (const t of trades) pnlSq += (t.pnl - meanPnl) ** 2;
  const pnlStd = tradeCount > 1 ? Math.sqrt(pnlSq / (tradeCount - 1)) : NaN;

  const first = n > 0 ? time[0]! : NaN;
  const last = n > 0 ? time[n - 1]! : NaN;
  const duration = last - first;
  const e0 = n > 0 ? equity[0]! : NaN;
  const eN = n > 0 ? equity[n - 1]! : NaN;
  const returnPct = ((eN - e0) / e0) * 100;
  const w = warmup;
  const buyHold = Number.isInteger(w) && w >= 0 && w < n ? ((close[n - 1]! - close[w]!) / close[w]!) * 100 : NaN;
  // Years as backtesting.py reads a Timedelta: days + seconds / 86400 (sub-second part dropped).
  const years = Math.floor(duration / 1000) / 86_400 / 365.25;
  const cagr = years > 0 ? ((eN / e0) ** (1 / years) - 1) * 100 : NaN;
  const beta = m > 1 ? cxy / cyy : NaN;
  const winRate = tradeCount > 0 ? wins / tradeCount : NaN;
  const avgTrade = tradeCount === 0 ? NaN : anyTradeNonPositive ? 0 : Math.exp(sumLogTrade / tradeCount) - 1;
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);

  // Keys in STAT_NAMES order.
  return {
    Start: iso(first),
    End: iso(last),
    Duration: finite(durationDays(duration, unit)),
    "Exposure Time [%]": finite((exposed / n) * 100),
    "Equity Final [$]": finite(eN),
    "Equity Peak [$]": finite(equityPeak),
    "Commissions [$]": finite(commissions),
    "Return [%]": finite(returnPct),
    "Buy & Hold Return [%]": finite(buyHold),
    "Return (Ann.) [%]": finite(annualReturn * 100),
    "Volatility (Ann.) [%]": finite(volatility * 100),
    "CAGR [%]": finite(cagr),
    "Sharpe Ratio": finite(annualReturn / volatility),
    "Sortino Ratio": finite(sortino),
    "Calmar Ratio": finite(annualReturn / maxDd),
    "Alpha [%]": finite(returnPct - beta * buyHold),
    Beta: finite(beta),
    "Max. Drawdown [%]": finite(-maxDd * 100),
    "Avg. Drawdown [%]": finite((-ddPeakSum / ddPeriods) * 100),
    "Max. Drawdown Duration": ddPeriods > 0 ? finite(durationDays(ddDurationMax, unit)) : null,
    "Avg. Drawdown Duration": ddPeriods > 0 ? finite(durationDays(ddDurationSum / ddPeriods, unit)) : null,
    "# Trades": tradeCount,
    "Win Rate [%]": finite(winRate * 100),
    "Best Trade [%]": finite(best * 100),
    "Worst Trade [%]": finite(worst * 100),
    "Avg. Trade [%]": finite(avgTrade * 100),
    "Max. Trade Duration": tradeCount > 0 ? finite(durationDays(durationMax, unit)) : null,
    "Avg. Trade Duration": tradeCount > 0 ? finite(durationDays(durationSum / tradeCount, unit)) : null,
    "Profit Factor": finite(sumPositive / Math.abs(sumNegative)),
    "Expectancy [%]": finite((sumReturn / tradeCount) * 100),
    SQN: finite((Math.sqrt(tradeCount) * meanPnl) / pnlStd),
    "Kelly Criterion": finite(winRate - (1 - winRate) / (sumWinPnl / wins / (-sumLossPnl / lossCount))),
  };
}
