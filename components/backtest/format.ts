/** Display rules for the backtest report: statistics by their backtesting.py names, times in UTC. */
import type { StatName } from "@/lib/backtest/types";

const DAY_MINUTES = 24 * 60;

/** A duration given in days, as "3 d 4 h", "5 h 12 min" or "7 min". */
export function formatDays(days: number): string {
  if (!Number.isFinite(days)) return "—";
  const minutes = Math.round(Math.abs(days) * DAY_MINUTES);
  const sign = days < 0 ? "-" : "";
  const d = Math.floor(minutes / DAY_MINUTES);
  const h = Math.floor((minutes % DAY_MINUTES) / 60);
  const m = minutes % 60;
  if (d > 0) return `${sign}${d} d${h > 0 ? ` ${h} h` : ""}`;
  if (h > 0) return `${sign}${h} h${m > 0 ? ` ${m} min` : ""}`;
  return `${sign}${m} min`;
}

/** A number with thousands separators and at most `digits` decimals (fewer for large magnitudes). */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return value > 0 ? "∞" : value < 0 ? "-∞" : "—";
  const abs = Math.abs(value);
  const max = abs >= 100_000 ? 0 : abs >= 1_000 ? Math.min(digits, 2) : abs > 0 && abs < 0.01 ? Math.max(digits, 4) : digits;
  return value.toLocaleString("en-US", { maximumFractionDigits: max, minimumFractionDigits: Math.min(max, digits) });
}

/** A price with fixed decimals for its size: BTC in cents (32,216.22), a prediction market to 1/10,000 (0.4375). */
export function formatPrice(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 10 ? 2 : abs >= 0.01 || abs === 0 ? 4 : 8;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A quantity without trailing zeros, to at most 8 decimals. */
export function formatSize(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: Math.abs(value) >= 1_000 ? 2 : 8 });
}

/** A percentage with its sign: "+12.34 %", "-3.10 %". */
export function formatPct(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return "—";
  const text = Math.abs(value).toFixed(digits);
  const zero = Number(text) === 0;
  return `${zero ? "" : value > 0 ? "+" : "-"}${text} %`;
}

/** An instant in UTC: "2021-01-03 14:05"; with `dateAtMidnight`, a midnight is the date alone ("2021-01-03"). */
export function formatTime(value: number | string, dateAtMidnight = false): string {
  const t = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(t)) return String(value);
  const iso = new Date(t).toISOString();
  return dateAtMidnight && iso.endsWith("00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** A span of bar times: dates alone when both ends are midnights, else both with their times. */
export function formatRange(from: number | string, to: number | string): string {
  const midnight = (v: number | string) => formatTime(v, true).length === 10;
  const dates = midnight(from) && midnight(to);
  return `${formatTime(from, dates)} → ${formatTime(to, dates)}`;
}

/** When something happened, in the reader's own time zone: "2026-12-04 01:52". */
export function formatLocal(value: string): string {
  const d = new Date(value);
  if (!Number.isFinite(d.getTime())) return value;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const DURATIONS: ReadonlySet<StatName> = new Set(["Duration", "Max. Drawdown Duration", "Avg. Drawdown Duration", "Max. Trade Duration", "Avg. Trade Duration"]);
const SIGNED_PCT: ReadonlySet<StatName> = new Set(["Return [%]", "Buy & Hold Return [%]", "Return (Ann.) [%]", "CAGR [%]", "Alpha [%]", "Best Trade [%]", "Worst Trade [%]", "Avg. Trade [%]", "Expectancy [%]", "Max. Drawdown [%]", "Avg. Drawdown [%]"]);

/** One statistic as the report shows it; null (undefined for this run) is a dash. */
export function formatStat(name: StatName, value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (name === "Start" || name === "End") return formatTime(value, true);
  if (typeof value === "string") return value;
  if (DURATIONS.has(name)) return formatDays(value);
  if (name === "# Trades") return value.toLocaleString("en-US");
  if (SIGNED_PCT.has(name)) return formatPct(value);
  if (name.endsWith("[%]")) return `${formatNumber(value)} %`;
  if (name.endsWith("[$]")) return formatNumber(value);
  return formatNumber(value, name === "Kelly Criterion" || name === "Beta" ? 3 : 2);
}

/** Whether a statistic reads as good (1), bad (-1) or neither (0), for colouring. */
export function statTone(name: StatName, value: number | string | null | undefined): -1 | 0 | 1 {
  if (typeof value !== "number" || !Number.isFinite(value) || value === 0) return 0;
  if (SIGNED_PCT.has(name) && !name.includes("Drawdown") && name !== "Buy & Hold Return [%]") return value > 0 ? 1 : -1;
  if (name === "Sharpe Ratio" || name === "Sortino Ratio" || name === "Calmar Ratio" || name === "SQN") return value > 0 ? 1 : -1;
  if (name === "Profit Factor") return value >= 1 ? 1 : -1;
  return 0;
}
