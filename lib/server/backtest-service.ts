import "server-only";
import { compileWorkflow } from "../runs/compile";
import { RunRefusal } from "../runs/errors";
import { runReference, type EngineInput, type EngineOutput } from "../backtest/engine";
import { compileBacktest, runCompiled } from "../backtest/compiled";
import { buildReport } from "../backtest/report";
import { alignSeries, engineMarkets, providerMarkets, tradedMarkets, type LoadedSeries, type NodeMarket } from "../backtest/plan";
import { simulatedBars, simulatedFunding, startOfUtcDay } from "../backtest/simulated";
import { isPerpetual } from "../providers/paper-broker";
import { withDefaults, type BacktestRequest, type DataSourceInput, type FullSettings } from "../backtest/settings";
import { parseBarsCsv, CsvError, inferInterval } from "../backtest/csv";
import { runChecks, type CheckResult } from "../backtest/checks";
import type { BacktestProgress, BacktestRecord, DataSummary, DatasetSummary } from "../backtest/types";
import type { CompiledWorkflow } from "../workflow/validate";
import type { CandleInterval } from "../providers/types";
import { getWorkflow } from "../db/workflows";
import { createBacktest } from "../db/backtests";
import { createDataset, getDataset } from "../db/datasets";
import { HistoryError, loadFunding, loadVenueBars } from "./history";
import { maxBodyBytes } from "./http";

/**
 * Backtests for the API and the command line: loads the data a request names (datasets, venue history
 * through the candle store, the simulated market), runs the engine, builds the report and stores it.
 * Bad requests are RunRefusals naming what is wrong.
 */

/** The most bars one backtest may replay (MAX_BACKTEST_BARS overrides). */
export function maxBacktestBars(): number {
  const v = Number(process.env.MAX_BACKTEST_BARS);
  return Number.isInteger(v) && v > 0 ? v : 5_000_000;
}

export interface BacktestHooks {
  signal?: AbortSignal;
  onProgress?: (p: BacktestProgress) => void;
}

/**
 * The perpetual whose funding a Binance series should carry: its own, or its spot's perpetual when a
 * reader reads funding or the graph trades that perpetual. Null when nothing needs funding.
 */
function fundingSymbol(workflow: CompiledWorkflow, readers: NodeMarket[]): string | null {
  const r = readers[0]!;
  if (r.venue !== "binance") return null;
  const perp = /-PERP$/i.test(r.symbol) ? r.symbol : `${r.symbol}-PERP`;
  const reads = workflow.blocks.some((b) => readers.some((x) => x.nodeId === b.id) && Array.isArray(b.props.enabled_endpoints) && b.props.enabled_endpoints.some((e) => e === "funding_rate" || e === "mark_price"));
  const trades = tradedMarkets(workflow).some((t) => t.venue === "binance" && t.symbol.toUpperCase() === perp.toUpperCase());
  return perp === r.symbol || reads || trades ? perp : null;
}

async function loadSource(source: DataSourceInput, readers: NodeMarket[], hooks: BacktestHooks, fundingOf: string | null): Promise<LoadedSeries[]> {
  const limit = maxBacktestBars();
  if ("dataset_id" in source) {
    const ds = await getDataset(source.dataset_id);
    if (!ds) throw new RunRefusal("unknown_dataset", `dataset "${source.dataset_id}" does not exist`, "Upload it with POST /api/datasets, or pick one from GET /api/datasets.");
    if (ds.bars > limit) throw new RunRefusal("too_many_bars", `dataset "${ds.name}" has ${ds.bars} bars, more than the limit of ${limit}`, "Set MAX_BACKTEST_BARS to raise it.");
    return [{ readers, bars: ds.data, kind: "dataset", summary: summaryOf("dataset", `dataset ${ds.name}`, readers, ds.interval, ds.data) }];
  }
  if ("simulated" in source) {
    const { seed, interval, bars: count } = source.simulated;
    if (count > limit) throw new RunRefusal("too_many_bars", `${count} simulated bars are more than the limit of ${limit}`, "Set MAX_BACKTEST_BARS to raise it.");
    const end = source.simulated.end ? Date.parse(source.simulated.end) : startOfUtcDay(Date.now());
    // Each distinct market gets its own simulated path, so a several-market strategy sees several markets.
    const byKey = new Map<string, NodeMarket[]>();
    for (const r of readers) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    const out: LoadedSeries[] = [];
    for (const group of byKey.values()) {
      const m = group[0]!;
      const bars = simulatedBars({ venue: m.venue, symbol: m.symbol }, interval, count, end, seed);
      // A simulated perpetual pays the simulated market's funding.
      const perp = isPerpetual(m.venue, m.symbol) ? m.symbol : fundingOf;
      const funding = perp ? await simulatedFunding(perp, bars.time[0]!, bars.time[bars.length - 1]!, seed) : undefined;
      out.push({ readers: group, bars, kind: "simulated", ...(funding ? { funding } : {}), summary: summaryOf("simulated", `simulated ${m.venue} ${m.symbol} (seed ${seed ?? 1})`, group, interval, bars) });
    }
    return out;
  }
  const from = Date.parse(source.from);
  const to = Date.parse(source.to);
  if (!(from <= to)) throw new RunRefusal("bad_data_request", `the range starts after it ends: ${source.from} > ${source.to}`);
  try {
    const loaded = await loadVenueBars({ venue: source.venue, symbol: source.symbol, interval: source.interval as CandleInterval, from, to }, { signal: hooks.signal });
    if (loaded.bars.length === 0) throw new RunRefusal("no_data", `${source.venue} has no ${source.symbol} ${source.interval} bars between ${source.from} and ${source.to}`, "Pick another range or market.");
    if (loaded.bars.length > limit) throw new RunRefusal("too_many_bars", `${loaded.bars.length} bars are more than the limit of ${limit}`, "Pick a shorter range or a longer interval, or set MAX_BACKTEST_BARS.");
    const rates = fundingOf ? await loadFunding(source.venue, fundingOf, from, to, { signal: hooks.signal }) : [];
    const funding = rates.length > 0 ? { time: Float64Array.from(rates, (r) => r.time), rate: Float64Array.from(rates, (r) => r.rate) } : undefined;
    return [{ readers, bars: loaded.bars, kind: "venue", ...(funding ? { funding } : {}), summary: { ...loaded.summary, nodes: readers.map((r) => r.nodeId) } }];
  } catch (error) {
    if (error instanceof HistoryError) throw new RunRefusal("history_unavailable", error.message, { venue: error.venue, from: new Date(error.from).toISOString(), to: new Date(error.to).toISOString(), fetched_bars: error.fetchedBars });
    if (error instanceof Error && error.message.startsWith("history:")) throw new RunRefusal("bad_data_request", error.message);
    throw error;
  }
}

function summaryOf(source: DataSummary["source"], label: string, readers: NodeMarket[], interval: string, bars: EngineInput["markets"][number]["bars"]): DataSummary {
  return {
    source,
    label,
    nodes: readers.map((r) => r.nodeId),
    interval,
    bars: bars.length,
    from: bars.length ? new Date(bars.time[0]!).toISOString() : null,
    to: bars.length ? new Date(bars.time[bars.length - 1]!).toISOString() : null,
    gaps: [],
    duplicates: 0,
  };
}

/** The loaded, aligned data of a request, and the engine input. */
export async function prepareBacktest(workflow: CompiledWorkflow, data: BacktestRequest["data"], settings: FullSettings, hooks: BacktestHooks = {}): Promise<{ input: EngineInput; summaries: DataSummary[]; notes: string[] }> {
  const providers = providerMarkets(workflow);
  if (providers.length === 0) {
    throw new RunRefusal("no_provider", "the workflow has no provider node: a backtest replays the market data a provider node reads", "Add a Binance, Polymarket or Kalshi node.");
  }
  let groups: { source: DataSourceInput; readers: NodeMarket[] }[];
  if ("by_node" in data) {
    const ids = new Set(providers.map((p) => p.nodeId));
    const unknown = Object.keys(data.by_node).filter((id) => !ids.has(id));
    if (unknown.length) throw new RunRefusal("bad_data_request", `data.by_node names ${unknown.map((u) => `"${u}"`).join(", ")}, which ${unknown.length === 1 ? "is not a provider node" : "are not provider nodes"} of the workflow`, { provider_nodes: [...ids] });
    const missing = providers.filter((p) => !(p.nodeId in data.by_node));
    if (missing.length) throw new RunRefusal("bad_data_request", `data.by_node gives no data for provider node${missing.length === 1 ? "" : "s"} ${missing.map((m) => `"${m.nodeId}"`).join(", ")}`, { provider_nodes: [...ids] });
    groups = providers.map((p) => ({ source: data.by_node[p.nodeId]!, readers: [p] }));
  } else {
    groups = [{ source: data, readers: providers }];
  }
  const loaded: LoadedSeries[] = [];
  for (const g of groups) loaded.push(...(await loadSource(g.source, g.readers, hooks, fundingSymbol(workflow, g.readers))));
  return assembleBacktest(workflow, loaded, settings);
}

/** The engine input for loaded series: aligned, with their markets, and the notes the report needs. */
export function assembleBacktest(workflow: CompiledWorkflow, loaded: LoadedSeries[], settings: FullSettings): { input: EngineInput; summaries: DataSummary[]; notes: string[] } {
  for (const s of loaded) {
    if (s.bars.length < 2) throw new RunRefusal("no_data", `${s.summary.label} has ${s.bars.length} bar${s.bars.length === 1 ? "" : "s"}; a backtest needs at least 2`);
  }
  const { series, dropped } = alignSeries(loaded);
  const notes: string[] = [];
  dropped.forEach((d, i) => {
    if (d > 0) notes.push(`${d} bars of ${series[i]!.summary.label} were left out: the other markets have no bar at those times.`);
  });
  if (series[0]!.bars.length < 2) throw new RunRefusal("no_data", "the markets' data have fewer than 2 bar times in common", series.map((s) => s.summary));
  const { markets, notes: planNotes } = engineMarkets(workflow, series, settings);
  notes.push(...planNotes);
  for (const s of series) {
    const asked = new Set(workflow.blocks.filter((b) => s.readers.some((r) => r.nodeId === b.id)).map((b) => String(b.props.candle_interval)));
    const other = [...asked].filter((i) => i !== s.summary.interval);
    if (other.length) notes.push(`The provider asks for ${other.join(", ")} candles; the backtest replays ${s.summary.label}'s ${s.summary.interval} bars.`);
    const g = s.summary.gaps.reduce((n, x) => n + x.bars, 0);
    if (g > 0) notes.push(`${s.summary.label}: ${g} missing bar${g === 1 ? "" : "s"} in ${s.summary.gaps.length} gap${s.summary.gaps.length === 1 ? "" : "s"} (not filled).`);
    if (s.summary.duplicates > 0) notes.push(`${s.summary.label}: ${s.summary.duplicates} duplicate bars from the venue were kept once.`);
  }
  return { input: { compiled: workflow, markets, settings }, summaries: series.map((s) => s.summary), notes };
}

/** Runs the engine on prepared input: the compiled path when the graph has one, else the reference path. */
export async function runEngine(input: EngineInput, hooks: BacktestHooks = {}): Promise<{ output: EngineOutput; path: "compiled" | "reference"; reason?: string }> {
  const plan = compileBacktest(input.compiled);
  if (plan.ok) return { output: await runCompiled(input, plan.plan, hooks), path: "compiled" };
  return { output: await runReference(input, hooks), path: "reference", reason: plan.reason };
}

/** Runs a backtest request end to end and stores it. */
export async function runBacktest(request: BacktestRequest, hooks: BacktestHooks = {}): Promise<BacktestRecord & { check?: CheckResult }> {
  let document: unknown = request.workflow;
  let target: { workflowId: string; version: number } | null = null;
  if (request.workflow_id !== undefined) {
    const saved = await getWorkflow(request.workflow_id);
    if (!saved) throw new RunRefusal("unknown_workflow", `workflow "${request.workflow_id}" does not exist`);
    document = saved.workflow;
    target = { workflowId: saved.id, version: saved.version };
  }
  const workflow = compileWorkflow(document);
  const settings = withDefaults(request.settings);
  const started = performance.now();
  const { input, summaries, notes } = await prepareBacktest(workflow, request.data, settings, hooks);
  const { output, path, reason } = await runEngine(input, hooks);
  const report = buildReport(input, output, { path, ...(reason ? { reason } : {}), bars_per_second: output.seconds > 0 ? Math.round(output.barsDone / output.seconds) : 0 }, notes);
  const check =
    request.check && output.status === "completed" ? await runChecks(input, output, hooks.signal ? { signal: hooks.signal } : {}, async (i, h) => (await runEngine(i, h)).output) : undefined;
  const record = await createBacktest({
    workflowId: target?.workflowId ?? null,
    version: target?.version ?? null,
    document: workflow.document,
    status: output.status,
    data: summaries,
    settings,
    report: check ? { ...report, check } as typeof report : report,
    error: null,
    durationMs: performance.now() - started,
  });
  return record;
}

/** Parses and stores an uploaded CSV dataset; a bad file is refused with its row and column. */
export async function uploadDataset(name: string, csv: string): Promise<DatasetSummary> {
  try {
    const parsed = parseBarsCsv(csv, { maxBytes: maxBodyBytes(), maxBars: maxBacktestBars() });
    return await createDataset(name, parsed.bars, parsed.interval || inferInterval(parsed.bars.time));
  } catch (error) {
    if (error instanceof CsvError) throw new RunRefusal("bad_dataset", error.message, { row: error.row, column: error.column });
    throw error;
  }
}
