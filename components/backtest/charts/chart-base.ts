/**
 * What every report chart shares: a lightweight-charts chart themed from the editor's CSS variables, sized
 * by its container (autoSize), with TradingView's attribution logo on as its licence asks; and the
 * conversions from the report's [ms, value] points to the library's data.
 */
import { ColorType, CrosshairMode, createChart, type DeepPartial, type ChartOptions, type IChartApi, type LineData, type UTCTimestamp } from "lightweight-charts";
import type { ChartBar, Point } from "@/lib/backtest/types";

export interface ChartTheme {
  background: string;
  text: string;
  muted: string;
  grid: string;
  border: string;
  up: string;
  down: string;
  accent: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/** The editor's colours as the container sees them, so the charts follow its theme, dark or light. */
export function readTheme(el: HTMLElement): ChartTheme {
  const s = getComputedStyle(el);
  return {
    background: cssVar(s, "--panel", "#161d26"),
    text: cssVar(s, "--text", "#e6edf3"),
    muted: cssVar(s, "--muted", "#8b98a9"),
    grid: cssVar(s, "--chart-grid", "rgba(139, 152, 169, 0.12)"),
    border: cssVar(s, "--border", "#263241"),
    up: cssVar(s, "--actions", "#2fbf71"),
    down: cssVar(s, "--risk", "#ff5d5d"),
    accent: cssVar(s, "--accent", "#4f9dff"),
  };
}

/** A chart in `el`, themed, filling the element and following its size. Call `remove()` on unmount. */
export function createThemedChart(el: HTMLElement, theme: ChartTheme, options: DeepPartial<ChartOptions> = {}): IChartApi {
  return createChart(el, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: theme.background },
      textColor: theme.muted,
      fontSize: 11,
      fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      attributionLogo: true,
      panes: { separatorColor: theme.border, separatorHoverColor: theme.border },
    },
    grid: { vertLines: { color: theme.grid }, horzLines: { color: theme.grid } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: theme.border },
    timeScale: { borderColor: theme.border, timeVisible: true, secondsVisible: false, fixLeftEdge: true, fixRightEdge: true },
    localization: { locale: "en-US" },
    ...options,
  });
}

export const toTime = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

/** Points as line data, oldest first, keeping one point per second (the library needs strictly rising times). */
export function toLine(points: readonly Point[], map: (v: number) => number = (v) => v): LineData<UTCTimestamp>[] {
  const out: LineData<UTCTimestamp>[] = [];
  let last = -Infinity;
  for (const [ms, value] of points) {
    const time = toTime(ms);
    if (!Number.isFinite(value)) continue;
    if (time > last) {
      out.push({ time, value: map(value) });
      last = time;
    } else if (time === last) out[out.length - 1] = { time, value: map(value) };
  }
  return out;
}

export function toCandles(bars: readonly ChartBar[]) {
  const out: { time: UTCTimestamp; open: number; high: number; low: number; close: number }[] = [];
  let last = -Infinity;
  for (const [ms, open, high, low, close] of bars) {
    const time = toTime(ms);
    if (time <= last) continue;
    out.push({ time, open, high, low, close });
    last = time;
  }
  return out;
}

/** Index of the last bar whose open time is at or before `ms` (0 when `ms` precedes every bar). */
export function barIndexAt(times: readonly number[], ms: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A price format whose precision suits the price's size (BTC in cents, a prediction market in 1/10,000). */
export function priceFormatFor(sample: number) {
  const abs = Math.abs(sample);
  const precision = abs >= 1_000 ? 2 : abs >= 1 ? 3 : 4;
  return { type: "price" as const, precision, minMove: 1 / 10 ** precision };
}

/** Colours for indicator lines, in order. */
export const SERIES_COLORS = ["#f5a524", "#a879ff", "#22c3c3", "#ff8fb1", "#c6e377", "#4f9dff", "#ffb86b"];
