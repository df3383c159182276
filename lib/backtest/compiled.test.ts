import { describe, expect, it } from "vitest";
import { fixtureBars, mulberry32 } from "@/test/bars";
import { catalog } from "../nodes";
import { compileWorkflow } from "../runs/compile";
import { TEMPLATES } from "../templates";
import { resolvePorts } from "../workflow/definition";
import type { PortType } from "../workflow/ports";
import { withDefaults } from "../workflow/properties";
import type { CompiledWorkflow } from "../workflow/validate";
import { compileBacktest, runCompiled } from "./compiled";
import { runReference, type EngineInput, type EngineMarket, type EngineOutput } from "./engine";
import { computeStats } from "./stats";
import { emptyBars, STAT_NAMES, type Bars } from "./types";

/**
 * The compiled path against the reference path: every template and a few hundred seeded random graphs,
 * over real candles and synthetic walks, must give the same orders, trades, equity, statistics, indicator
 * traces and failure and rejection counts.
 */

// ---- Data ----

const fixture = (name: string): Bars => fixtureBars(name);

/**
 * A seeded walk of `n` one-minute bars. `tick` rounds every price to a grid, and `flat` is the chance a
 * bar does not move, so equal closes and SMAs landing exactly on a close (ties) are common.
 */
function walk(seed: number, n: number, start: number, vol: number, tick = 0, flat = 0): Bars {
  const r = mulberry32(seed);
  const b = emptyBars(n);
  const round = (x: number) => (tick > 0 ? Math.max(tick, Math.round(x / tick) * tick) : x);
  let p = start;
  for (let i = 0; i < n; i++) {
    const open = round(p);
    if (r() >= flat) p = Math.max(start * 0.05, p * Math.exp((r() - 0.5) * 2 * vol));
    const close = round(p);
    b.time[i] = Date.UTC(2024, 0, 1) + i * 60_000;
    b.open[i] = open;
    b.close[i] = close;
    b.high[i] = round(Math.max(open, close) * (1 + r() * vol * 0.5));
    b.low[i] = round(Math.min(open, close) * (1 - r() * vol * 0.5));
    b.volume[i] = tick > 0 ? Math.round(r() * 20) : 1 + r() * 100;
  }
  return b;
}

/** A walk in (0, 1), as a prediction market's price. */
function probabilityWalk(seed: number, n: number): Bars {
  const r = mulberry32(seed);
  const b = emptyBars(n);
  let p = 0.5;
  for (let i = 0; i < n; i++) {
    const open = p;
    p = Math.min(0.97, Math.max(0.03, p + (r() - 0.5) * 0.04));
    b.time[i] = Date.UTC(2024, 0, 1) + i * 60_000;
    b.open[i] = open;
    b.close[i] = p;
    b.high[i] = Math.min(0.99, Math.max(open, p) + r() * 0.01);
    b.low[i] = Math.max(0.01, Math.min(open, p) - r() * 0.01);
    b.volume[i] = 100 + r() * 1000;
  }
  return b;
}

function sliceOf(b: Bars, start: number, n: number): Bars {
  const end = Math.min(b.length, start + n);
  const pick = (c: Float64Array) => c.slice(start, end);
  return { length: end - start, time: pick(b.time), open: pick(b.open), high: pick(b.high), low: pick(b.low), close: pick(b.close), volume: pick(b.volume) };
}

const BTC = fixture("btcusdt-1m-1440.json");
const LTC = fixture("ltcusdt-1h-48.json");
const DOGE = fixture("dogeusdt-4h.json");
const DATASETS: { name: string; bars: Bars }[] = [
  { name: "btcusdt 1m (first 480)", bars: sliceOf(BTC, 0, 480) },
  { name: "btcusdt 1m (from 900)", bars: sliceOf(BTC, 900, 540) },
  { name: "ltcusdt 1h", bars: LTC },
  { name: "dogeusdt 4h", bars: DOGE },
  { name: "walk", bars: walk(11, 400, 100, 0.004) },
  { name: "walk on a 0.5 grid with flat bars", bars: walk(12, 400, 50, 0.003, 0.5, 0.3) },
  { name: "walk on a 1 grid", bars: walk(13, 300, 20, 0.02, 1, 0.2) },
];

// ---- Settings and inputs ----

interface Scenario {
  fill: "next_open" | "close";
  fee: number;
  slippage: number;
  allowShort: boolean;
  stepSize: number;
  closeAtEnd: boolean;
  stop: number | null;
  take: number | null;
}

const BASE: Scenario = { fill: "next_open", fee: 0.001, slippage: 0, allowShort: false, stepSize: 0, closeAtEnd: true, stop: null, take: null };

function inputOf(compiled: CompiledWorkflow, markets: { key: string; bars: Bars; funding?: EngineMarket["funding"] }[], s: Scenario): EngineInput {
  return {
    compiled,
    markets: markets.map((m) => ({
      key: m.key,
      keys: [m.key],
      bars: m.bars,
      ...(m.funding ? { funding: m.funding } : {}),
      fee: (q: number, p: number) => q * p * s.fee,
      allowShort: s.allowShort,
      stepSize: s.stepSize,
    })),
    settings: {
      cash: 10_000,
      commission_pct: null,
      slippage_bps: s.slippage,
      fill: s.fill,
      allow_short: s.allowShort,
      close_at_end: s.closeAtEnd,
      book_spread_bps: 5,
      book_depth: 10,
      book_level_size: 1_000,
      stop_loss_pct: s.stop,
      take_profit_pct: s.take,
    },
  };
}

// ---- Comparison ----

function close(a: number, b: number): boolean {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Every difference between two engine outputs (empty when they agree). */
function differences(ref: EngineOutput, cmp: EngineOutput, input: EngineInput): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${what}: reference ${JSON.stringify(a)}, compiled ${JSON.stringify(b)}`);
  };
  const num = (what: string, a: number, b: number) => {
    if (!close(a, b)) out.push(`${what}: reference ${a}, compiled ${b}`);
  };
  same("status", ref.status, cmp.status);
  same("barsDone", ref.barsDone, cmp.barsDone);
  same("warmup", ref.warmup, cmp.warmup);
  same("failures", ref.failures, cmp.failures);
  same("ordersRejected", ref.ordersRejected, cmp.ordersRejected);
  same("ordersPlaced", ref.ordersPlaced, cmp.ordersPlaced);
  same("notifications", ref.notifications, cmp.notifications);
  num("commissions", ref.commissions, cmp.commissions);
  same("orders", ref.orders.length, cmp.orders.length);
  for (let k = 0; k < Math.min(ref.orders.length, cmp.orders.length) && out.length === 0; k++) {
    const a = ref.orders[k]!;
    const b = cmp.orders[k]!;
    for (const f of Object.keys(a) as (keyof typeof a)[]) {
      const x = a[f];
      const y = b[f];
      if (typeof x === "number" && typeof y === "number") num(`order ${k} ${f}`, x, y);
      else same(`order ${k} ${f}`, x, y);
    }
  }
  same("trades", ref.trades.length, cmp.trades.length);
  for (let k = 0; k < Math.min(ref.trades.length, cmp.trades.length) && out.length === 0; k++) {
    const a = ref.trades[k]!;
    const b = cmp.trades[k]!;
    for (const f of Object.keys(a) as (keyof typeof a)[]) {
      const x = a[f];
      const y = b[f];
      if (typeof x === "number" && typeof y === "number") num(`trade ${k} ${f}`, x, y);
      else same(`trade ${k} ${f}`, x, y);
    }
  }
  same("equity length", ref.equity.length, cmp.equity.length);
  for (let k = 0; k < ref.equity.length && out.length === 0; k++) num(`equity[${k}]`, ref.equity[k]!, cmp.equity[k]!);
  same("indicators", ref.indicators.map((t) => [t.nodeId, t.label, t.values.length]), cmp.indicators.map((t) => [t.nodeId, t.label, t.values.length]));
  ref.indicators.forEach((tr, j) => {
    const other = cmp.indicators[j];
    if (!other) return;
    for (let k = 0; k < tr.values.length; k++) {
      if (!close(tr.values[k]!, other.values[k]!)) {
        out.push(`trace ${tr.label}[${k}]: reference ${tr.values[k]}, compiled ${other.values[k]}`);
        break;
      }
    }
  });
  if (out.length === 0 && ref.barsDone > 0) {
    const m0 = input.markets[0]!.bars;
    const stats = (o: EngineOutput) =>
      computeStats({ time: m0.time.subarray(0, o.barsDone), close: m0.close.subarray(0, o.barsDone), equity: o.equity, trades: o.trades, warmup: o.warmup, commissions: o.commissions });
    const a = stats(ref);
    const b = stats(cmp);
    for (const name of STAT_NAMES) {
      const x = a[name];
      const y = b[name];
      if (typeof x === "number" && typeof y === "number") num(`stat ${name}`, x, y);
      else same(`stat ${name}`, x, y);
    }
  }
  return out;
}

async function bothPaths(input: EngineInput): Promise<{ ref: EngineOutput; cmp: EngineOutput; diffs: string[] }> {
  const plan = compileBacktest(input.compiled);
  if (!plan.ok) throw new Error(`no compiled form: ${plan.reason}`);
  const ref = await runReference(input);
  const cmp = await runCompiled(input, plan.plan);
  return { ref, cmp, diffs: differences(ref, cmp, input) };
}

// ---- Random graphs ----

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface Out {
  block: string;
  index: number;
  port: string;
  type: PortType;
  kind: string;
}

/** Builds a workflow document, wiring by port name and keeping every output in a pool by type. */
class GraphBuilder {
  readonly blocks: { id: string; category: string; type: string; properties: Record<string, unknown> }[] = [];
  readonly connections: { from: { blockId: string; index: number }; to: { blockId: string; index: number } }[] = [];
  readonly pool: Record<"series" | "number" | "boolean" | "string", Out[]> = { series: [], number: [], boolean: [], string: [] };

  add(category: string, type: string, properties: Record<string, unknown>, wires: Record<string, Out | undefined> = {}): Out[] {
    const def = catalog.get(category, type)!;
    const id = `${type}_${this.blocks.length}`;
    const props = withDefaults(def.properties, properties);
    const ins = resolvePorts(def.inputs, props);
    const outs = resolvePorts(def.outputs, props);
    this.blocks.push({ id, category, type, properties });
    for (const [name, from] of Object.entries(wires)) {
      if (!from) continue;
      const k = ins.findIndex((p) => p.name === name);
      if (k < 0) throw new Error(`${category}/${type} has no input ${name}`);
      this.connections.push({ from: { blockId: from.block, index: from.index }, to: { blockId: id, index: k } });
    }
    const made = outs.map((p, index) => ({ block: id, index, port: p.name, type: p.type, kind: `${category}/${type}` }));
    for (const o of made) if (o.type in this.pool) this.pool[o.type as keyof GraphBuilder["pool"]].push(o);
    return made;
  }

  any(r: Rng, type: keyof GraphBuilder["pool"]): Out | undefined {
    const list = this.pool[type];
    return list.length === 0 ? undefined : pick(r, list);
  }
}

const PERIODS = [1, 2, 3, 5, 9, 14, 20, 20, 30];

/** A random strategy over the market `symbol` (binance) whose prices are about `scale`. */
function randomGraph(seed: number, scale: number): { blocks: unknown[]; connections: unknown[] } {
  const r = mulberry32(seed);
  const g = new GraphBuilder();
  const providers = 1 + (r() < 0.25 ? 1 : 0);
  const candles: Out[] = [];
  for (let k = 0; k < providers; k++) {
    const endpoints = ["candles", ...(r() < 0.5 ? ["price_feed"] : []), ...(r() < 0.15 ? ["balance"] : []), ...(r() < 0.1 ? ["funding_rate"] : [])];
    const symbol = k > 0 && r() < 0.3 ? "ETHUSDT" : "BTCUSDT";
    // The first provider has a usable window; a second may read a short one, or a market with no data.
    const made = g.add("providers", "binance", { symbol, enabled_endpoints: endpoints, candle_limit: k === 0 ? pick(r, [40, 60, 100, 250]) : pick(r, [3, 12, 100]) });
    candles.push(made.find((o) => o.port === "candles")!);
  }
  const primary: Out[] = [];
  candles.forEach((c, k) => {
    const fields = 1 + Math.floor(r() * 2);
    for (let f = 0; f < fields; f++) {
      const [series] = g.add("indicators", "candle_field", { field: pick(r, ["close", "close", "open", "high", "low", "volume", "typical"]) }, { candles: c });
      if (k === 0) primary.push(series!);
    }
  });
  if (r() < 0.2) g.add("triggers", pick(r, ["manual", "interval"]), { every_seconds: 120 });

  const indicators = 2 + Math.floor(r() * 5);
  for (let k = 0; k < indicators; k++) {
    const kind = pick(r, ["sma", "sma", "sma", "ema", "ema", "rsi", "rsi", "macd", "bollinger", "highest", "lowest", "volume_ratio", "crossover", "crossover", "crossover", "spread"]);
    // Mostly a candle field of the first provider, sometimes any series.
    const series = r() < 0.7 ? pick(r, primary) : g.any(r, "series");
    switch (kind) {
      case "sma":
      case "ema":
      case "rsi": {
        const period = r() < 0.1 ? g.add("values", "constant", { value: pick(r, [0, 2.5, 3, 7, -1]) })[0] : undefined;
        g.add("indicators", kind, { period: pick(r, PERIODS) }, { series, period });
        break;
      }
      case "macd":
        g.add("indicators", "macd", { fast: pick(r, [2, 3, 5, 12]), slow: pick(r, [3, 6, 10, 26]), signal: pick(r, [1, 2, 4, 9]) }, { series });
        break;
      case "bollinger":
        g.add("indicators", "bollinger", { period: pick(r, PERIODS), deviations: pick(r, [1, 2, 2.5]) }, { series });
        break;
      case "highest":
      case "lowest":
        g.add("indicators", kind, { period: pick(r, [1, 2, 5, 20]), include_latest: r() < 0.5 }, { series });
        break;
      case "volume_ratio":
        g.add("indicators", "volume_ratio", { period: pick(r, [2, 5, 20]) }, { volume: series });
        break;
      case "crossover": {
        const b = r() < 0.75 ? g.any(r, "series") : undefined;
        g.add("indicators", "crossover", { level: b ? null : pick(r, [50, scale, null]) }, { a: series, b });
        break;
      }
      default:
        g.add("indicators", "spread", { fee_a_pct: 0.1, fee_b_pct: 0.1 }, { price_a: g.any(r, "number"), price_b: g.any(r, "number") });
    }
  }
  // A trading core in most graphs: two moving averages of the first provider's candles crossing,
  // sometimes with two order nodes on one signal.
  if (r() < 0.6) {
    const src = pick(r, primary);
    const p1 = pick(r, [2, 3, 5, 9]);
    const [fast] = g.add("indicators", pick(r, ["sma", "ema"]), { period: p1 }, { series: src });
    const [slow] = g.add("indicators", pick(r, ["sma", "ema", "sma"]), { period: p1 + pick(r, [1, 4, 11]) }, { series: src });
    const [up, down] = g.add("indicators", "crossover", {}, { a: g.pool.series.find((o) => o.block === fast!.block && o.port === "series"), b: g.pool.series.find((o) => o.block === slow!.block && o.port === "series") });
    if (r() < 0.5) {
      g.add("actions", "target_position", { percent: pick(r, [100, 50]), rounding: "step" }, { signal: up });
      g.add("actions", "target_position", { percent: pick(r, [-100, 0, -50]), rounding: "step" }, { signal: down });
    } else {
      g.add("actions", "buy", { amount_unit: pick(r, ["quote", "percent_equity"]), amount: pick(r, [500, 20]) }, { signal: up });
      g.add("actions", "sell", { amount_unit: "percent_equity", amount: pick(r, [10, 30]) }, { signal: down });
    }
    if (r() < 0.4) {
      const extra = pick(r, ["buy", "notify", "ladder"]);
      g.add("actions", extra, { amount_unit: "quote", amount: extra === "ladder" ? (0.05 * 10_000) / scale : 300, side: "buy", max_orders: 2 }, { signal: pick(r, [up, down]), ...(extra === "ladder" ? { prices: src } : {}) });
    }
  }
  if (r() < 0.4) g.add("values", "position", {});
  const numbers = Math.floor(r() * 3);
  for (let k = 0; k < numbers; k++) {
    if (r() < 0.5) g.add("values", "constant", { value: pick(r, [0, 1, 30, 50, 70, scale, scale * 1.001]) });
    else g.add("values", "math", { operation: pick(r, ["+", "-", "*", "/", "min", "max", "abs"]), b: pick(r, [0, 1, 2]) }, { a: g.any(r, "number"), b: r() < 0.5 ? g.any(r, "number") : undefined });
  }
  if (r() < 0.15) g.add("triggers", "price_alert", { above: scale, below: scale * 0.99 }, { price: g.any(r, "number") });

  const conditions = 1 + Math.floor(r() * 4);
  for (let k = 0; k < conditions; k++) {
    const kind = pick(r, ["compare", "compare", "compare", "threshold", "and", "or", "not", "if", "switch"]);
    switch (kind) {
      case "compare": {
        const v2 = r() < 0.6 ? g.any(r, "number") : undefined;
        const op = r() < 0.05 ? g.any(r, "string") : undefined;
        g.add("conditions", "compare", { operator: pick(r, [">", ">=", "<", "<=", "==", "!="]), value2: v2 ? null : pick(r, [30, 50, 70, scale, 0]) }, { value1: g.any(r, "number"), value2: v2, operator: op });
        break;
      }
      case "threshold":
        g.add("conditions", "threshold", { min: pick(r, [null, 30, scale * 0.99]), max: pick(r, [null, 70, scale * 1.01]) }, { value: g.any(r, "number") });
        break;
      case "and":
      case "or":
        g.add("conditions", kind, {}, { input1: g.any(r, "boolean"), input2: g.any(r, "boolean") });
        break;
      case "not":
        g.add("conditions", "not", {}, { input: g.any(r, "boolean") });
        break;
      case "if":
        g.add("conditions", "if", {}, { condition: g.any(r, "boolean") });
        break;
      default:
        g.add("conditions", "switch", { cases: ["true", "0", "50"] }, { value: r() < 0.5 ? g.any(r, "boolean") : g.any(r, "number") });
    }
  }
  const gates = Math.floor(r() * 3);
  for (let k = 0; k < gates; k++) {
    const kind = pick(r, ["max_position", "max_order_value", "daily_loss_limit", "kill_switch", "stop_loss", "take_profit"]);
    const amount = r() < 0.1 ? g.any(r, "number") : undefined;
    if (kind === "stop_loss" || kind === "take_profit") g.add("risk", kind, { percent: pick(r, [0.1, 0.5, 2]) }, { price: r() < 0.5 ? g.any(r, "number") : undefined });
    else
      g.add(
        "risk",
        kind,
        { amount: pick(r, [0.01, 1, 10, 100]), max_position: pick(r, [0.05, 1, 100]), max_value: pick(r, [100, 1000, 5000]), max_daily_loss: pick(r, [1, 50]), engaged: false },
        { signal: g.any(r, "boolean"), amount, engaged: kind === "kill_switch" && r() < 0.3 ? g.any(r, "boolean") : undefined },
      );
  }
  const actions = 1 + Math.floor(r() * 3);
  const unitAmount = { quantity: [(0.05 * 10_000) / scale, (0.2 * 10_000) / scale, 1], quote: [100, 500, 2000], percent_equity: [5, 20, 50] };
  for (let k = 0; k < actions; k++) {
    const kind = pick(r, ["buy", "buy", "sell", "target_position", "target_position", "notify", "ladder", "quote"]);
    const signal = g.any(r, "boolean");
    switch (kind) {
      case "buy":
      case "sell": {
        const unit = pick(r, ["quantity", "quantity", "quote", "percent_equity"] as const);
        const limit = r() < 0.2;
        g.add(
          "actions",
          kind,
          { amount_unit: unit, amount: pick(r, unitAmount[unit]), order_type: limit ? "limit" : "market", price: limit ? scale * pick(r, [0.995, 1, 1.005]) : null },
          { signal, amount: r() < 0.1 ? g.any(r, "number") : undefined, price: limit && r() < 0.5 ? g.any(r, "number") : undefined },
        );
        break;
      }
      case "target_position":
        // Now and then no signal wire but a `signal` property, which an unconnected input reads.
        if (r() < 0.1) g.add("actions", "target_position", { percent: pick(r, [20, -20]), signal: r() < 0.5 });
        else g.add("actions", "target_position", { percent: pick(r, [100, 50, -100, -30, 0]), rounding: pick(r, ["whole", "step"]) }, { signal, percent: r() < 0.1 ? g.any(r, "number") : undefined });
        break;
      case "notify":
        g.add("actions", "notify", { message: "fired {value}" }, { signal, value: g.any(r, "number") });
        break;
      case "ladder":
        g.add("actions", "ladder", { side: pick(r, ["buy", "sell"]), amount: pick(r, unitAmount.quantity), max_orders: pick(r, [1, 3]) }, { signal, prices: g.any(r, "series") });
        break;
      default:
        g.add("actions", "quote", { spread_pct: 1, size: pick(r, unitAmount.quantity), max_inventory: pick(r, unitAmount.quantity) * 3 }, { signal, mid: g.any(r, "number") });
    }
  }
  return { blocks: g.blocks, connections: g.connections };
}

function randomScenario(seed: number): Scenario {
  const r = mulberry32(seed * 7919 + 1);
  return {
    fill: r() < 0.35 ? "close" : "next_open",
    fee: pick(r, [0, 0.001, 0.0005]),
    slippage: pick(r, [0, 0, 3]),
    allowShort: r() < 0.5,
    stepSize: pick(r, [0, 0, 0.001, 1]),
    closeAtEnd: r() < 0.8,
    stop: r() < 0.2 ? pick(r, [0.5, 2]) : null,
    take: r() < 0.2 ? pick(r, [0.5, 3]) : null,
  };
}

// ---- Tests ----

describe("compiled path: the same backtest as the reference path", () => {
  it("gives every template's trades, orders, equity, statistics and traces (several-venue templates on synthetic markets)", async () => {
    const funding = { time: Float64Array.from([BTC.time[100]!, BTC.time[400]!, BTC.time[900]!]), rate: Float64Array.from([0.0001, 0.0005, -0.0002]) };
    for (const template of TEMPLATES) {
      const compiled = compileWorkflow(structuredClone(template.workflow));
      const keys = new Set<string>();
      for (const b of compiled.blocks) {
        if (b.category === "providers") keys.add(`${b.type}:${String(b.props.symbol)}`);
        else if (typeof b.props.venue === "string" && typeof b.props.symbol === "string" && b.props.symbol) keys.add(`${b.props.venue}:${b.props.symbol}`);
      }
      // Binance markets on the BTC candles (with funding), prediction markets on walks in (0, 1), all on the same bar times.
      const aligned = [...keys].map((key, j) => {
        if (key.startsWith("binance")) return { key, bars: BTC, funding };
        const bars = probabilityWalk(5 + j, BTC.length);
        bars.time.set(BTC.time);
        return { key, bars };
      });
      for (const scenario of [BASE, { ...BASE, fill: "close" as const, allowShort: true, slippage: 3 }]) {
        const input = inputOf(compiled, aligned, scenario);
        const plan = compileBacktest(compiled);
        expect(plan.ok, `${template.id}: ${plan.ok ? "" : plan.reason}`).toBe(true);
        const { diffs } = await bothPaths(input);
        expect(diffs, `${template.id} (${scenario.fill})`).toEqual([]);
      }
    }
  });

  it("gives the same results for 250 random graphs over real candles and synthetic walks", { timeout: 120_000 }, async () => {
    let trading = 0;
    let crowded = 0;
    let failing = 0;
    let several = 0;
    for (let seed = 1; seed <= 250; seed++) {
      const data = DATASETS[seed % DATASETS.length]!;
      const scale = data.bars.close[0]!;
      const compiled = compileWorkflow(randomGraph(seed, scale));
      const scenario = randomScenario(seed);
      // Funding on the series some of the time; a second market for a graph reading ETHUSDT, mostly.
      const t = data.bars.time;
      const funding = seed % 4 === 0 ? { time: Float64Array.from([t[5]!, t[Math.floor(t.length / 2)]!]), rate: Float64Array.from([0.0003, -0.0001]) } : undefined;
      const markets: { key: string; bars: Bars; funding?: EngineMarket["funding"] }[] = [{ key: "binance:BTCUSDT", bars: data.bars, ...(funding ? { funding } : {}) }];
      if (seed % 3 !== 0 && compiled.blocks.some((b) => b.props.symbol === "ETHUSDT")) {
        const eth = walk(seed, data.bars.length, 2_000, 0.005);
        eth.time.set(t);
        markets.push({ key: "binance:ETHUSDT", bars: eth });
        several++;
      }
      const input = inputOf(compiled, markets, scenario);
      const { ref, diffs } = await bothPaths(input);
      expect(diffs, `seed ${seed} on ${data.name} (${JSON.stringify(scenario)})`).toEqual([]);
      if (ref.trades.length > 0) trading++;
      if (ref.failures.length > 0) failing++;
      // Orders from two nodes on one bar: their order comes from the scheduler model.
      const byBar = new Map<number, Set<string>>();
      for (const o of ref.orders) byBar.set(o.placedBar, (byBar.get(o.placedBar) ?? new Set()).add(o.clientOrderId.split("#")[0]!));
      if ([...byBar.values()].some((s) => s.size > 1)) crowded++;
    }
    // The graphs exercise what they are meant to.
    expect(trading).toBeGreaterThan(100);
    expect(crowded).toBeGreaterThan(20);
    expect(failing).toBeGreaterThan(20);
    expect(several).toBeGreaterThan(5);
  });

  it("gives the same results without code generation (the per-node loop)", async () => {
    for (const seed of [3, 11, 42, 77, 101]) {
      const data = DATASETS[seed % DATASETS.length]!;
      const compiled = compileWorkflow(randomGraph(seed, data.bars.close[0]!));
      const input = inputOf(compiled, [{ key: "binance:BTCUSDT", bars: data.bars }], randomScenario(seed));
      const plan = compileBacktest(compiled);
      if (!plan.ok) throw new Error(plan.reason);
      expect(plan.plan.makePass).not.toBeNull();
      const out = await runCompiled(input, { ...plan.plan, makePass: null });
      expect(differences(await runReference(input), out, input), `seed ${seed}`).toEqual([]);
    }
  });

  it("gives the same output when it reports progress and yields", async () => {
    const compiled = compileWorkflow(structuredClone(TEMPLATES.find((t) => t.id === "macd-crossover")!.workflow));
    const input = inputOf(compiled, [{ key: "binance:BTCUSDT", bars: BTC }], BASE);
    const plan = compileBacktest(compiled);
    if (!plan.ok) throw new Error(plan.reason);
    const seen: number[] = [];
    const out = await runCompiled(input, plan.plan, { progressEveryMs: 0, onProgress: (p) => seen.push(p.bars_done) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d, k) => d > (seen[k - 1] ?? 0) && d <= BTC.length)).toBe(true);
    expect(differences(await runReference(input), out, input)).toEqual([]);
  });

  it("uses the reference path for a node without a step form, and says which", () => {
    const doc = (type: string) => ({
      blocks: [
        { id: "btc", category: "providers", type: "binance", properties: { symbol: "BTCUSDT", enabled_endpoints: ["price_feed"] } },
        type === "delay" ? { id: "wait", category: "values", type: "delay", properties: { ms: 0 } } : { id: "drop", category: "actions", type: "cancel", properties: {} },
      ],
      connections: type === "delay" ? [{ from: { blockId: "btc", index: 0 }, to: { blockId: "wait", index: 0 } }] : [],
    });
    const delay = compileBacktest(compileWorkflow(doc("delay")));
    expect(delay).toEqual({ ok: false, reason: 'node "wait" (values/delay) has no compiled step form' });
    const cancel = compileBacktest(compileWorkflow(doc("cancel")));
    expect(cancel).toEqual({ ok: false, reason: 'node "drop" (actions/cancel) has no compiled step form' });
  });

  it("uses the reference path when the executor's concurrency cap would order the nodes", () => {
    const blocks = Array.from({ length: 16 }, (_, k) => ({ id: `p${k}`, category: "providers", type: "binance", properties: { symbol: "BTCUSDT", enabled_endpoints: ["price_feed"] } }));
    const plan = compileBacktest(compileWorkflow({ blocks, connections: [] }));
    expect(plan.ok).toBe(false);
    expect(plan.ok ? "" : plan.reason).toMatch(/16 asynchronous nodes/);
  });

  it("keeps a running-sum SMA exact where a crossover decides on a tie", async () => {
    // Closes on a 0.5 grid with flat stretches: SMA(4) lands exactly on the close on many bars.
    const bars = walk(3, 2_000, 50, 0.003, 0.5, 0.4);
    const compiled = compileWorkflow({
      blocks: [
        { id: "btc", category: "providers", type: "binance", properties: { symbol: "BTCUSDT", enabled_endpoints: ["candles"], candle_limit: 50 } },
        { id: "close", category: "indicators", type: "candle_field", properties: { field: "close" } },
        { id: "sma", category: "indicators", type: "sma", properties: { period: 4 } },
        { id: "cross", category: "indicators", type: "crossover", properties: {} },
        { id: "long", category: "actions", type: "target_position", properties: { percent: 100 } },
        { id: "flat", category: "actions", type: "target_position", properties: { percent: 0 } },
      ],
      connections: [
        { from: { blockId: "btc", index: 0 }, to: { blockId: "close", index: 0 } },
        { from: { blockId: "close", index: 0 }, to: { blockId: "sma", index: 0 } },
        { from: { blockId: "close", index: 0 }, to: { blockId: "cross", index: 0 } },
        { from: { blockId: "sma", index: 1 }, to: { blockId: "cross", index: 1 } },
        { from: { blockId: "cross", index: 0 }, to: { blockId: "long", index: 0 } },
        { from: { blockId: "cross", index: 1 }, to: { blockId: "flat", index: 0 } },
      ],
    });
    const input = inputOf(compiled, [{ key: "binance:BTCUSDT", bars }], BASE);
    const { ref, diffs } = await bothPaths(input);
    expect(diffs).toEqual([]);
    let ties = 0;
    const sma = ref.indicators[0]!.values;
    for (let t = 0; t < bars.length; t++) if (sma[t] === bars.close[t]) ties++;
    expect(ties).toBeGreaterThan(100);
    expect(ref.trades.length).toBeGreaterThan(50);
  });

  it("stops at once when cancelled, like the reference path", async () => {
    const compiled = compileWorkflow(structuredClone(TEMPLATES.find((t) => t.id === "ema-cross")!.workflow));
    const input = inputOf(compiled, [{ key: "binance:BTCUSDT", bars: BTC }], BASE);
    const plan = compileBacktest(compiled);
    if (!plan.ok) throw new Error(plan.reason);
    const signal = AbortSignal.abort();
    const out = await runCompiled(input, plan.plan, { signal });
    const ref = await runReference(input, { signal });
    expect(out.status).toBe("cancelled");
    expect(differences(ref, out, input)).toEqual([]);
  });
});
