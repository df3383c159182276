import type { OrderRecord } from "./account";
import type { EngineHooks, EngineInput, EngineOutput } from "./engine";
import { sliceBars } from "./types";
import type { CompiledWorkflow } from "../workflow/validate";

/**
 * Bias checks, after Freqtrade's lookahead-analysis and recursive-analysis:
 * - look-ahead: the data is cut right after bars where the strategy decided something (and a few others),
 *   the backtest is run again on the cut data, and every order decided up to the cut must be the same as
 *   in the full run. A strategy that used a later bar decides differently when that bar is not there.
 * - history: the run is repeated with each provider reading more (and fewer) candles; an indicator whose
 *   values change depends on how much history was loaded, so the live strategy and the backtest may differ.
 */

/** An indicator that moves by at most this fraction of its typical size with more or less history passes. */
export const HISTORY_TOLERANCE = 0.001;

export type EngineRunner = (input: EngineInput, hooks?: EngineHooks) => Promise<EngineOutput>;

export interface LookaheadFinding {
  /** The last bar of the cut data. */
  cut_bar: number;
  cut_time: number;
  message: string;
}

export interface HistoryFinding {
  nodeId: string;
  label: string;
  candles: number;
  compared_with: number;
  max_difference: number;
  /** Relative to the indicator's typical size. */
  max_relative: number;
}

export interface CheckResult {
  lookahead: { passed: boolean; cuts: number; findings: LookaheadFinding[] };
  history: { passed: boolean; runs: { candles: number; trades: number; trades_differ: boolean }[]; findings: HistoryFinding[] };
}

const sameOrder = (a: OrderRecord, b: OrderRecord) =>
  a.placedBar === b.placedBar && a.clientOrderId === b.clientOrderId && a.side === b.side && a.kind === b.kind && a.limitPrice === b.limitPrice && a.market === b.market && (a.kind !== "market" || a.quantity === b.quantity || a.quantity === 0 || b.quantity === 0);

function describeOrder(o: OrderRecord | undefined): string {
  if (!o) return "no order";
  return `${o.kind} ${o.side}${o.limitPrice !== null ? ` at ${o.limitPrice}` : ""} (${o.clientOrderId.split(":").pop()})`;
}

/** Bars after which to cut: the decision bars of the full run (up to `max`), spread over the run. */
export function cutBars(full: EngineOutput, max = 8): number[] {
  const decided = [...new Set(full.orders.filter((o) => o.state !== "rejected" || !o.reason?.startsWith("warm-up")).map((o) => o.placedBar))];
  const n = full.barsDone;
  const picks = new Set<number>();
  if (decided.length <= max) decided.forEach((b) => picks.add(b));
  else for (let k = 0; k < max; k++) picks.add(decided[Math.floor((k * (decided.length - 1)) / (max - 1))]!);
  // Also a couple of cuts where nothing was decided, so a strategy with no orders is still cut.
  for (const f of [0.5, 0.8]) {
    const b = Math.floor(n * f);
    if (b > full.warmup + 1 && b < n - 1) picks.add(b);
  }
  return [...picks].filter((b) => b >= 1 && b < n - 1).sort((a, b) => a - b);
}

function cutInput(input: EngineInput, lastBar: number): EngineInput {
  return {
    ...input,
    settings: { ...input.settings, close_at_end: false },
    markets: input.markets.map((m) => ({ ...m, bars: sliceBars(m.bars, 0, lastBar + 1) })),
  };
}

function withCandles(workflow: CompiledWorkflow, scale: number): { workflow: CompiledWorkflow; candles: number } {
  let candles = 0;
  const blocks = workflow.blocks.map((b) => {
    if (b.category !== "providers" || typeof b.props.candle_limit !== "number") return b;
    const limit = Math.max(2, Math.min(1000, Math.round(b.props.candle_limit * scale)));
    candles = Math.max(candles, limit);
    return { ...b, props: { ...b.props, candle_limit: limit } };
  });
  return { workflow: { ...workflow, blocks }, candles };
}

function maxCandles(workflow: CompiledWorkflow): number {
  return Math.max(0, ...workflow.blocks.filter((b) => b.category === "providers").map((b) => Number(b.props.candle_limit) || 0));
}

export async function runChecks(input: EngineInput, full: EngineOutput, hooks: EngineHooks = {}, run?: EngineRunner): Promise<CheckResult> {
  const runner = run ?? (await import("./engine")).runReference;
  const sub: EngineHooks = hooks.signal ? { signal: hooks.signal } : {};

  const cuts = cutBars(full);
  const findings: LookaheadFinding[] = [];
  for (const last of cuts) {
    const out = await runner(cutInput(input, last), sub);
    const a = full.orders.filter((o) => o.placedBar <= last);
    const b = out.orders;
    const k = a.findIndex((o, i) => !b[i] || !sameOrder(o, b[i]!));
    if (k >= 0 || b.length !== a.length) {
      const i = k >= 0 ? k : a.length;
      const bar = (a[i] ?? b[i])?.placedBar ?? last;
      findings.push({
        cut_bar: last,
        cut_time: input.markets[0]!.bars.time[last]!,
        message: `with the data cut after bar ${last}, the decision on bar ${bar} changed: ${describeOrder(a[i])} in the full run, ${describeOrder(b[i])} on the cut data`,
      });
    }
  }

  const base = maxCandles(input.compiled);
  const runs: CheckResult["history"]["runs"] = [];
  const historyFindings: HistoryFinding[] = [];
  if (base > 0) {
    for (const scale of [2, 0.5]) {
      const { workflow, candles } = withCandles(input.compiled, scale);
      if (candles === base) continue;
      const out = await runner({ ...input, compiled: workflow }, sub);
      const differ = out.trades.length !== full.trades.length || out.trades.some((t, i) => t.entry_bar !== full.trades[i]!.entry_bar || t.exit_bar !== full.trades[i]!.exit_bar);
      runs.push({ candles, trades: out.trades.length, trades_differ: differ });
      for (const tr of full.indicators) {
        const other = out.indicators.find((o) => o.nodeId === tr.nodeId && o.label === tr.label);
        if (!other) continue;
        let maxDiff = 0;
        let scaleSum = 0;
        let count = 0;
        const n = Math.min(tr.values.length, other.values.length);
        for (let t = 0; t < n; t++) {
          const x = tr.values[t]!;
          const y = other.values[t]!;
          if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
          maxDiff = Math.max(maxDiff, Math.abs(x - y));
          scaleSum += Math.abs(x);
          count++;
        }
        const typical = count > 0 ? scaleSum / count : 0;
        const rel = typical > 0 ? maxDiff / typical : maxDiff;
        if (rel > 1e-9) historyFindings.push({ nodeId: tr.nodeId, label: tr.label, candles: base, compared_with: candles, max_difference: maxDiff, max_relative: rel });
      }
    }
  }
  return {
    lookahead: { passed: findings.length === 0, cuts: cuts.length, findings },
    // Passed: no trade moved and no indicator moved by more than HISTORY_TOLERANCE of its size; smaller
    // differences are still listed.
    history: { passed: runs.every((r) => !r.trades_differ) && historyFindings.every((f) => f.max_relative <= HISTORY_TOLERANCE), runs, findings: historyFindings },
  };
}
