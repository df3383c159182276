import { DEFAULT_SYMBOL, marketOf } from "../nodes/market-props";
import { QUANTITY_STEP, VENUE_FEES, isPerpetual } from "../providers/paper-broker";
import { VENUES, type Venue } from "../providers/types";
import type { CompiledWorkflow } from "../workflow/validate";
import type { EngineMarket } from "./engine";
import type { FullSettings } from "./settings";
import type { Bars, DataSummary } from "./types";

/** Which market each node of a graph reads or trades, and how loaded data becomes the engine's markets. */

export interface NodeMarket {
  nodeId: string;
  venue: Venue;
  symbol: string;
  key: string;
}

/** The provider nodes and the market each reads (its symbol, or the venue's demo market). */
export function providerMarkets(workflow: CompiledWorkflow): NodeMarket[] {
  const out: NodeMarket[] = [];
  for (const b of workflow.blocks) {
    if (b.category !== "providers" || !(VENUES as readonly string[]).includes(b.type)) continue;
    const venue = b.type as Venue;
    const raw = typeof b.props.symbol === "string" ? b.props.symbol.trim() : "";
    const symbol = raw || DEFAULT_SYMBOL[venue];
    out.push({ nodeId: b.id, venue, symbol, key: `${venue}:${symbol}` });
  }
  return out;
}

/** Nodes that name a market of their own (orders, positions, risk gates with a venue property). */
export function tradedMarkets(workflow: CompiledWorkflow): NodeMarket[] {
  const out: NodeMarket[] = [];
  for (const b of workflow.blocks) {
    if (b.category === "providers" || !b.def.properties.some((p) => p.name === "venue")) continue;
    const { venue, symbol } = marketOf(b.props);
    out.push({ nodeId: b.id, venue, symbol, key: `${venue}:${symbol}` });
  }
  return out;
}

export interface LoadedSeries {
  /** The provider nodes that read it. */
  readers: NodeMarket[];
  bars: Bars;
  funding?: { time: Float64Array; rate: Float64Array };
  summary: DataSummary;
  kind: DataSummary["source"];
}

/**
 * Keeps the bars whose open time every series has, so that bar t is the same instant in every market.
 * Returns the aligned series and how many bars each lost.
 */
export function alignSeries(series: LoadedSeries[]): { series: LoadedSeries[]; dropped: number[] } {
  if (series.length <= 1) return { series, dropped: series.map(() => 0) };
  let common = new Set<number>(series[0]!.bars.time);
  for (const s of series.slice(1)) {
    const next = new Set<number>();
    for (const t of s.bars.time) if (common.has(t)) next.add(t);
    common = next;
  }
  const dropped: number[] = [];
  const aligned = series.map((s) => {
    const keep: number[] = [];
    for (let i = 0; i < s.bars.length; i++) if (common.has(s.bars.time[i]!)) keep.push(i);
    dropped.push(s.bars.length - keep.length);
    if (keep.length === s.bars.length) return s;
    const pick = (c: Float64Array) => Float64Array.from(keep, (i) => c[i]!);
    const b = s.bars;
    return { ...s, bars: { length: keep.length, time: pick(b.time), open: pick(b.open), high: pick(b.high), low: pick(b.low), close: pick(b.close), volume: pick(b.volume) } };
  });
  return { series: aligned, dropped };
}

/**
 * The engine's markets: one per loaded series, answering for its readers' markets. With one series, every
 * market a node trades is filled on it (the usual one-market strategy); with several, a traded market
 * must be one a provider reads. Returns notes for the report.
 */
export function engineMarkets(workflow: CompiledWorkflow, series: LoadedSeries[], settings: FullSettings): { markets: EngineMarket[]; notes: string[] } {
  const notes: string[] = [];
  const traded = tradedMarkets(workflow);
  const marketFor = (s: LoadedSeries, at: { venue: Venue; symbol: string; key: string }, keys: string[]): EngineMarket => {
    const venueData = s.kind !== "dataset";
    const perp = isPerpetual(at.venue, at.symbol);
    // Spot venues stay long-only; a dataset or the simulated market may short when the settings allow.
    const allowShort = s.kind === "venue" ? perp : (settings.allow_short ?? (s.kind === "dataset" || perp));
    const fee =
      settings.commission_pct !== null
        ? ((pct: number) => (q: number, p: number) => (q * p * pct) / 100)(settings.commission_pct)
        : venueData
          ? VENUE_FEES[at.venue].fee
          : () => 0;
    return { key: at.key, keys, bars: s.bars, ...(s.funding ? { funding: s.funding } : {}), fee, allowShort, stepSize: settings.step_size ?? (venueData ? QUANTITY_STEP[at.venue] : 0) };
  };
  const markets = series.map((s) => marketFor(s, s.readers[0]!, [...new Set(s.readers.map((r) => r.key))]));
  const known = new Set(markets.flatMap((m) => m.keys));
  for (const t of traded) {
    if (known.has(t.key)) continue;
    known.add(t.key);
    if (markets.length !== 1) continue;
    // With one source, a market no provider reads (a perpetual beside its spot, a demo default) is its own
    // position priced on that source's bars.
    markets.push(marketFor(series[0]!, t, [t.key]));
    notes.push(`Node "${t.nodeId}" trades ${t.venue} ${t.symbol}, which no provider reads: the backtest prices it on ${series[0]!.summary.label}'s bars.`);
  }
  const m0 = markets[0];
  if (m0) {
    const fees = settings.commission_pct !== null ? `${settings.commission_pct}% of each fill` : series[0]!.kind === "dataset" ? "none (a dataset has no venue)" : `the ${series[0]!.readers[0]!.venue} fee model`;
    notes.push(`Fees: ${fees}. Shorts: ${markets.map((m) => `${m.key.replace(":", " ")} ${m.allowShort ? "allowed" : "not allowed"}`).join(", ")}.`);
  }
  return { markets, notes };
}
