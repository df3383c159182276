import type { NodeServices, Notification } from "../providers/types";
import { discardSink, runOnce } from "../runs/engine";
import type { CompiledWorkflow } from "../workflow/validate";
import { BacktestAccount, type MarketSpec, type OrderRecord } from "./account";
import { BacktestBroker } from "./broker";
import { ReplayMarket } from "./replay-market";
import type { BacktestProgress, BacktestSettings, Bars, Trade } from "./types";

/**
 * The reference path: the executor runs the whole graph once per bar through the same node definitions as
 * Run Workflow, against the replay market and the backtest account. Per bar t: the account fills what is
 * due at bar t's open and range, the market adds bar t, the graph decides on bar t's close, and equity is
 * recorded at that close.
 */

export interface EngineMarket {
  /** `venue:symbol` of the market the data is for. */
  key: string;
  /** Every `venue:symbol` that reads this data (provider nodes and the order nodes trading it). */
  keys: string[];
  bars: Bars;
  funding?: { time: Float64Array; rate: Float64Array };
  fee: (quantity: number, price: number) => number;
  allowShort: boolean;
  stepSize: number;
}

export interface EngineInput {
  compiled: CompiledWorkflow;
  /** Aligned: every market has the same bar times. The first is the one the report's price chart shows. */
  markets: EngineMarket[];
  settings: BacktestSettings & { stop_loss_pct?: number | null; take_profit_pct?: number | null };
}

export interface IndicatorTrace {
  nodeId: string;
  label: string;
  values: Float64Array;
}

export interface EngineOutput {
  status: "completed" | "cancelled";
  equity: Float64Array;
  trades: Trade[];
  commissions: number;
  /** backtesting.py's `warmup`: the first bar at which every warming-up indicator had a value. */
  warmup: number;
  /** Bars the engine decided on (all bars unless cancelled). */
  barsDone: number;
  indicators: IndicatorTrace[];
  /** Node failures after the warm-up, by node and message, with how many bars they happened on. */
  failures: { nodeId: string; message: string; bars: number; firstBar: number }[];
  ordersPlaced: number;
  /** Every order the strategy placed, in order (the look-ahead check compares them). */
  orders: readonly OrderRecord[];
  ordersRejected: { reason: string; count: number }[];
  notifications: number;
  seconds: number;
}

export interface EngineHooks {
  signal?: AbortSignal;
  onProgress?: (p: BacktestProgress) => void;
  /** Progress at most this often (ms of work); the engine yields to the event loop at each report. */
  progressEveryMs?: number;
}

const NUMERIC_OUTPUTS = 3;

/** The account and market a run over `input` starts with; shared with the compiled path. */
export function accountFor(input: EngineInput): BacktestAccount {
  // Funding is paid on perpetual positions only; a spot market's funding series is there to be read.
  const specs: MarketSpec[] = input.markets.map((m) => ({ key: m.key, bars: m.bars, fee: m.fee, allowShort: m.allowShort, stepSize: m.stepSize, ...(m.funding && /-PERP$/i.test(m.key) ? { funding: m.funding } : {}) }));
  const s = input.settings;
  return new BacktestAccount(specs, { cash: s.cash, slippageBps: s.slippage_bps, fill: s.fill, stopLossPct: s.stop_loss_pct ?? null, takeProfitPct: s.take_profit_pct ?? null });
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export async function runReference(input: EngineInput, hooks: EngineHooks = {}): Promise<EngineOutput> {
  const started = performance.now();
  const { compiled, markets } = input;
  const n = markets[0]!.bars.length;
  const account = accountFor(input);
  const market = new ReplayMarket(
    markets.map((m) => ({ keys: m.keys, bars: m.bars, stepSize: m.stepSize, ...(m.funding ? { funding: m.funding } : {}) })),
    { spreadBps: input.settings.book_spread_bps, depth: input.settings.book_depth, levelSize: input.settings.book_level_size },
  );
  const broker = new BacktestBroker(account, market);
  let notifications = 0;
  const services: NodeServices = {
    market,
    sources: { simulated: market, live: market },
    broker,
    notifier: {
      notify(_n: Notification) {
        notifications++;
      },
    },
  };

  const blocks = compiled.blocks;
  const indexOf = new Map(blocks.map((b, i) => [b.id, i]));
  const warming = blocks.filter((b) => b.def.warmsUp).map((b) => b.index);
  const firstOk = new Int32Array(blocks.length).fill(-1);
  let warmup = warming.length === 0 ? 0 : -1;
  let pendingWarm = warming.length;

  // Each warming-up indicator's numeric outputs, drawn on the report's price chart.
  const traces: { block: number; port: string; trace: IndicatorTrace }[] = [];
  for (const i of warming) {
    const b = blocks[i]!;
    const numeric = b.outputs.filter((p) => p.type === "number").slice(0, NUMERIC_OUTPUTS);
    for (const p of numeric) {
      const label = numeric.length > 1 ? `${b.name} ${p.name}` : b.name;
      traces.push({ block: i, port: p.name, trace: { nodeId: b.id, label, values: new Float64Array(n).fill(NaN) } });
    }
  }

  const tracesOf: (typeof traces | undefined)[] = new Array(blocks.length);
  for (const tr of traces) (tracesOf[tr.block] ??= []).push(tr);

  const equity = new Float64Array(n);
  const failures = new Map<string, { nodeId: string; message: string; bars: number; firstBar: number }>();
  const rejected = new Map<string, number>();
  let ordersSeen = account.orders.length;
  const everyMs = hooks.progressEveryMs ?? 100;
  let lastReport = performance.now();
  let status: EngineOutput["status"] = "completed";
  let done = 0;

  for (let t = 0; t < n; t++) {
    if (hooks.signal?.aborted) {
      status = "cancelled";
      break;
    }
    account.beginBar(t);
    market.advance(t);
    broker.trading = warmup >= 0 && t > warmup;
    const time = markets[0]!.bars.time[t]!;
    const result = await runOnce(compiled, services, { now: new Date(time), read: () => time }, discardSink, { mode: "backtest", runId: `bt_${t}`, recordOutputs: false, nodeSignals: false, signal: hooks.signal });
    for (const r of result.results) {
      const i = indexOf.get(r.nodeId)!;
      if (r.status === "succeeded") {
        if (firstOk[i] === -1) {
          firstOk[i] = t;
          if (blocks[i]!.def.warmsUp && --pendingWarm === 0) warmup = t;
        }
        const own = tracesOf[i];
        if (own) {
          const out = r.output as Record<string, unknown> | null;
          for (const tr of own) {
            const v = out?.[tr.port];
            if (typeof v === "number") tr.trace.values[t] = v;
          }
        }
      } else if (r.status === "failed" && warmup >= 0 && t > warmup) {
        const key = `${r.nodeId}\u0000${r.error ?? ""}`;
        const f = failures.get(key);
        if (f) f.bars++;
        else failures.set(key, { nodeId: r.nodeId, message: r.error ?? "failed", bars: 1, firstBar: t });
      }
    }
    for (; ordersSeen < account.orders.length; ordersSeen++) {
      const o = account.orders[ordersSeen]!;
      if (o.state === "rejected") rejected.set(o.reason ?? "rejected", (rejected.get(o.reason ?? "rejected") ?? 0) + 1);
    }
    equity[t] = account.equityAt(t);
    done = t + 1;
    if (hooks.onProgress && performance.now() - lastReport >= everyMs) {
      hooks.onProgress({ bars_done: done, bars_total: n, trades: account.trades.length + account.openTradeCount(), equity: equity[t]! });
      await yieldToEventLoop();
      lastReport = performance.now();
    }
  }
  return finish(input, account, {
    status,
    equity,
    done,
    warmup,
    indicators: traces.map((t) => t.trace),
    failures: [...failures.values()],
    rejected,
    notifications,
    started,
    orders: () => account.orders,
  });
}

/** Closes the run out: end-of-data exits, equity back-filled before the first decision, late rejections counted. */
export function finish(
  input: EngineInput,
  account: BacktestAccount,
  run: {
    status: EngineOutput["status"];
    equity: Float64Array;
    done: number;
    warmup: number;
    indicators: IndicatorTrace[];
    failures: EngineOutput["failures"];
    rejected: Map<string, number>;
    notifications: number;
    started: number;
    orders: () => readonly { state: string; reason?: string }[];
  },
): EngineOutput {
  const { equity, done } = run;
  const warmup = run.warmup < 0 ? Math.max(0, done - 1) : run.warmup;
  const last = done - 1;
  if (last >= 0 && input.settings.close_at_end) {
    const before = account.orders.length;
    // At the last bar's open, as backtesting.py does; with close fills, at its close (an entry may have filled there).
    account.closeAll(last, input.settings.fill === "close" ? "close" : "open");
    equity[last] = account.equityAt(last);
    for (let k = before; k < account.orders.length; k++) {
      const o = account.orders[k]!;
      if (o.state === "rejected") run.rejected.set(o.reason ?? "rejected", (run.rejected.get(o.reason ?? "rejected") ?? 0) + 1);
    }
  }
  // Equity before the first decision (bar warmup + 1) is the first recorded value: the starting cash.
  const start = Math.min(warmup + 1, Math.max(0, done - 1));
  for (let t = 0; t < start; t++) equity[t] = input.settings.cash;
  const cut = done < equity.length ? equity.subarray(0, done) : equity;
  return {
    status: run.status,
    equity: cut,
    trades: account.trades,
    commissions: account.commissions,
    warmup,
    barsDone: done,
    indicators: run.indicators.map((t) => ({ ...t, values: done < t.values.length ? t.values.subarray(0, done) : t.values })),
    failures: run.failures,
    ordersPlaced: account.orders.length,
    orders: account.orders,
    ordersRejected: [...run.rejected.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    notifications: run.notifications,
    seconds: (performance.now() - run.started) / 1000,
  };
}
