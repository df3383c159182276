import { Cron } from "croner";
import { catalog } from "../nodes";
import { clientOrderId } from "../nodes/actions";
import { compare, COMPARE_OPERATORS } from "../nodes/conditions";
import { describe, optionalNumber, requireBoolean, requireNumber, signalOf } from "../nodes/inputs";
import { DEFAULT_SYMBOL, marketOf } from "../nodes/market-props";
import type { Venue } from "../providers/types";
import { resolvePorts } from "../workflow/definition";
import { IndexHeap } from "../workflow/graph";
import type { CompiledBlock, CompiledWorkflow } from "../workflow/validate";
import type { BacktestAccount, Side, Sizing } from "./account";
import { accountFor, finish, yieldToEventLoop, type EngineHooks, type EngineInput, type EngineOutput, type IndicatorTrace } from "./engine";
import { MAX_WINDOW, ReplayMarket, lastAtOrBefore } from "./replay-market";

/**
 * The compiled path: the graph compiled once into a synchronous step per node, run bar by bar over the
 * bars' Float64Array columns with streaming indicator state, against the same BacktestAccount and
 * finish() as the reference path (engine.ts), so fills are identical by construction.
 *
 * It means what the reference path means, bar for bar:
 * - Each provider's candle window (its candle_limit, at most MAX_WINDOW bars up to the current one), the
 *   executor's rules (a node that throws fails and its downstream is skipped; signals gate actions), the
 *   warm-up, the indicator traces and the failure and rejection counts.
 * - Indicator values are ta.ts's, computed in its arithmetic order over the same window, so they agree
 *   bit for bit. The one exception is an SMA (or a volume ratio's average) whose outputs only reach
 *   comparisons: it keeps a running sum, within a proven bound of ta.ts's value, and a crossover or
 *   comparison within that bound of its decision recomputes the exact windowed mean first.
 * - The executor's order of side effects. A bar is first evaluated in topological order with its orders
 *   held back; when their order could matter (orders from two nodes, a market order filling at the close,
 *   two new failure messages) the bar is evaluated again through a model of the executor's scheduler:
 *   its ready heap, and each asynchronous node's microtask hops as its run function awaits. The hop counts
 *   follow the node definitions' awaits: a change there changes the order, which the equivalence test
 *   (compiled.test.ts) catches.
 *
 * compileBacktest refuses (and the backtest uses the reference path) a graph with a node type that has no
 * step form here (delay, cancel), sixteen or more asynchronous nodes (the executor's concurrency cap
 * would order them), or wiring whose value this path does not model (order or position lists read by
 * other nodes, a series given as a fixed property, a period computed by another node).
 */

// ---- The plan: what compileBacktest decides from the graph alone ----

/** A node's status in a bar: 0 skipped (or not run yet). */
const OK = 1;
const FAILED = 2;

const SYNC_KINDS = new Set([
  "triggers/manual",
  "triggers/interval",
  "triggers/schedule",
  "triggers/price_alert",
  "indicators/candle_field",
  "indicators/sma",
  "indicators/ema",
  "indicators/rsi",
  "indicators/macd",
  "indicators/bollinger",
  "indicators/crossover",
  "indicators/highest",
  "indicators/lowest",
  "indicators/volume_ratio",
  "indicators/spread",
  "indicators/grid_levels",
  "conditions/threshold",
  "conditions/compare",
  "conditions/and",
  "conditions/or",
  "conditions/not",
  "conditions/if",
  "conditions/switch",
  "values/constant",
  "values/math",
]);
const ASYNC_KINDS = new Set([
  "providers/binance",
  "providers/polymarket",
  "providers/kalshi",
  "values/position",
  "risk/max_position",
  "risk/max_order_value",
  "risk/daily_loss_limit",
  "risk/kill_switch",
  "risk/stop_loss",
  "risk/take_profit",
  "actions/buy",
  "actions/sell",
  "actions/target_position",
  "actions/notify",
  "actions/ladder",
  "actions/quote",
]);

/** The executor's default concurrency cap: with fewer asynchronous nodes than this it never binds. */
const MAX_ASYNC_NODES = 16;

/** Outputs whose value (orders, positions, books) no other node may read on this path, except a notification's text. */
function opaquePort(b: CompiledBlock, port: string): boolean {
  if (b.category === "providers") return port === "positions" || port === "orderbook";
  if (b.category === "actions") return port === "order" || port === "orders" || port === "bid" || port === "ask";
  return false;
}

/** Input ports that take a series. */
const SERIES_INPUTS: Record<string, readonly string[]> = {
  "indicators/sma": ["series"],
  "indicators/ema": ["series"],
  "indicators/rsi": ["series"],
  "indicators/macd": ["series"],
  "indicators/bollinger": ["series"],
  "indicators/crossover": ["a", "b"],
  "indicators/highest": ["series"],
  "indicators/lowest": ["series"],
  "indicators/volume_ratio": ["volume"],
  "actions/ladder": ["prices"],
};

/** Consumers a running-sum value may feed: they refine near their decision. */
const REFINING_NUMBER_INPUTS = new Set(["conditions/compare:value1", "conditions/compare:value2", "conditions/threshold:value"]);
const REFINING_SERIES_INPUTS = new Set(["indicators/crossover:a", "indicators/crossover:b"]);

interface PlanNode {
  kind: string;
  async: boolean;
  /** An SMA, or a volume ratio's average, kept as a running sum (see the file's comment). */
  rolling: boolean;
}

/** A graph compiled for the compiled path; bound to data by runCompiled. */
export interface BacktestPlan {
  readonly workflow: CompiledWorkflow;
  readonly nodes: readonly PlanNode[];
  /** Makes the per-bar topological pass over a run's steps (see passFactory); null where code generation is refused. */
  readonly makePass: PassFactory | null;
}

/** What a generated pass closes over: the run's steps and the per-bar state it writes. */
type PassFactory = (steps: readonly Step[], st: Uint8Array, settle: Int32Array, bar: Bar, effects: Effect[], effStart: Int32Array, effEnd: Int32Array, failed: (i: number, err: unknown) => void) => () => void;

/**
 * Generated passes by source. The source is a function of the graph's shape alone (node indices), so a
 * graph backtested again, or another of the same shape, reuses the function and the JIT's work on it.
 */
const PASS_CACHE = new Map<string, PassFactory>();
const PASS_CACHE_SIZE = 256;

/**
 * The topological pass written out per node, so that each step is called from a call site of its own
 * (which the JIT can inline): a node runs when all its upstream nodes succeeded, else it is skipped.
 * Built from node indices only. Null where code generation is refused (a Content-Security-Policy).
 */
function passFactory(workflow: CompiledWorkflow): PassFactory | null {
  const preds: number[][] = workflow.blocks.map(() => []);
  workflow.successors.forEach((list, i) => list.forEach((j) => preds[j]!.push(i)));
  const lines: string[] = [];
  for (const i of workflow.order) {
    const ready = preds[i]!.map((p) => `st[${p}] === ${OK}`).join(" && ") || "true";
    const effectful = workflow.blocks[i]!.category === "actions";
    const open = effectful ? `bar.node = ${i}; effStart[${i}] = effects.length; ` : "";
    const close = effectful ? ` effEnd[${i}] = effects.length;` : "";
    lines.push(`if (${ready}) { bar.hop = 0; ${open}try { settle[${i}] = s${i}(); st[${i}] = ${OK}; } catch (err) { failed(${i}, err); }${close} } else st[${i}] = 0;`);
  }
  const steps = workflow.blocks.map((_, i) => `const s${i} = steps[${i}];`).join(" ");
  const source = `"use strict"; ${steps}\nreturn function pass() {\n${lines.join("\n")}\n};`;
  const cached = PASS_CACHE.get(source);
  if (cached) return cached;
  try {
    const made = new Function("steps", "st", "settle", "bar", "effects", "effStart", "effEnd", "failed", source) as PassFactory;
    if (PASS_CACHE.size >= PASS_CACHE_SIZE) PASS_CACHE.clear();
    PASS_CACHE.set(source, made);
    return made;
  } catch {
    return null;
  }
}

interface Consumer {
  block: number;
  input: string;
}

function kindOf(b: CompiledBlock): string {
  return `${b.category}/${b.type}`;
}

/** The connected source of input `name` of block b, if any. */
function sourceOf(workflow: CompiledWorkflow, b: CompiledBlock, name: string): { block: number; port: string } | undefined {
  const k = b.inputs.findIndex((p) => p.name === name);
  return k < 0 ? undefined : workflow.inputSources[b.index]![k];
}

/** The value an unconnected input reads: the property of the same name, when the block lists the port. */
function staticInput(b: CompiledBlock, name: string): unknown {
  return b.inputs.some((p) => p.name === name) && name in b.props ? b.props[name] : undefined;
}

/** Sources producing one global column per bar index (a candle field, an SMA of such a series). */
function globalSeries(global: readonly boolean[], src: { block: number; port: string } | undefined): boolean {
  return src !== undefined && src.port === "series" && global[src.block] === true;
}

/**
 * Compiles a validated workflow for the compiled path, or says why it must run on the reference path.
 * Pure: looks at the graph only; runCompiled binds the plan to the data.
 */
export function compileBacktest(workflow: CompiledWorkflow): { ok: true; plan: BacktestPlan } | { ok: false; reason: string } {
  const { blocks } = workflow;
  const consumers: Map<string, Consumer[]>[] = blocks.map(() => new Map());
  blocks.forEach((b, j) => {
    b.inputs.forEach((p, k) => {
      const src = workflow.inputSources[j]![k];
      if (!src) return;
      const list = consumers[src.block]!.get(src.port) ?? [];
      list.push({ block: j, input: p.name });
      consumers[src.block]!.set(src.port, list);
    });
  });

  let asyncCount = 0;
  for (const b of blocks) {
    const kind = kindOf(b);
    if (catalog.get(b.category, b.type) !== b.def) return { ok: false, reason: `node "${b.id}" (${kind}) is not the catalog's definition of its type` };
    if (!SYNC_KINDS.has(kind) && !ASYNC_KINDS.has(kind)) return { ok: false, reason: `node "${b.id}" (${kind}) has no compiled step form` };
    if (ASYNC_KINDS.has(kind)) asyncCount++;
    for (const [port, list] of consumers[b.index]!) {
      for (const c of list) {
        const to = blocks[c.block]!;
        const toKind = kindOf(to);
        if (opaquePort(b, port) && !(toKind === "actions/notify" && c.input === "value")) {
          return { ok: false, reason: `node "${to.id}" reads "${port}" of "${b.id}", a value the compiled path does not model` };
        }
        if (b.category === "providers" && port === "candles" && toKind !== "indicators/candle_field") {
          return { ok: false, reason: `node "${to.id}" reads the candles of "${b.id}" directly` };
        }
      }
    }
    for (const name of SERIES_INPUTS[kind] ?? []) {
      if (!sourceOf(workflow, b, name) && Array.isArray(staticInput(b, name))) return { ok: false, reason: `input "${name}" of "${b.id}" is a fixed list` };
    }
    if (kind === "indicators/candle_field" && !sourceOf(workflow, b, "candles") && Array.isArray(staticInput(b, "candles"))) {
      return { ok: false, reason: `input "candles" of "${b.id}" is a fixed list` };
    }
    if (kind === "indicators/candle_field") {
      const src = sourceOf(workflow, b, "candles");
      if (src && blocks[src.block]!.category !== "providers") return { ok: false, reason: `"${b.id}" reads candles from "${blocks[src.block]!.id}", not from a provider` };
    }
    if (kind === "indicators/sma" || kind === "indicators/ema" || kind === "indicators/rsi") {
      const src = sourceOf(workflow, b, "period");
      if (src && kindOf(blocks[src.block]!) !== "values/constant") return { ok: false, reason: `the period of "${b.id}" is computed by "${blocks[src.block]!.id}"` };
    }
  }
  if (asyncCount >= MAX_ASYNC_NODES) {
    return { ok: false, reason: `the graph has ${asyncCount} asynchronous nodes: at ${MAX_ASYNC_NODES} or more the executor's concurrency cap decides their order` };
  }

  // Global columns and running sums, in topological order.
  const global = blocks.map(() => false);
  const nodes: PlanNode[] = blocks.map((b) => ({ kind: kindOf(b), async: ASYNC_KINDS.has(kindOf(b)), rolling: false }));
  const onlyRefining = (i: number, ports: Record<string, Set<string>>) => {
    for (const [port, list] of consumers[i]!) {
      const allowed = ports[port];
      if (!allowed) continue;
      for (const c of list) if (!allowed.has(`${kindOf(blocks[c.block]!)}:${c.input}`)) return false;
    }
    return true;
  };
  for (const i of workflow.order) {
    const b = blocks[i]!;
    const kind = nodes[i]!.kind;
    if (kind === "indicators/candle_field") global[i] = sourceOf(workflow, b, "candles") !== undefined;
    if (kind === "indicators/sma") {
      global[i] = globalSeries(global, sourceOf(workflow, b, "series"));
      nodes[i]!.rolling = global[i]! && onlyRefining(i, { value: REFINING_NUMBER_INPUTS, series: REFINING_SERIES_INPUTS });
    }
    if (kind === "indicators/volume_ratio") {
      nodes[i]!.rolling = globalSeries(global, sourceOf(workflow, b, "volume")) && onlyRefining(i, { ratio: REFINING_NUMBER_INPUTS, average: REFINING_NUMBER_INPUTS });
    }
  }
  return { ok: true, plan: { workflow, nodes, makePass: passFactory(workflow) } };
}

// ---- Values: slots written by each node's step, read by its successors ----

const UNDEF = 0;
const NULL = 1;
const NUM = 2;
const BOOL = 3;
const STR = 4;
const SERIES = 5;
const CANDLES = 6;
const OPAQUE = 7;
const OTHER = 8;

const EMPTY = new Float64Array(0);
/** Unit roundoff of binary64. */
const U = 2 ** -53;

/** A series as a node sees it: buf[end - len, end), oldest first. */
class View {
  buf: Float64Array = EMPTY;
  end = 0;
  len = 0;
  /** Position in the series of its first non-finite value, -1 when none. */
  bad = -1;
  at(k: number): number {
    return this.buf[this.end - this.len + k]!;
  }
  toArray(): number[] {
    const out: number[] = new Array(this.len);
    for (let k = 0; k < this.len; k++) out[k] = this.at(k);
    return out;
  }
}

class Slots {
  kind: Uint8Array;
  num: Float64Array;
  /** Bound on |value - ta.ts's value| of a running-sum output; 0 when exact. */
  err: Float64Array;
  str: (string | undefined)[];
  view: (View | undefined)[];
  other: unknown[];
  refine: ((() => number) | undefined)[];
  constructor(readonly size: number) {
    this.kind = new Uint8Array(size);
    this.num = new Float64Array(size);
    this.err = new Float64Array(size);
    this.str = new Array(size);
    this.view = new Array(size);
    this.other = new Array(size);
    this.refine = new Array(size);
  }

  /** The value as the executor would hand it to a node (for error messages and a switch's String()). */
  js(s: number): unknown {
    switch (this.kind[s]) {
      case UNDEF:
        return undefined;
      case NULL:
        return null;
      case NUM:
        return this.num[s];
      case BOOL:
        return this.num[s] !== 0;
      case STR:
        return this.str[s];
      case SERIES:
        return this.view[s]!.toArray();
      case CANDLES:
        return new Array(this.num[s]);
      default:
        return this.other[s];
    }
  }

  set(s: number, v: unknown): void {
    if (v === undefined) this.kind[s] = UNDEF;
    else if (v === null) this.kind[s] = NULL;
    else if (typeof v === "number") {
      this.kind[s] = NUM;
      this.num[s] = v;
    } else if (typeof v === "boolean") {
      this.kind[s] = BOOL;
      this.num[s] = v ? 1 : 0;
    } else if (typeof v === "string") {
      this.kind[s] = STR;
      this.str[s] = v;
    } else {
      this.kind[s] = OTHER;
      this.other[s] = v;
    }
  }
}

/** What a step throws: a node failure with the message the node definition would have thrown. */
class StepFailure {
  constructor(readonly message: string) {}
}

function messageOf(err: unknown): string {
  if (err instanceof StepFailure) return err.message;
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  return "node failed";
}

function fail(message: string): never {
  throw new StepFailure(message);
}

function needBars(len: number, needed: number, what: string): void {
  if (len < needed) fail(`${what} needs at least ${needed} values, the series has ${len}: fetch more candles`);
}

// ---- Columns: one value per bar index, for series that do not depend on the window they are read in ----

interface Source {
  readonly data: Float64Array;
  /** First bar with a value. */
  readonly first: number;
  /** Bars whose value is not finite, ascending (complete up to the last synced bar). */
  readonly bad: number[];
  sync(t: number): void;
}

/** First element of the view over [end - len, end) whose bar is in `bad`, as a position in the view; -1 when none. */
function firstBad(bad: readonly number[], end: number, len: number): number {
  if (bad.length === 0) return -1;
  const start = end - len;
  let lo = 0;
  let hi = bad.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bad[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < bad.length && bad[lo]! < end ? bad[lo]! - start : -1;
}

function isFiniteNumber(v: number): boolean {
  return v - v === 0;
}

class DataColumn implements Source {
  readonly first = 0;
  readonly bad: number[] = [];
  constructor(readonly data: Float64Array) {
    for (let j = 0; j < data.length; j++) if (!isFiniteNumber(data[j]!)) this.bad.push(j);
  }
  sync(): void {}
}

/** (high + low + close) / 3, as candle_field computes it. */
class TypicalColumn implements Source {
  readonly first = 0;
  readonly bad: number[] = [];
  readonly data: Float64Array;
  private filled = -1;
  constructor(private readonly bars: { high: Float64Array; low: Float64Array; close: Float64Array }) {
    this.data = new Float64Array(bars.close.length);
  }
  sync(t: number): void {
    const { high, low, close } = this.bars;
    for (let j = this.filled + 1; j <= t; j++) {
      const v = (high[j]! + low[j]! + close[j]!) / 3;
      this.data[j] = v;
      if (!isFiniteNumber(v)) this.bad.push(j);
    }
    if (t > this.filled) this.filled = t;
  }
}

/** ta.ts's SMA at one index: trading-signals' getAverage, a left-to-right sum from 0 divided by the period. */
function windowMean(x: Float64Array, start: number, p: number): number {
  let s = 0;
  for (let i = start; i < start + p; i++) s += x[i]!;
  return s / p;
}

/**
 * SMA(p) of a global column, one value per bar. Exact mode: ta.ts's windowed mean, O(p) per bar. Running
 * mode: O(1) per bar amortised, a running sum re-summed from scratch every max(64, p) bars (a re-summed
 * bar is ta.ts's value exactly). boundAt(j) bounds |value - ta.ts's value|: with M the largest |x| since
 * the re-sum and k the steps since, both windowed sums are within (p - 1)·u·p·M of the exact sum
 * (recursive summation), each running step adds at most 2·u·(p + 1)·M, and each division u·|v|.
 * exactAt(j) gives ta.ts's value.
 */
class SmaColumn implements Source {
  readonly data: Float64Array;
  readonly bad: number[] = [];
  readonly first: number;
  private filled = -1;
  private sum = 0;
  private maxAbs = 0;
  private steps = 0;
  private readonly reseed: number;
  /** The bounds of the last two synced bars, by bar parity. */
  private bound0 = 0;
  private bound1 = 0;
  private readonly lazyInput: boolean;

  constructor(
    private readonly input: Source,
    readonly period: number,
    readonly rolling: boolean,
    n: number,
  ) {
    this.data = new Float64Array(n);
    this.first = input.first + period - 1;
    this.reseed = Math.max(64, period);
    this.lazyInput = !(input instanceof DataColumn);
  }

  sync(t: number): void {
    if (t <= this.filled) return;
    if (this.lazyInput) this.input.sync(t);
    const x = this.input.data;
    const p = this.period;
    if (this.rolling && t === this.filled + 1 && t > this.first && this.steps + 1 < this.reseed) {
      // The common case: one running step.
      const xn = x[t]!;
      const sum = this.sum + xn - x[t - p]!;
      const v = sum / p;
      if (isFiniteNumber(v)) {
        const steps = ++this.steps;
        const ax = xn < 0 ? -xn : xn;
        if (ax > this.maxAbs) this.maxAbs = ax;
        this.sum = sum;
        this.data[t] = v;
        const bound = 1.01 * U * (this.maxAbs * (2 * p + 4 * steps) + 2 * (v < 0 ? -v : v));
        if (t & 1) this.bound1 = bound;
        else this.bound0 = bound;
        this.filled = t;
        return;
      }
    }
    for (let j = this.filled + 1 > this.first ? this.filled + 1 : this.first; j <= t; j++) {
      let v = 0;
      let bound = 0;
      let seed = !this.rolling || j === this.first || ++this.steps >= this.reseed;
      if (!seed) {
        const xn = x[j]!;
        this.sum = this.sum + xn - x[j - p]!;
        v = this.sum / p;
        const ax = xn < 0 ? -xn : xn;
        if (ax > this.maxAbs) this.maxAbs = ax;
        // A non-finite value stays in a running sum; the windowed sum has it only while it is in the window.
        if (isFiniteNumber(v)) bound = 1.01 * U * (this.maxAbs * (2 * p + 4 * this.steps) + 2 * (v < 0 ? -v : v));
        else seed = true;
      }
      if (seed) {
        let sum = 0;
        let m = 0;
        for (let i = j - p + 1; i <= j; i++) {
          sum += x[i]!;
          m = Math.max(m, Math.abs(x[i]!));
        }
        this.sum = sum;
        this.maxAbs = m;
        this.steps = 0;
        v = sum / p;
        bound = 0;
      }
      this.data[j] = v;
      if (j & 1) this.bound1 = bound;
      else this.bound0 = bound;
      if (!isFiniteNumber(v)) this.bad.push(j);
    }
    this.filled = t;
  }

  /** For the last two synced bars. */
  boundAt(j: number): number {
    return j & 1 ? this.bound1 : this.bound0;
  }

  exactAt(j: number): number {
    return windowMean(this.input.data, j - this.period + 1, this.period);
  }
}

/** The highest (or lowest) of a global column over a sliding window: a monotonic deque, O(1) amortised. */
class WindowExtreme {
  private readonly dq: Int32Array;
  private readonly mask: number;
  private head = 0;
  private tail = 0;
  private next = -1;

  constructor(
    private readonly input: Source,
    private readonly period: number,
    private readonly off: number,
    private readonly max: boolean,
  ) {
    let cap = 4;
    while (cap < 2 * period + 2) cap *= 2;
    this.dq = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Of bars [t - off - period + 1, t - off]. */
  value(t: number): number {
    this.input.sync(t);
    const x = this.input.data;
    const last = t - this.off;
    const start = last - this.period + 1;
    const { dq, mask, max } = this;
    if (this.next < start) {
      this.head = this.tail = 0;
      this.next = start;
    }
    for (let j = this.next; j <= last; j++) {
      const v = x[j]!;
      while (this.tail > this.head) {
        const back = x[dq[(this.tail - 1) & mask]!]!;
        if (max ? back <= v : back >= v) this.tail--;
        else break;
      }
      dq[this.tail & mask] = j;
      this.tail++;
    }
    if (last + 1 > this.next) this.next = last + 1;
    while (dq[this.head & mask]! < start) this.head++;
    const r = x[dq[this.head & mask]!]!;
    // Math.max and Math.min tell -0 from 0; the deque's comparisons do not.
    return r === 0 ? extremeOf(x, start, last + 1, max) : r;
  }
}

function extremeOf(x: Float64Array, start: number, end: number, max: boolean): number {
  let r = max ? -Infinity : Infinity;
  for (let j = start; j < end; j++) r = max ? Math.max(r, x[j]!) : Math.min(r, x[j]!);
  return r;
}

// ---- ta.ts's windowed indicators over a view (the EMA family has no O(1) form over a sliding window) ----

/** ta.ts ema() over the view's elements [0, len) seeded at `start`: the last value; writes every value into out from 0. */
function emaOf(v: View, len: number, p: number, start: number, out: Float64Array | null): number {
  const b = v.buf;
  const off = v.end - v.len;
  let seed = 0;
  for (let k = start; k < start + p; k++) seed += b[off + k]!;
  const w = 2 / (p + 1);
  const s = seed / p;
  let r = s * w + s * (1 - w);
  let o = 0;
  if (out) out[o++] = r;
  for (let k = start + p; k < len; k++) {
    r = b[off + k]! * w + r * (1 - w);
    if (out) out[o++] = r;
  }
  return r;
}

/** trading-signals' RSI (Wilder's smoothing) over the view: the last value (null for period 1, which never has one); writes the values into out. */
function rsiOf(v: View, p: number, out: Float64Array | null): number | null {
  if (p < 2) return null;
  const b = v.buf;
  const off = v.end - v.len;
  const sf = 1 / p;
  let gs = 0;
  let ls = 0;
  let g = 0;
  let l = 0;
  let defined = false;
  let o = 0;
  for (let k = 1; k < v.len; k++) {
    const cur = b[off + k]!;
    const prev = b[off + k - 1]!;
    let gu = 0;
    let lu = 0;
    if (cur > prev) gu = cur - prev;
    else lu = prev - cur;
    if (k < p) {
      gs += gu;
      ls += lu;
      continue;
    }
    if (k === p) {
      g = (gs + gu) / p;
      l = (ls + lu) / p;
    } else {
      g = (gu - g) * sf + g;
      l = (lu - l) * sf + l;
    }
    if (out) out[o++] = l === 0 ? 100 : 100 - 100 / (g / l + 1);
    defined = true;
  }
  return defined ? (l === 0 ? 100 : 100 - 100 / (g / l + 1)) : null;
}

// ---- Per-bar context and effects ----

interface Effect {
  node: number;
  hop: number;
  notify: boolean;
  market: number;
  side: Side;
  sizing: Sizing;
  limitPrice: number | null;
  rounding: "whole" | "step";
  clientOrderId: string;
}

class Bar {
  t = 0;
  /** The run's instant, as the executor's run.now.getTime() reads it. */
  now = 0;
  trading = false;
  node = 0;
  /** The hop at which a failing asynchronous node's promise rejects; steps set it before throwing. */
  hop = 0;
  effects: Effect[] = [];

  place(hop: number, market: number, side: Side, sizing: Sizing, limitPrice: number | null, rounding: "whole" | "step", id: string): void {
    this.effects.push({ node: this.node, hop, notify: false, market, side, sizing, limitPrice, rounding, clientOrderId: id });
  }

  notify(hop: number): void {
    this.effects.push({ node: this.node, hop, notify: true, market: -1, side: "buy", sizing: { unit: "quantity", value: 0 }, limitPrice: null, rounding: "step", clientOrderId: "" });
  }
}

/** Date's time clip: what new Date(x).getTime() returns. */
function timeClip(x: number): number {
  return Number.isFinite(x) && Math.abs(x) <= 8.64e15 ? Math.trunc(x) + 0 : NaN;
}

const TICK = 0.01;
const roundDown = (p: number, tick: number) => Number((Math.floor(p / tick + 1e-9) * tick).toFixed(8));
const roundUp = (p: number, tick: number) => Number((Math.ceil(p / tick - 1e-9) * tick).toFixed(8));

/** A step: runs the node at its start (reads inputs and the account, writes outputs, queues effects). Returns the hop at which an asynchronous node's promise settles; throws on failure. */
type Step = () => number;

// ---- Binding a plan to the data ----

class Binding {
  readonly slots: Slots;
  readonly steps: Step[] = [];
  readonly bar = new Bar();
  notifications = 0;
  private readonly outSlots: Map<string, number>[];
  private readonly statics: unknown[] = [];
  private slotCount = 1; // slot 0 takes writes to outputs no connection reads
  private readonly dataColumns = new Map<string, Source>();
  private readonly smaColumns = new Map<number, SmaColumn>();
  private readonly replay: ReplayMarket;
  private readonly views = new Map<number, View>();

  constructor(
    private readonly plan: BacktestPlan,
    private readonly input: EngineInput,
    readonly account: BacktestAccount,
  ) {
    const { blocks, inputSources } = plan.workflow;
    // An output gets a slot when a connection reads it or a trace records it; the others write to slot 0.
    const read = blocks.map(() => new Set<string>());
    inputSources.forEach((list) => list.forEach((src) => src && read[src.block]!.add(src.port)));
    for (const tr of tracesOf(plan.workflow, 0)) read[tr.block]!.add(tr.port);
    this.outSlots = blocks.map((b) => {
      const m = new Map<string, number>();
      for (const p of b.outputs) if (read[b.index]!.has(p.name)) m.set(p.name, this.slotCount++);
      return m;
    });
    this.replay = new ReplayMarket(
      input.markets.map((m) => ({ keys: m.keys, bars: m.bars, stepSize: m.stepSize, ...(m.funding ? { funding: m.funding } : {}) })),
      { spreadBps: input.settings.book_spread_bps, depth: input.settings.book_depth, levelSize: input.settings.book_level_size },
    );
    // Static inputs get slots while the steps are built; the slot arrays are made once their number is known.
    const pending: (() => Step)[] = [];
    for (const i of plan.workflow.order) pending[i] = this.stepFor(i);
    this.slots = new Slots(this.slotCount);
    this.statics.forEach((v, s) => this.slots.set(s, v));
    for (const [s, v] of this.views) this.slots.view[s] = v;
    blocks.forEach((_, i) => this.steps.push(pending[i]!()));
  }

  /** The slot of output `port` of block i: 0 when no connection or trace reads it. */
  outputSlot(i: number, port: string): number {
    return this.out(i, port);
  }

  private out(i: number, name: string): number {
    return this.outSlots[i]!.get(name) ?? 0;
  }

  /** The slot input `name` of block i reads: its connection's source, else a slot holding its static value. */
  private in(i: number, name: string): number {
    const b = this.plan.workflow.blocks[i]!;
    const src = sourceOf(this.plan.workflow, b, name);
    if (src) return this.outSlots[src.block]!.get(src.port)!;
    const s = this.slotCount++;
    this.statics[s] = staticInput(b, name);
    return s;
  }

  /** A view object for a series output. */
  private viewOut(i: number, name: string): View {
    const s = this.out(i, name);
    const v = new View();
    if (s > 0) this.views.set(s, v);
    return v;
  }

  private marketIndex(venue: Venue, symbol: string): { index: number; error: string | null } {
    try {
      return { index: this.replay.indexOf({ venue, symbol }), error: null };
    } catch (err) {
      return { index: -1, error: messageOf(err) };
    }
  }

  /** Account markets a position read of venue:symbol can find, in the broker's order. */
  private positionMarkets(venue: Venue, symbol: string): number[] {
    const key = `${venue}:${symbol}`;
    const out: number[] = [];
    this.account.markets.forEach((m, k) => {
      if (m.key === key) out.push(k);
    });
    return out;
  }

  /** The global column a series input reads, when it is one. */
  private sourceColumn(i: number, name: string): Source | null {
    const { workflow } = this.plan;
    const src = sourceOf(workflow, workflow.blocks[i]!, name);
    if (!src || src.port !== "series") return null;
    const from = workflow.blocks[src.block]!;
    if (kindOf(from) === "indicators/candle_field") return this.candleColumn(src.block);
    return this.smaColumns.get(src.block) ?? null;
  }

  private candleColumn(i: number): Source | null {
    const { workflow } = this.plan;
    const b = workflow.blocks[i]!;
    const src = sourceOf(workflow, b, "candles");
    if (!src) return null;
    const provider = workflow.blocks[src.block]!;
    const venue = provider.type as Venue;
    const symbol = String(provider.props.symbol ?? "").trim() || DEFAULT_SYMBOL[venue];
    const { index } = this.marketIndex(venue, symbol);
    if (index < 0) return null;
    const field = b.props.field as string;
    const key = `${index}:${field}`;
    let col = this.dataColumns.get(key);
    if (!col) {
      const bars = this.input.markets[index]!.bars;
      col = field === "typical" ? new TypicalColumn(bars) : new DataColumn(bars[field as "close" | "open" | "high" | "low" | "volume"]);
      this.dataColumns.set(key, col);
    }
    return col;
  }

  /** Builds block i's step; called in topological order, so upstream columns exist. Returns a thunk so slot arrays exist first. */
  private stepFor(i: number): () => Step {
    const b = this.plan.workflow.blocks[i]!;
    const node = this.plan.nodes[i]!;
    const bar = this.bar;
    const account = this.account;
    const n = this.input.markets[0]!.bars.length;
    const P = b.props;
    switch (node.kind) {
      case "providers/binance":
      case "providers/polymarket":
      case "providers/kalshi": {
        const venue = b.type as Venue;
        const symbol = String(P.symbol ?? "").trim() || DEFAULT_SYMBOL[venue];
        const enabled = resolvePorts(b.def.outputs, P).map((p) => p.name);
        const { index, error } = this.marketIndex(venue, symbol);
        const readsMarket = enabled.some((e) => e === "price_feed" || e === "orderbook" || e === "candles" || e === "funding_rate" || e === "mark_price");
        // Promise.all over the endpoints: candles and positions resolve at once, the others after one await.
        const okHop = enabled.length === 0 ? 1 : enabled.some((e) => e !== "candles" && e !== "positions") ? 3 : 2;
        const failHop = enabled.includes("candles") ? 2 : 3;
        const failure = error !== null && readsMarket ? error : null;
        const series = index >= 0 ? this.input.markets[index]! : null;
        const limit = Math.min(Number(P.candle_limit), MAX_WINDOW);
        const ENDPOINT_CODE: Record<string, number> = { price_feed: 0, mark_price: 0, balance: 1, candles: 2, funding_rate: 3 };
        const used = enabled.filter((e) => this.out(i, e) !== 0);
        const codes = Int32Array.from(used, (e) => ENDPOINT_CODE[e] ?? 4);
        const slotsOut = Int32Array.from(used, (e) => this.out(i, e));
        return () => {
          const S = this.slots;
          return () => {
            if (failure !== null) {
              bar.hop = failHop;
              fail(failure);
            }
            const t = bar.t;
            for (let k = 0; k < codes.length; k++) {
              const s = slotsOut[k]!;
              switch (codes[k]) {
                case 0:
                  S.kind[s] = NUM;
                  S.num[s] = series!.bars.close[t]!;
                  break;
                case 1:
                  S.kind[s] = NUM;
                  S.num[s] = account.cash;
                  break;
                case 2:
                  S.kind[s] = CANDLES;
                  S.num[s] = t + 1 < limit ? t + 1 : limit;
                  break;
                case 3:
                  S.kind[s] = NUM;
                  S.num[s] = fundingRate(series!.funding, series!.bars.time[t]!);
                  break;
                default:
                  S.kind[s] = OPAQUE;
              }
            }
            return okHop;
          };
        };
      }

      case "triggers/manual": {
        const fired = this.out(i, "fired");
        const time = this.out(i, "time");
        return () => {
          const S = this.slots;
          return () => {
            S.kind[fired] = BOOL;
            S.num[fired] = 1;
            S.kind[time] = NUM;
            S.num[time] = bar.now;
            return 0;
          };
        };
      }
      case "triggers/interval": {
        const fired = this.out(i, "fired");
        const next = this.out(i, "next");
        const every = Number(P.every_seconds);
        return () => {
          const S = this.slots;
          return () => {
            S.kind[fired] = BOOL;
            S.num[fired] = 1;
            S.kind[next] = NUM;
            S.num[next] = bar.now + every * 1000;
            return 0;
          };
        };
      }
      case "triggers/schedule": {
        const fired = this.out(i, "fired");
        const next = this.out(i, "next");
        const cron = new Cron(String(P.cron), { paused: true, timezone: "UTC" });
        return () => {
          const S = this.slots;
          return () => {
            S.kind[fired] = BOOL;
            S.num[fired] = cron.match(new Date(Math.floor(bar.now / 60_000) * 60_000)) ? 1 : 0;
            if (next !== 0) S.set(next, cron.nextRun(new Date(bar.now))?.getTime() ?? null);
            return 0;
          };
        };
      }
      case "triggers/price_alert": {
        const price = this.in(i, "price");
        const fired = this.out(i, "fired");
        const priceOut = this.out(i, "price");
        const above = P.above as number | null;
        const below = P.below as number | null;
        return () => {
          const S = this.slots;
          return () => {
            const p = num(S, price, "price");
            S.kind[fired] = BOOL;
            S.num[fired] = (above !== null && p >= above) || (below !== null && p <= below) ? 1 : 0;
            S.kind[priceOut] = NUM;
            S.num[priceOut] = p;
            return 0;
          };
        };
      }

      case "indicators/candle_field": {
        const candles = this.in(i, "candles");
        const col = this.candleColumn(i);
        const view = this.viewOut(i, "series");
        const series = this.out(i, "series");
        const last = this.out(i, "last");
        return () => {
          const S = this.slots;
          return () => {
            if (S.kind[candles] !== CANDLES) fail(`input "candles" must be candles, got ${describe(S.js(candles))}`);
            const t = bar.t;
            const len = S.num[candles]!;
            col!.sync(t);
            view.buf = col!.data;
            view.end = t + 1;
            view.len = len;
            view.bad = col!.bad.length === 0 ? -1 : firstBad(col!.bad, t + 1, len);
            S.kind[series] = SERIES;
            if (last !== 0) S.set(last, len > 0 ? col!.data[t]! : null);
            return 0;
          };
        };
      }

      case "indicators/sma":
      case "indicators/ema":
      case "indicators/rsi": {
        const type = b.type as "sma" | "ema" | "rsi";
        const label = type.toUpperCase();
        const extra = type === "rsi" ? 1 : 0;
        const seriesIn = this.in(i, "series");
        const periodSrc = sourceOf(this.plan.workflow, b, "period");
        const periodValue = periodSrc ? this.plan.workflow.blocks[periodSrc.block]!.props.value : staticInput(b, "period");
        let periodMessage: string | null = null;
        let p = 0;
        try {
          p = requireNumber({ period: periodValue }, "period");
        } catch (err) {
          periodMessage = messageOf(err);
        }
        const invalid = Number.isInteger(p) && p >= 1 ? null : `period must be a whole number of at least 1, got ${p}`;
        const what = `${label}(${p})`;
        const valueOut = this.out(i, "value");
        const seriesOut = this.out(i, "series");
        const view = this.viewOut(i, "series");
        const wantSeries = seriesOut !== 0;
        const scratch = new Float64Array(MAX_WINDOW);
        const source = type === "sma" && invalid === null && periodMessage === null ? this.sourceColumn(i, "series") : null;
        const col = source ? new SmaColumn(source, p, node.rolling, n) : null;
        if (col) this.smaColumns.set(i, col);
        return () => {
          const S = this.slots;
          if (col && node.rolling && valueOut !== 0) S.refine[valueOut] = () => col.exactAt(bar.t);
          if (col) {
            // SMA of a global column: the checks that cannot fail were settled when the plan was bound.
            view.buf = col.data;
            const { kind, num, err } = S;
            const views = S.view;
            return () => {
              const v = kind[seriesIn] === SERIES && views[seriesIn]!.bad < 0 ? views[seriesIn]! : series(S, seriesIn, "series");
              if (v.len < p) needBars(v.len, p, what);
              const t = bar.t;
              col.sync(t);
              const len = v.len - p + 1;
              view.end = t + 1;
              view.len = len;
              view.bad = col.bad.length === 0 ? -1 : firstBad(col.bad, t + 1, len);
              kind[valueOut] = NUM;
              num[valueOut] = col.data[t]!;
              err[valueOut] = col.boundAt(t);
              kind[seriesOut] = SERIES;
              return 0;
            };
          }
          return () => {
            const v = S.kind[seriesIn] === SERIES && S.view[seriesIn]!.bad < 0 ? S.view[seriesIn]! : series(S, seriesIn, "series");
            if (periodMessage !== null) fail(periodMessage);
            if (v.len < p + extra) needBars(v.len, p + extra, what);
            if (invalid !== null) fail(invalid);
            if (type === "sma") {
              const off = v.end - v.len;
              const m = v.len - p + 1;
              if (wantSeries) for (let k = 0; k < m; k++) scratch[k] = windowMean(v.buf, off + k, p);
              const last = wantSeries ? scratch[m - 1]! : windowMean(v.buf, off + m - 1, p);
              if (wantSeries) setView(view, scratch, m);
              S.kind[valueOut] = NUM;
              S.num[valueOut] = last;
            } else if (type === "ema") {
              const last = emaOf(v, v.len, p, 0, wantSeries ? scratch : null);
              if (wantSeries) setView(view, scratch, v.len - p + 1);
              S.kind[valueOut] = NUM;
              S.num[valueOut] = last;
            } else {
              const last = rsiOf(v, p, wantSeries ? scratch : null);
              if (wantSeries) setView(view, scratch, last === null ? 0 : v.len - p);
              S.set(valueOut, last);
            }
            S.kind[seriesOut] = SERIES;
            return 0;
          };
        };
      }

      case "indicators/macd": {
        const seriesIn = this.in(i, "series");
        const fast = Number(P.fast);
        const slow = Number(P.slow);
        const signal = Number(P.signal);
        const what = `MACD(${fast}, ${slow}, ${signal})`;
        const needed = Math.max(fast, slow) + signal - 1;
        const [f, s] = fast <= slow ? [fast, slow] : [slow, fast];
        const line = new Float64Array(MAX_WINDOW);
        const sig = new Float64Array(MAX_WINDOW);
        const lineView = new View();
        const macdView = this.viewOut(i, "macd_series");
        const signalView = this.viewOut(i, "signal_series");
        const outs = { macd: this.out(i, "macd"), signal: this.out(i, "signal"), histogram: this.out(i, "histogram"), macdSeries: this.out(i, "macd_series"), signalSeries: this.out(i, "signal_series") };
        return () => {
          const S = this.slots;
          return () => {
            const v = series(S, seriesIn, "series");
            needBars(v.len, needed, what);
            const x = v.buf;
            const off = v.end - v.len;
            const len = v.len;
            let slowSeed = 0;
            for (let k = 0; k < s; k++) slowSeed += x[off + k]!;
            let fastSeed = 0;
            for (let k = s - f; k < s; k++) fastSeed += x[off + k]!;
            const ws = 2 / (s + 1);
            const wf = 2 / (f + 1);
            const ss = slowSeed / s;
            const fs = fastSeed / f;
            let sr = ss * ws + ss * (1 - ws);
            let fr = fs * wf + fs * (1 - wf);
            line[0] = fr - sr;
            for (let k = s; k < len; k++) {
              const xk = x[off + k]!;
              sr = xk * ws + sr * (1 - ws);
              fr = xk * wf + fr * (1 - wf);
              line[k - s + 1] = fr - sr;
            }
            const m = len - s + 1;
            lineView.buf = line;
            lineView.end = m;
            lineView.len = m;
            const lastSignal = emaOf(lineView, m, signal, 0, sig);
            const lastMacd = line[m - 1]!;
            S.kind[outs.macd] = NUM;
            S.num[outs.macd] = lastMacd;
            S.kind[outs.signal] = NUM;
            S.num[outs.signal] = lastSignal;
            S.kind[outs.histogram] = NUM;
            S.num[outs.histogram] = lastMacd - lastSignal;
            if (outs.macdSeries !== 0) {
              macdView.buf = line;
              macdView.end = m;
              macdView.len = m - signal + 1;
              macdView.bad = badIn(macdView);
            }
            if (outs.signalSeries !== 0) setView(signalView, sig, m - signal + 1);
            S.kind[outs.macdSeries] = SERIES;
            S.kind[outs.signalSeries] = SERIES;
            return 0;
          };
        };
      }

      case "indicators/bollinger": {
        const seriesIn = this.in(i, "series");
        const p = Number(P.period);
        const dev = Number(P.deviations);
        const what = `Bollinger(${p})`;
        const outs = { upper: this.out(i, "upper"), middle: this.out(i, "middle"), lower: this.out(i, "lower"), price: this.out(i, "price") };
        return () => {
          const S = this.slots;
          return () => {
            const v = series(S, seriesIn, "series");
            needBars(v.len, p, what);
            const x = v.buf;
            const start = v.end - p;
            let sum = 0;
            for (let k = start; k < v.end; k++) sum += x[k]!;
            const middle = sum / p;
            let sq = 0;
            for (let k = start; k < v.end; k++) {
              const d = x[k]! - middle;
              sq += d * d;
            }
            const sd = Math.sqrt(sq / p);
            S.kind[outs.upper] = NUM;
            S.num[outs.upper] = middle + sd * dev;
            S.kind[outs.middle] = NUM;
            S.num[outs.middle] = middle;
            S.kind[outs.lower] = NUM;
            S.num[outs.lower] = middle - sd * dev;
            S.kind[outs.price] = NUM;
            S.num[outs.price] = x[v.end - 1]!;
            return 0;
          };
        };
      }

      case "indicators/crossover": {
        const aIn = this.in(i, "a");
        const bIn = this.in(i, "b");
        const level = P.level as number | null;
        const ra = this.rollingSma(i, "a");
        const rb = this.rollingSma(i, "b");
        const above = this.out(i, "crossed_above");
        const below = this.out(i, "crossed_below");
        const now = this.out(i, "above");
        return () => {
          const S = this.slots;
          return () => {
            const a = S.kind[aIn] === SERIES && S.view[aIn]!.bad < 0 ? S.view[aIn]! : series(S, aIn, "a");
            const bk = S.kind[bIn];
            const bv = bk === SERIES && S.view[bIn]!.bad < 0 ? S.view[bIn]! : bk === UNDEF || bk === NULL ? null : series(S, bIn, "b");
            if (!bv && level === null) fail('connect series "b" or set a level');
            if (a.len < 2 || (bv && bv.len < 2)) fail("a crossover needs at least two values in each series");
            let a1 = a.buf[a.end - 2]!;
            let a2 = a.buf[a.end - 1]!;
            let b1 = bv ? bv.buf[bv.end - 2]! : level!;
            let b2 = bv ? bv.buf[bv.end - 1]! : level!;
            if (ra || rb) {
              const t = bar.t;
              const e1 = (ra ? ra.boundAt(t - 1) : 0) + (rb ? rb.boundAt(t - 1) : 0);
              if (e1 > 0 && Math.abs(a1 - b1) <= 2 * e1) {
                if (ra) a1 = ra.exactAt(t - 1);
                if (rb) b1 = rb.exactAt(t - 1);
              }
              const e2 = (ra ? ra.boundAt(t) : 0) + (rb ? rb.boundAt(t) : 0);
              if (e2 > 0 && Math.abs(a2 - b2) <= 2 * e2) {
                if (ra) a2 = ra.exactAt(t);
                if (rb) b2 = rb.exactAt(t);
              }
            }
            S.kind[above] = BOOL;
            S.num[above] = a1 <= b1 && a2 > b2 ? 1 : 0;
            S.kind[below] = BOOL;
            S.num[below] = a1 >= b1 && a2 < b2 ? 1 : 0;
            S.kind[now] = BOOL;
            S.num[now] = a2 > b2 ? 1 : 0;
            return 0;
          };
        };
      }

      case "indicators/highest":
      case "indicators/lowest": {
        const max = b.type === "highest";
        const seriesIn = this.in(i, "series");
        const p = Number(P.period);
        const include = P.include_latest === true;
        const off = include ? 0 : 1;
        const what = `${b.type}(${p})`;
        const source = this.sourceColumn(i, "series");
        const extreme = source ? new WindowExtreme(source, p, off, max) : null;
        const value = this.out(i, "value");
        return () => {
          const S = this.slots;
          return () => {
            const v = series(S, seriesIn, "series");
            needBars(v.len, p + off, what);
            S.kind[value] = NUM;
            S.num[value] = extreme ? extreme.value(bar.t) : extremeOf(v.buf, v.end - off - p, v.end - off, max);
            return 0;
          };
        };
      }

      case "indicators/volume_ratio": {
        const volume = this.in(i, "volume");
        const p = Number(P.period);
        const what = `volume ratio(${p})`;
        const source = this.sourceColumn(i, "volume");
        const col = source ? new SmaColumn(source, p, node.rolling, n) : null;
        const ratio = this.out(i, "ratio");
        const average = this.out(i, "average");
        const latestOut = this.out(i, "latest");
        let latestNow = NaN;
        return () => {
          const S = this.slots;
          if (col && node.rolling) {
            S.refine[average] = () => col.exactAt(bar.t - 1);
            S.refine[ratio] = () => latestNow / col.exactAt(bar.t - 1);
          }
          return () => {
            const v = series(S, volume, "volume");
            needBars(v.len, p + 1, what);
            const latest = v.at(v.len - 1);
            let avg: number;
            let e = 0;
            if (col) {
              const j = bar.t - 1;
              col.sync(j);
              avg = col.data[j]!;
              e = col.boundAt(j);
              if (e > 0 && Math.abs(avg) <= 4 * e) {
                avg = col.exactAt(j);
                e = 0;
              }
            } else avg = windowMean(v.buf, v.end - 1 - p, p);
            latestNow = latest;
            S.set(ratio, avg > 0 ? latest / avg : null);
            S.err[ratio] = e > 0 && avg > 0 ? Math.abs(latest / avg) * ((2 * e) / Math.abs(avg) + 4 * U) : 0;
            S.kind[average] = NUM;
            S.num[average] = avg;
            S.err[average] = e;
            S.kind[latestOut] = NUM;
            S.num[latestOut] = latest;
            return 0;
          };
        };
      }

      case "indicators/spread": {
        const ins = { a: this.in(i, "price_a"), b: this.in(i, "price_b"), feeA: this.in(i, "fee_a_pct"), feeB: this.in(i, "fee_b_pct") };
        const outs = { spread: this.out(i, "spread"), pct: this.out(i, "spread_pct"), net: this.out(i, "net_pct") };
        return () => {
          const S = this.slots;
          return () => {
            const a = num(S, ins.a, "price_a");
            const bb = num(S, ins.b, "price_b");
            if (a <= 0) fail(`price_a must be positive, got ${a}`);
            const pct = ((bb - a) / a) * 100;
            const net = pct - num(S, ins.feeA, "fee_a_pct") - num(S, ins.feeB, "fee_b_pct");
            S.kind[outs.spread] = NUM;
            S.num[outs.spread] = bb - a;
            S.kind[outs.pct] = NUM;
            S.num[outs.pct] = pct;
            S.kind[outs.net] = NUM;
            S.num[outs.net] = net;
            return 0;
          };
        };
      }

      case "indicators/grid_levels": {
        const price = this.in(i, "price");
        const lower = Number(P.lower);
        const upper = Number(P.upper);
        const count = Number(P.levels);
        const invalid = upper > lower ? null : `upper (${P.upper}) must be above lower (${P.lower})`;
        const step = (upper - lower) / (count - 1);
        const levels = Float64Array.from({ length: count }, (_, k) => Number((lower + k * step).toFixed(8)));
        const levelsView = this.viewOut(i, "levels");
        setView(levelsView, levels, count);
        const buyBuf = new Float64Array(count);
        const sellBuf = new Float64Array(count);
        const buyView = this.viewOut(i, "buy_levels");
        const sellView = this.viewOut(i, "sell_levels");
        const outs = { levels: this.out(i, "levels"), buy: this.out(i, "buy_levels"), sell: this.out(i, "sell_levels"), inRange: this.out(i, "in_range") };
        return () => {
          const S = this.slots;
          return () => {
            if (invalid !== null) fail(invalid);
            const p = num(S, price, "price");
            let nb = 0;
            for (let k = count - 1; k >= 0; k--) if (levels[k]! < p) buyBuf[nb++] = levels[k]!;
            let ns = 0;
            for (let k = 0; k < count; k++) if (levels[k]! > p) sellBuf[ns++] = levels[k]!;
            setView(buyView, buyBuf, nb);
            setView(sellView, sellBuf, ns);
            S.kind[outs.levels] = SERIES;
            S.kind[outs.buy] = SERIES;
            S.kind[outs.sell] = SERIES;
            S.kind[outs.inRange] = BOOL;
            S.num[outs.inRange] = p >= lower && p <= upper ? 1 : 0;
            return 0;
          };
        };
      }

      case "conditions/threshold": {
        const value = this.in(i, "value");
        const minIn = this.in(i, "min");
        const maxIn = this.in(i, "max");
        const pass = this.out(i, "pass");
        return () => {
          const S = this.slots;
          return () => {
            let v = num(S, value, "value");
            const min = optNum(S, minIn, "min") ?? -Infinity;
            const max = optNum(S, maxIn, "max") ?? Infinity;
            if (min > max) fail(`min (${min}) is above max (${max})`);
            const e = S.err[value]!;
            if (e > 0 && ((min !== -Infinity && uncertain(v, e, min, 0)) || (max !== Infinity && uncertain(v, e, max, 0)))) v = S.refine[value]!();
            S.kind[pass] = BOOL;
            S.num[pass] = (min === -Infinity || compare(v, ">=", min)) && (max === Infinity || compare(v, "<=", max)) ? 1 : 0;
            return 0;
          };
        };
      }
      case "conditions/compare": {
        const op = this.in(i, "operator");
        const v1 = this.in(i, "value1");
        const v2 = this.in(i, "value2");
        const result = this.out(i, "result");
        return () => {
          const S = this.slots;
          return () => {
            const o = S.kind[op] === STR ? S.str[op]! : S.js(op);
            if (typeof o !== "string" || !(COMPARE_OPERATORS as readonly string[]).includes(o)) {
              fail(`input "operator" must be one of ${COMPARE_OPERATORS.join(" ")}, got ${JSON.stringify(o)}`);
            }
            let a = num(S, v1, "value1");
            let c = num(S, v2, "value2");
            const ea = S.err[v1]!;
            const ec = S.err[v2]!;
            if ((ea > 0 || ec > 0) && uncertain(a, ea, c, ec)) {
              if (ea > 0) a = S.refine[v1]!();
              if (ec > 0) c = S.refine[v2]!();
            }
            S.kind[result] = BOOL;
            S.num[result] = compare(a, o as (typeof COMPARE_OPERATORS)[number], c) ? 1 : 0;
            return 0;
          };
        };
      }
      case "conditions/and":
      case "conditions/or": {
        const and = b.type === "and";
        const in1 = this.in(i, "input1");
        const in2 = this.in(i, "input2");
        const output = this.out(i, "output");
        return () => {
          const S = this.slots;
          return () => {
            const x = bool(S, in1, "input1");
            const y = bool(S, in2, "input2");
            S.kind[output] = BOOL;
            S.num[output] = (and ? x && y : x || y) ? 1 : 0;
            return 0;
          };
        };
      }
      case "conditions/not": {
        const input = this.in(i, "input");
        const output = this.out(i, "output");
        return () => {
          const S = this.slots;
          return () => {
            S.kind[output] = BOOL;
            S.num[output] = bool(S, input, "input") ? 0 : 1;
            return 0;
          };
        };
      }
      case "conditions/if": {
        const condition = this.in(i, "condition");
        const yes = this.out(i, "true");
        const no = this.out(i, "false");
        return () => {
          const S = this.slots;
          return () => {
            const c = bool(S, condition, "condition");
            S.kind[yes] = BOOL;
            S.num[yes] = c ? 1 : 0;
            S.kind[no] = BOOL;
            S.num[no] = c ? 0 : 1;
            return 0;
          };
        };
      }
      case "conditions/switch": {
        const value = this.in(i, "value");
        const cases = ((P.cases as (string | number)[]) ?? []).map((c) => String(c));
        const caseOuts = cases.map((_, k) => this.out(i, `case_${k + 1}`));
        const fallback = this.out(i, "default");
        return () => {
          const S = this.slots;
          return () => {
            if (S.kind[value] === UNDEF) fail('input "value" has no value: connect it');
            const key = String(S.js(value));
            const hit = cases.indexOf(key);
            S.kind[fallback] = BOOL;
            S.num[fallback] = hit === -1 ? 1 : 0;
            caseOuts.forEach((s, k) => {
              S.kind[s] = BOOL;
              S.num[s] = k === hit ? 1 : 0;
            });
            return 0;
          };
        };
      }

      case "values/constant": {
        const value = this.out(i, "value");
        const v = P.value;
        return () => {
          const S = this.slots;
          return () => {
            S.set(value, v);
            return 0;
          };
        };
      }
      case "values/math": {
        const op = String(P.operation);
        const aIn = this.in(i, "a");
        const bIn = this.in(i, "b");
        const result = this.out(i, "result");
        return () => {
          const S = this.slots;
          return () => {
            const a = num(S, aIn, "a");
            const c = op === "abs" ? 0 : num(S, bIn, "b");
            let r: number;
            switch (op) {
              case "+":
                r = a + c;
                break;
              case "-":
                r = a - c;
                break;
              case "*":
                r = a * c;
                break;
              case "/":
                if (c === 0) fail("division by zero (input b is 0)");
                r = a / c;
                break;
              case "min":
                r = Math.min(a, c);
                break;
              case "max":
                r = Math.max(a, c);
                break;
              default:
                r = Math.abs(a);
            }
            if (!Number.isFinite(r)) fail(`result is not a finite number (${r})`);
            S.kind[result] = NUM;
            S.num[result] = r;
            return 0;
          };
        };
      }
      case "values/position": {
        const { venue, symbol } = marketOf(P);
        const held = this.positionMarkets(venue, symbol);
        const quote = this.marketIndex(venue, symbol);
        const outs = { quantity: this.out(i, "quantity"), average: this.out(i, "average_price"), pnl: this.out(i, "unrealized_pnl") };
        return () => {
          const S = this.slots;
          return () => {
            const m = heldMarket(account, held);
            if (m < 0) {
              S.kind[outs.quantity] = NUM;
              S.num[outs.quantity] = 0;
              S.kind[outs.average] = NULL;
              S.kind[outs.pnl] = NUM;
              S.num[outs.pnl] = 0;
              return 1;
            }
            if (quote.error !== null) {
              bar.hop = 2;
              fail(quote.error);
            }
            const q = account.positions[m]!;
            const avg = account.averagePrice(m);
            S.kind[outs.quantity] = NUM;
            S.num[outs.quantity] = q;
            S.kind[outs.average] = NUM;
            S.num[outs.average] = avg;
            S.kind[outs.pnl] = NUM;
            S.num[outs.pnl] = (this.input.markets[quote.index]!.bars.close[bar.t]! - avg) * q;
            return 2;
          };
        };
      }

      case "risk/max_position":
      case "risk/max_order_value":
      case "risk/daily_loss_limit":
      case "risk/kill_switch": {
        const signalIn = this.in(i, "signal");
        const amountIn = this.in(i, "amount");
        const outs = { signal: this.out(i, "signal"), amount: this.out(i, "amount"), reason: this.out(i, "reason") };
        const { venue, symbol } = marketOf(P);
        const held = this.positionMarkets(venue, symbol);
        const quote = this.marketIndex(venue, symbol);
        const priceIn = b.type === "max_order_value" ? this.in(i, "price") : 0;
        const engagedIn = b.type === "kill_switch" ? this.in(i, "engaged") : 0;
        const limit = Number(b.type === "max_position" ? P.max_position : b.type === "max_order_value" ? P.max_value : P.max_daily_loss);
        let reason = "";
        /** The rule's amount (reason in `reason`) and the hop at which the gate's promise settles. */
        const rule = (S: Slots, wanted: number): [number, number] => {
          switch (b.type) {
            case "max_position": {
              const m = heldMarket(account, held);
              const q = m < 0 ? undefined : account.positions[m]!;
              if (outs.reason !== 0) reason = `position limit ${limit}: ${q ?? 0} held`;
              return [limit - Math.abs(q ?? 0), 2];
            }
            case "max_order_value": {
              bar.hop = 1;
              let price = optNum(S, priceIn, "price");
              let hop = 1;
              if (price === null) {
                bar.hop = hop = 2;
                if (quote.error !== null) fail(quote.error);
                price = this.input.markets[quote.index]!.bars.close[bar.t]!;
              }
              if (!(price > 0)) {
                reason = `price ${price} is not positive`;
                return [0, hop];
              }
              if (outs.reason !== 0) reason = `order value limit ${limit} at price ${price}`;
              return [limit / price, hop];
            }
            case "daily_loss_limit": {
              const pnl = dailyPnl(account, bar.t);
              if (pnl <= -limit) {
                reason = `daily loss ${-pnl} reached the limit ${limit}`;
                return [0, 2];
              }
              reason = "";
              return [wanted, 2];
            }
            default: {
              const engaged = S.kind[engagedIn] === BOOL && S.num[engagedIn] === 1;
              reason = engaged ? "kill switch engaged" : "";
              return [engaged ? 0 : wanted, 1];
            }
          }
        };
        return () => {
          const S = this.slots;
          return () => {
            const wanted = optNum(S, amountIn, "amount") ?? 0;
            if (wanted < 0) fail(`input "amount" must not be negative, got ${wanted}`);
            if (!sig(S, signalIn)) {
              S.kind[outs.signal] = BOOL;
              S.num[outs.signal] = 0;
              S.kind[outs.amount] = NUM;
              S.num[outs.amount] = 0;
              if (outs.reason !== 0) S.set(outs.reason, "no signal");
              return 0;
            }
            const [decided, hop] = rule(S, wanted);
            const amount = Math.max(0, Math.min(wanted, Number.isFinite(decided) ? decided : 0));
            S.kind[outs.signal] = BOOL;
            S.num[outs.signal] = amount > 0 ? 1 : 0;
            S.kind[outs.amount] = NUM;
            S.num[outs.amount] = amount;
            if (outs.reason !== 0) S.set(outs.reason, amount < wanted ? reason : "");
            return hop;
          };
        };
      }

      case "risk/stop_loss":
      case "risk/take_profit": {
        const stop = b.type === "stop_loss";
        const priceIn = this.in(i, "price");
        const entryIn = this.in(i, "entry_price");
        const { venue, symbol } = marketOf(P);
        const held = this.positionMarkets(venue, symbol);
        const quote = this.marketIndex(venue, symbol);
        const percent = Number(P.percent);
        const outs = { exit: this.out(i, "exit"), amount: this.out(i, "amount") };
        return () => {
          const S = this.slots;
          return () => {
            const m = heldMarket(account, held);
            const q = m < 0 ? 0 : account.positions[m]!;
            const qty = q > 0 ? q : 0;
            S.kind[outs.exit] = BOOL;
            S.num[outs.exit] = 0;
            S.kind[outs.amount] = NUM;
            S.num[outs.amount] = 0;
            if (qty === 0) return 1;
            let hop = 1;
            bar.hop = 1;
            let price = optNum(S, priceIn, "price");
            if (price === null) {
              bar.hop = hop = 2;
              if (quote.error !== null) fail(quote.error);
              price = this.input.markets[quote.index]!.bars.close[bar.t]!;
            }
            const entry = optNum(S, entryIn, "entry_price") ?? account.averagePrice(m);
            const level = stop ? entry * (1 - percent / 100) : entry * (1 + percent / 100);
            const exit = stop ? compare(price, "<=", level) : compare(price, ">=", level);
            S.num[outs.exit] = exit ? 1 : 0;
            S.num[outs.amount] = exit ? qty : 0;
            return hop;
          };
        };
      }

      case "actions/buy":
      case "actions/sell": {
        const side = b.type as Side;
        const signalIn = this.in(i, "signal");
        const amountIn = this.in(i, "amount");
        const priceIn = this.in(i, "price");
        const limitType = P.order_type === "limit";
        const unit = (P.amount_unit as "quantity" | "quote" | "percent_equity" | undefined) ?? "quantity";
        const { venue, symbol } = marketOf(P);
        const target = this.marketIndex(venue, symbol);
        const order = this.out(i, "order");
        // Sized other than by quantity, the order is placed after one await (sizedRequest).
        const at = unit === "quantity" ? 0 : 1;
        return () => {
          const S = this.slots;
          return () => {
            S.kind[order] = OPAQUE;
            if (!sig(S, signalIn)) return 0;
            const amount = optNum(S, amountIn, "amount");
            if (amount === null) fail('input "amount" has no value: connect it or set the property');
            if (amount < 0) fail(`input "amount" must not be negative, got ${amount}`);
            if (amount === 0) return 0;
            const limit = optNum(S, priceIn, "price");
            if (limitType && limit === null) fail("a limit order needs a price: connect the price input or set the property");
            if (bar.trading) {
              if (target.error !== null) {
                bar.hop = at + 1;
                fail(target.error);
              }
              bar.place(at, target.index, side, { unit, value: amount }, limitType && limit !== null ? limit : null, "step", clientOrderId(`bt_${bar.t}`, b.id));
            }
            return at + 1;
          };
        };
      }
      case "actions/target_position": {
        const signalIn = this.in(i, "signal");
        const percentIn = this.in(i, "percent");
        const rounding = P.rounding as "whole" | "step";
        const { venue, symbol } = marketOf(P);
        const target = this.marketIndex(venue, symbol);
        const order = this.out(i, "order");
        return () => {
          const S = this.slots;
          return () => {
            S.kind[order] = OPAQUE;
            if (!sig(S, signalIn)) return 0;
            const percent = optNum(S, percentIn, "percent");
            if (percent === null) fail('input "percent" has no value: connect it or set the property');
            if (bar.trading) {
              if (target.error !== null) {
                bar.hop = 1;
                fail(target.error);
              }
              bar.place(0, target.index, percent >= 0 ? "buy" : "sell", { unit: "target_percent", value: percent }, null, rounding, clientOrderId(`bt_${bar.t}`, b.id));
            }
            return 1;
          };
        };
      }
      case "actions/notify": {
        const signalIn = this.in(i, "signal");
        const sent = this.out(i, "sent");
        return () => {
          const S = this.slots;
          return () => {
            const on = sig(S, signalIn);
            S.kind[sent] = BOOL;
            S.num[sent] = on ? 1 : 0;
            if (!on) return 0;
            bar.notify(0);
            return 1;
          };
        };
      }
      case "actions/ladder": {
        const signalIn = this.in(i, "signal");
        const pricesIn = this.in(i, "prices");
        const amountIn = this.in(i, "amount");
        const side = P.side as Side;
        const maxOrders = Number(P.max_orders);
        const { venue, symbol } = marketOf(P);
        const target = this.marketIndex(venue, symbol);
        const outs = { orders: this.out(i, "orders"), placed: this.out(i, "placed") };
        const prices = new Float64Array(maxOrders);
        return () => {
          const S = this.slots;
          return () => {
            S.kind[outs.orders] = OPAQUE;
            S.kind[outs.placed] = NUM;
            S.num[outs.placed] = 0;
            if (!sig(S, signalIn)) return 0;
            const amount = optNum(S, amountIn, "amount") ?? 0;
            if (amount <= 0) return 0;
            if (S.kind[pricesIn] !== SERIES) fail(`input "prices" must be a series of prices, got ${describe(S.js(pricesIn))}`);
            const v = S.view[pricesIn]!;
            let k = 0;
            for (let j = 0; j < v.len && k < maxOrders; j++) {
              const x = v.at(j);
              if (Number.isFinite(x) && x > 0) prices[k++] = x;
            }
            if (k === 0) return 0;
            if (bar.trading) {
              if (target.error !== null) {
                bar.hop = 1;
                fail(target.error);
              }
              const id = clientOrderId(`bt_${bar.t}`, b.id);
              for (let j = 0; j < k; j++) bar.place(j, target.index, side, { unit: "quantity", value: amount }, prices[j]!, "step", `${id}#${j + 1}`);
              S.num[outs.placed] = k;
            }
            return k;
          };
        };
      }
      case "actions/quote": {
        const signalIn = this.in(i, "signal");
        const midIn = this.in(i, "mid");
        const sizeIn = this.in(i, "size");
        const inventoryIn = this.in(i, "inventory");
        const { venue, symbol } = marketOf(P);
        const held = this.positionMarkets(venue, symbol);
        const target = this.marketIndex(venue, symbol);
        const spread = Number(P.spread_pct);
        const maxInventory = Number(P.max_inventory);
        const outs = { bid: this.out(i, "bid"), ask: this.out(i, "ask") };
        return () => {
          const S = this.slots;
          return () => {
            S.kind[outs.bid] = OPAQUE;
            S.kind[outs.ask] = OPAQUE;
            if (!sig(S, signalIn)) return 0;
            const mid = num(S, midIn, "mid");
            const size = optNum(S, sizeIn, "size") ?? 0;
            let hop = 0;
            let inventory = optNum(S, inventoryIn, "inventory");
            if (inventory === null) {
              hop = 1;
              const m = heldMarket(account, held);
              inventory = m < 0 ? 0 : account.positions[m]!;
            }
            const half = (mid * spread) / 200;
            const bidPrice = roundDown(mid - half, TICK);
            const askPrice = Math.max(roundUp(mid + half, TICK), bidPrice + TICK);
            const bidSize = Math.min(size, Math.max(0, maxInventory - inventory));
            const askSize = Math.min(size, Math.max(0, inventory));
            const id = clientOrderId(`bt_${bar.t}`, b.id);
            for (const [go, s, price, qty, suffix] of [
              [bidSize > 0 && bidPrice > 0, "buy", bidPrice, bidSize, "#bid"],
              [askSize > 0, "sell", askPrice, askSize, "#ask"],
            ] as const) {
              if (!go) continue;
              if (bar.trading) {
                if (target.error !== null) {
                  bar.hop = hop + 1;
                  fail(target.error);
                }
                bar.place(hop, target.index, s, { unit: "quantity", value: qty }, price, "step", `${id}${suffix}`);
              }
              hop++;
            }
            return hop;
          };
        };
      }
      default:
        throw new Error(`no step form for ${node.kind}`);
    }
  }

  /** The running-sum SMA feeding series input `name` of block i, if any. */
  private rollingSma(i: number, name: string): SmaColumn | null {
    const src = sourceOf(this.plan.workflow, this.plan.workflow.blocks[i]!, name);
    if (!src || src.port !== "series" || !this.plan.nodes[src.block]!.rolling) return null;
    return this.smaColumns.get(src.block) ?? null;
  }
}

function setView(v: View, buf: Float64Array, len: number): void {
  v.buf = buf;
  v.end = len;
  v.len = len;
  v.bad = badIn(v);
}

function badIn(v: View): number {
  for (let k = 0; k < v.len; k++) if (!isFiniteNumber(v.at(k))) return k;
  return -1;
}

function fundingRate(f: { time: Float64Array; rate: Float64Array } | undefined, time: number): number {
  if (!f || f.time.length === 0) return 0;
  const at = lastAtOrBefore(f.time, time);
  return at >= 0 ? f.rate[at]! : 0;
}

/** The account market BacktestBroker.getPositions would report first for a market: -1 when flat. */
function heldMarket(account: BacktestAccount, candidates: readonly number[]): number {
  for (const m of candidates) if (account.positions[m] !== 0) return m;
  return -1;
}

/** BacktestBroker.getDailyPnl, in its order of summation. */
function dailyPnl(account: BacktestAccount, t: number): number {
  let unrealized = 0;
  for (let m = 0; m < account.markets.length; m++) {
    const q = account.positions[m]!;
    if (q !== 0) unrealized += q * (account.markets[m]!.bars.close[t]! - account.averagePrice(m));
  }
  return account.realizedToday + unrealized;
}

/** Could compare()'s tolerant equality decide differently at values within the bounds of a and b? */
function uncertain(a: number, ea: number, b: number, eb: number): boolean {
  const e = ea + eb;
  const tol = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return 4 * e >= tol || Math.abs(Math.abs(a - b) - tol) <= 2 * e + 16 * U * tol;
}

// Input readers: the executor's helpers' rules on the hot path, their own messages on failure.

function num(S: Slots, s: number, name: string): number {
  if (S.kind[s] === NUM) {
    const v = S.num[s]!;
    if (isFiniteNumber(v)) return v;
  }
  return requireNumber({ [name]: S.js(s) }, name);
}

function optNum(S: Slots, s: number, name: string): number | null {
  const k = S.kind[s];
  if (k === UNDEF || k === NULL) return null;
  if (k === NUM) {
    const v = S.num[s]!;
    if (isFiniteNumber(v)) return v;
  }
  return optionalNumber({ [name]: S.js(s) }, name);
}

function sig(S: Slots, s: number, name = "signal"): boolean {
  const k = S.kind[s];
  if (k === BOOL) return S.num[s] !== 0;
  if (k === UNDEF || k === NULL) return false;
  return signalOf({ [name]: S.js(s) }, name);
}

function bool(S: Slots, s: number, name: string): boolean {
  if (S.kind[s] === BOOL) return S.num[s] !== 0;
  return requireBoolean({ [name]: S.js(s) }, name);
}

function series(S: Slots, s: number, name: string): View {
  const k = S.kind[s];
  if (k === SERIES) {
    const v = S.view[s]!;
    if (v.bad >= 0) fail(`input "${name}" has a non-number at position ${v.bad}`);
    return v;
  }
  if (k === UNDEF || k === NULL) fail(`input "${name}" has no value: connect a series (e.g. from Candle field)`);
  return fail(`input "${name}" must be a series, got ${describe(S.js(s))}`);
}

// ---- Running the bars ----

type FailureRecord = { nodeId: string; message: string; bars: number; firstBar: number };

/** The per-bar loop: synchronous, so a chunk of bars runs without touching the event loop. */
class Runner {
  readonly st: Uint8Array;
  readonly msg: string[];
  private readonly settle: Int32Array;
  private readonly effStart: Int32Array;
  private readonly effEnd: Int32Array;
  private readonly preds: Int32Array;
  private readonly predStart: Int32Array;
  private readonly order: Int32Array;
  private readonly isAsync: Uint8Array;
  private readonly effectful: Uint8Array;
  private readonly successors: readonly (readonly number[])[];
  private readonly indegree: readonly number[];
  private readonly ids: string[];
  private readonly close: boolean;
  private readonly steps: Step[];
  private readonly effects: Effect[];
  private readonly time0: Float64Array;
  private readonly failed: number[] = [];
  // The scheduler model's state.
  private readonly remaining: Int32Array;
  private readonly blocked: Uint8Array;
  private readonly qNode: number[] = [];
  private readonly qHop: number[] = [];
  private readonly failOrder: number[] = [];
  private heap = new IndexHeap();
  private inFlight = 0;
  private pumping = false;
  // What runReference's loop keeps.
  readonly traces: { block: number; port: string; trace: IndicatorTrace }[];
  private readonly traceSlots: Int32Array;
  private readonly traceBlocks: Int32Array;
  private readonly traceValues: Float64Array[];
  private readonly readsNow: boolean;
  private readonly warming: Int32Array;
  private readonly firstOk: Int32Array;
  warmup: number;
  private pendingWarm: number;
  readonly equity: Float64Array;
  readonly failures = new Map<string, FailureRecord>();
  readonly rejected = new Map<string, number>();
  private ordersSeen: number;
  /** The topological pass over all nodes: the plan's generated code, or the per-node loop where code generation is refused. */
  private readonly pass: () => void;

  constructor(
    private readonly bind: Binding,
    plan: BacktestPlan,
    private readonly account: BacktestAccount,
    input: EngineInput,
    n: number,
  ) {
    const { blocks, order, successors, indegree } = plan.workflow;
    const count = blocks.length;
    this.steps = bind.steps;
    this.effects = bind.bar.effects;
    this.st = new Uint8Array(count);
    this.msg = new Array<string>(count).fill("");
    this.settle = new Int32Array(count);
    this.effStart = new Int32Array(count);
    this.effEnd = new Int32Array(count);
    const predLists: number[][] = blocks.map(() => []);
    successors.forEach((list, i) => list.forEach((j) => predLists[j]!.push(i)));
    this.predStart = new Int32Array(count + 1);
    predLists.forEach((l, i) => (this.predStart[i + 1] = this.predStart[i]! + l.length));
    this.preds = Int32Array.from(predLists.flat());
    this.order = Int32Array.from(order);
    this.isAsync = Uint8Array.from(plan.nodes, (p) => (p.async ? 1 : 0));
    this.effectful = Uint8Array.from(blocks, (b) => (b.category === "actions" ? 1 : 0));
    this.successors = successors;
    this.indegree = indegree;
    this.ids = blocks.map((b) => b.id);
    this.close = input.settings.fill === "close";
    this.time0 = input.markets[0]!.bars.time;
    this.remaining = new Int32Array(count);
    this.blocked = new Uint8Array(count);
    this.traces = tracesOf(plan.workflow, n);
    this.traceSlots = Int32Array.from(this.traces, (tr) => bind.outputSlot(tr.block, tr.port));
    this.traceBlocks = Int32Array.from(this.traces, (tr) => tr.block);
    this.traceValues = this.traces.map((tr) => tr.trace.values);
    this.readsNow = blocks.some((b) => b.category === "triggers");
    this.warming = Int32Array.from(blocks.filter((b) => b.def.warmsUp).map((b) => b.index));
    this.firstOk = new Int32Array(count).fill(-1);
    this.warmup = this.warming.length === 0 ? 0 : -1;
    this.pendingWarm = this.warming.length;
    this.equity = new Float64Array(n);
    this.ordersSeen = account.orders.length;
    const make = plan.makePass;
    this.pass = make ? make(this.steps, this.st, this.settle, bind.bar, this.effects, this.effStart, this.effEnd, (i, err) => this.failedAt(i, err)) : () => this.loopPass();
  }

  /** A node failed in the topological pass: its message, the hop at which it rejects, its effects dropped. */
  private failedAt(i: number, err: unknown): void {
    this.settle[i] = this.bind.bar.hop;
    this.st[i] = FAILED;
    this.msg[i] = messageOf(err);
    if (this.effectful[i]) this.effects.length = this.effStart[i]!;
    this.failed.push(i);
  }

  private loopPass(): void {
    const { st, order, preds, predStart } = this;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      let ready = true;
      for (let p = predStart[i]!, end = predStart[i + 1]!; p < end; p++) if (st[preds[p]!] !== OK) ready = false;
      if (!ready) st[i] = 0;
      else if (!this.run(i)) this.failed.push(i);
    }
  }

  /** Runs node i at its start; false when it failed (its message in msg[i]). */
  private run(i: number): boolean {
    const bar = this.bind.bar;
    bar.hop = 0;
    if (this.effectful[i]) {
      bar.node = i;
      this.effStart[i] = this.effects.length;
    }
    try {
      this.settle[i] = this.steps[i]!();
      this.st[i] = OK;
    } catch (err) {
      this.settle[i] = bar.hop;
      this.st[i] = FAILED;
      this.msg[i] = messageOf(err);
      if (this.effectful[i]) this.effects.length = this.effStart[i]!;
    }
    if (this.effectful[i]) this.effEnd[i] = this.effects.length;
    return this.st[i] === OK;
  }

  private execute(e: Effect, t: number): void {
    if (e.notify) this.bind.notifications++;
    else this.account.place({ market: e.market, side: e.side, sizing: e.sizing, limitPrice: e.limitPrice, rounding: e.rounding, placedBar: t, clientOrderId: e.clientOrderId }, t);
  }

  /** Bar t: the topological pass with orders held back, or the scheduler model when their order matters. */
  runBar(t: number): void {
    const { account, bind, st, effects, failed } = this;
    const bar = bind.bar;
    account.beginBar(t);
    bar.t = t;
    if (this.readsNow) bar.now = timeClip(this.time0[t]!);
    const trading = (bar.trading = this.warmup >= 0 && t > this.warmup);
    if (effects.length !== 0) effects.length = 0;
    if (failed.length !== 0) failed.length = 0;
    this.pass();
    let placingNodes = 0;
    let marketOrder = false;
    let newFailures = 0;
    if (trading) for (const i of failed) if (!this.failures.has(`${this.ids[i]}\u0000${this.msg[i]}`)) newFailures++;
    let last = -1;
    for (let e = 0; e < effects.length; e++) {
      const ef = effects[e]!;
      if (ef.notify) continue;
      if (ef.node !== last) placingNodes++;
      last = ef.node;
      if (ef.limitPrice === null) marketOrder = true;
    }
    if (placingNodes > 1 || (this.close && marketOrder) || newFailures > 1) {
      this.simulate(t);
      if (trading) for (const i of this.failOrder) this.record(i, t);
    } else {
      for (let e = 0; e < effects.length; e++) this.execute(effects[e]!, t);
      if (trading) for (const i of failed) this.record(i, t);
    }

    if (this.pendingWarm > 0) {
      for (let k = 0; k < this.warming.length; k++) {
        const i = this.warming[k]!;
        if (st[i] === OK && this.firstOk[i] === -1) {
          this.firstOk[i] = t;
          if (--this.pendingWarm === 0) this.warmup = t;
        }
      }
    }
    const { kind, num } = bind.slots;
    const { traceBlocks, traceSlots, traceValues } = this;
    for (let k = 0; k < traceBlocks.length; k++) {
      if (st[traceBlocks[k]!] !== OK) continue;
      const s = traceSlots[k]!;
      if (kind[s] === NUM) traceValues[k]![t] = num[s]!;
    }
    const orders = account.orders;
    for (; this.ordersSeen < orders.length; this.ordersSeen++) {
      const o = orders[this.ordersSeen]!;
      if (o.state === "rejected") this.rejected.set(o.reason ?? "rejected", (this.rejected.get(o.reason ?? "rejected") ?? 0) + 1);
    }
    this.equity[t] = account.equityAt(t);
  }

  private record(i: number, t: number): void {
    const key = `${this.ids[i]}\u0000${this.msg[i]}`;
    const f = this.failures.get(key);
    if (f) f.bars++;
    else this.failures.set(key, { nodeId: this.ids[i]!, message: this.msg[i]!, bars: 1, firstBar: t });
  }

  // The executor's scheduler (executeWorkflow's pump, release and completion handlers), with a FIFO
  // queue standing in for the microtask queue: an asynchronous node started by a pump queues its first
  // hop; each hop queues the next until the one at which its promise settles, which queues the
  // executor's completion handler.

  private effectsAt(i: number, hop: number, t: number): void {
    if (!this.effectful[i]) return;
    for (let k = this.effStart[i]!; k < this.effEnd[i]!; k++) if (this.effects[k]!.hop === hop) this.execute(this.effects[k]!, t);
  }

  private release(i: number, ok: boolean): void {
    for (const next of this.successors[i]!) {
      if (!ok) this.blocked[next] = 1;
      if (--this.remaining[next]! === 0) this.heap.push(next);
    }
  }

  private pump(t: number): void {
    if (this.pumping) return;
    this.pumping = true;
    while (this.heap.size > 0 && this.inFlight < MAX_ASYNC_NODES) {
      const i = this.heap.pop()!;
      if (this.blocked[i]) {
        this.st[i] = 0;
        this.release(i, false);
        continue;
      }
      const ok = this.run(i);
      if (!this.isAsync[i]) {
        if (!ok) this.failOrder.push(i);
        this.release(i, ok);
        continue;
      }
      this.inFlight++;
      this.effectsAt(i, 0, t);
      this.qNode.push(i);
      this.qHop.push(this.settle[i] === 0 ? -1 : 1);
    }
    this.pumping = false;
  }

  private simulate(t: number): void {
    const { qNode, qHop, st } = this;
    this.effects.length = 0;
    this.failOrder.length = 0;
    qNode.length = 0;
    qHop.length = 0;
    this.heap = new IndexHeap();
    this.inFlight = 0;
    for (let i = 0; i < st.length; i++) {
      this.remaining[i] = this.indegree[i]!;
      this.blocked[i] = 0;
      st[i] = 0;
      if (this.remaining[i] === 0) this.heap.push(i);
    }
    this.pump(t);
    for (let q = 0; q < qNode.length; q++) {
      const i = qNode[q]!;
      const hop = qHop[q]!;
      if (hop >= 0) {
        this.effectsAt(i, hop, t);
        qNode.push(i);
        qHop.push(hop === this.settle[i] ? -1 : hop + 1);
        continue;
      }
      this.inFlight--;
      if (st[i] === FAILED) this.failOrder.push(i);
      this.release(i, st[i] === OK);
      this.pump(t);
    }
  }
}

/**
 * Runs a compiled plan over `input` (whose `compiled` must be the plan's workflow) and returns what
 * runReference returns for it. Reports progress and yields to the event loop as runReference does.
 */
export async function runCompiled(input: EngineInput, plan: BacktestPlan, hooks: EngineHooks = {}): Promise<EngineOutput> {
  if (input.compiled !== plan.workflow) throw new Error("runCompiled: the input's workflow is not the plan's");
  const started = performance.now();
  const n = input.markets[0]!.bars.length;
  const account = accountFor(input);
  const bind = new Binding(plan, input, account);
  const runner = new Runner(bind, plan, account, input, n);
  const everyMs = hooks.progressEveryMs ?? 100;
  let lastReport = performance.now();
  let status: EngineOutput["status"] = "completed";
  let done = 0;
  while (done < n) {
    if (hooks.signal?.aborted) {
      status = "cancelled";
      break;
    }
    // Without a progress hook the run never yields, as runReference never does then.
    if (!hooks.onProgress) {
      for (; done < n; done++) runner.runBar(done);
      break;
    }
    let due = false;
    while (done < n && !due) {
      const end = Math.min(n, done + 1024);
      for (; done < end; done++) runner.runBar(done);
      due = performance.now() - lastReport >= everyMs;
    }
    if (due) {
      hooks.onProgress({ bars_done: done, bars_total: n, trades: account.trades.length + account.openTradeCount(), equity: runner.equity[done - 1]! });
      await yieldToEventLoop();
      lastReport = performance.now();
    }
  }
  return finish(input, account, {
    status,
    equity: runner.equity,
    done,
    warmup: runner.warmup,
    indicators: runner.traces.map((t) => t.trace),
    failures: [...runner.failures.values()],
    rejected: runner.rejected,
    notifications: bind.notifications,
    started,
    orders: () => account.orders,
  });
}

/** engine.ts's indicator traces: each warming-up node's first three numeric outputs, NaN until set. */
function tracesOf(workflow: CompiledWorkflow, n: number): { block: number; port: string; trace: IndicatorTrace }[] {
  const traces: { block: number; port: string; trace: IndicatorTrace }[] = [];
  for (const b of workflow.blocks) {
    if (!b.def.warmsUp) continue;
    const numeric = b.outputs.filter((p) => p.type === "number").slice(0, 3);
    for (const p of numeric) {
      const label = numeric.length > 1 ? `${b.name} ${p.name}` : b.name;
      traces.push({ block: b.index, port: p.name, trace: { nodeId: b.id, label, values: new Float64Array(n).fill(NaN) } });
    }
  }
  return traces;
}
