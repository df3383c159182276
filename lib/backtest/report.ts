import { computeStats, drawdownCurve, monthlyReturns } from "./stats";
import type { EngineInput, EngineOutput } from "./engine";
import type { BacktestReport, ChartBar, Point } from "./types";

/** Curves in a report keep at most this many points, price charts this many bars. */
export const MAX_CURVE_POINTS = 5_000;
export const MAX_CHART_BARS = 4_000;

/**
 * A curve thinned to about `max` points: per bucket of consecutive bars its lowest and its last point, so
 * the drawdown's troughs survive. Short curves are returned whole.
 */
export function thinCurve(time: Float64Array, values: Float64Array, max = MAX_CURVE_POINTS): Point[] {
  const n = values.length;
  const out: Point[] = [];
  if (n <= max) {
    for (let i = 0; i < n; i++) out.push([time[i]!, values[i]!]);
    return out;
  }
  const size = Math.ceil(n / Math.floor(max / 2));
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    let low = start;
    for (let i = start + 1; i < end; i++) if (values[i]! < values[low]!) low = i;
    if (low !== end - 1) out.push([time[low]!, values[low]!]);
    out.push([time[end - 1]!, values[end - 1]!]);
  }
  return out;
}

/** How many bars one chart bar stands for. */
export function chartBucket(n: number, max = MAX_CHART_BARS): number {
  return Math.max(1, Math.ceil(n / max));
}

/** Bars merged `bucket` at a time: first open, highest high, lowest low, last close; time of the first. */
export function chartBars(input: EngineInput, n: number, bucket: number): ChartBar[] {
  const b = input.markets[0]!.bars;
  const out: ChartBar[] = [];
  for (let start = 0; start < n; start += bucket) {
    const end = Math.min(n, start + bucket);
    let high = b.high[start]!;
    let low = b.low[start]!;
    for (let i = start + 1; i < end; i++) {
      if (b.high[i]! > high) high = b.high[i]!;
      if (b.low[i]! < low) low = b.low[i]!;
    }
    out.push([b.time[start]!, b.open[start]!, high, low, b.close[end - 1]!]);
  }
  return out;
}

function intervalLabel(ms: number): string {
  const units: [number, string][] = [
    [604_800_000, "w"],
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function modeSpacing(time: Float64Array, n: number): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < Math.min(n, 2_000); i++) {
    const d = time[i]! - time[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [d, c] of counts) if (c > bestCount) [best, bestCount] = [d, c];
  return best;
}

/** The report of a finished run: statistics, curves, the price chart with indicators, notes. */
export function buildReport(input: EngineInput, output: EngineOutput, path: BacktestReport["engine"], notes: string[]): BacktestReport {
  const n = output.barsDone;
  const m0 = input.markets[0]!;
  const time = m0.bars.time.subarray(0, n);
  const close = m0.bars.close.subarray(0, n);
  const stats = computeStats({ time, close, equity: output.equity, trades: output.trades, warmup: output.warmup, commissions: output.commissions });
  const bucket = chartBucket(n);
  const indicators = output.indicators
    .map((tr) => {
      const points: Point[] = [];
      for (let start = 0; start < n; start += bucket) {
        const v = tr.values[Math.min(n, start + bucket) - 1]!;
        if (Number.isFinite(v)) points.push([time[start]!, v]);
      }
      return { nodeId: tr.nodeId, label: tr.label, points };
    })
    .filter((tr) => tr.points.length > 0);
  const s = input.settings;
  const all = [...notes];
  all.push(
    s.fill === "close"
      ? "Market orders fill at the close of the bar they were decided on: optimistic, no live strategy can do that."
      : "Market orders fill at the next bar's open; limit orders when a later bar reaches their price (at the open when it gaps through).",
    `Order books are built from each bar's close: ${s.book_spread_bps} bps between levels, ${s.book_depth} levels of ${s.book_level_size} either side.`,
    `Warm-up: the first ${output.warmup + 1} bar${output.warmup === 0 ? "" : "s"} (until every indicator has a value) place no orders; Buy & Hold starts at bar ${output.warmup}.`,
  );
  if (s.slippage_bps > 0) all.push(`Slippage: market fills ${s.slippage_bps} bps worse than the price.`);
  if (s.close_at_end) all.push(`Positions still open at the end are closed at the last bar's ${s.fill === "close" ? "close" : "open"}.`);
  for (const f of output.failures.slice(0, 5)) {
    all.push(`Node "${f.nodeId}" failed on ${f.bars} bar${f.bars === 1 ? "" : "s"} after the warm-up (first at bar ${f.firstBar}): ${f.message}`);
  }
  for (const r of output.ordersRejected.slice(0, 5)) {
    if (!r.reason.startsWith("warm-up")) all.push(`${r.count} order${r.count === 1 ? " was" : "s were"} rejected: ${r.reason}`);
  }
  let resting = 0;
  for (const o of output.orders) if (o.state === "cancelled" && o.reason === "end of data") resting++;
  if (resting > 0) all.push(`${resting} order${resting === 1 ? " was" : "s were"} still resting at the end of the data and ${resting === 1 ? "was" : "were"} cancelled.`);
  if (output.status === "cancelled") all.push(`Stopped after ${n} of ${m0.bars.length} bars: the statistics cover those bars.`);
  return {
    stats,
    trades: output.trades,
    equity: thinCurve(time, output.equity),
    drawdown: thinCurve(time, drawdownCurve(output.equity)),
    price: { market: m0.key, interval: intervalLabel(modeSpacing(time, n) * bucket), bars: chartBars(input, n, bucket) },
    indicators,
    monthly: monthlyReturns(time, output.equity),
    engine: path,
    notes: all,
    warmup: output.warmup,
    bars: n,
    node_versions: Object.fromEntries(input.compiled.blocks.map((b) => [`${b.category}/${b.type}`, b.def.version ?? 1])),
  };
}
