/**
 * The backtester's shared shapes. Pure TypeScript: the engine, the statistics, the CSV reader, the
 * server and the report's charts all use these.
 */

/** OHLCV bars as columns, oldest first; `time` is each bar's open time in ms since the epoch. */
export interface Bars {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export const BAR_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;
export type BarColumn = (typeof BAR_COLUMNS)[number];

/** Allocates `length` zeroed bars. */
export function emptyBars(length: number): Bars {
  return {
    length,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** Bars [start, end) of `bars` (views, no copy). */
export function sliceBars(bars: Bars, start: number, end: number): Bars {
  return {
    length: Math.max(0, end - start),
    time: bars.time.subarray(start, end),
    open: bars.open.subarray(start, end),
    high: bars.high.subarray(start, end),
    low: bars.low.subarray(start, end),
    close: bars.close.subarray(start, end),
    volume: bars.volume.subarray(start, end),
  };
}

/** A closed trade, in backtesting.py's terms: size is signed (negative for a short). */
export interface Trade {
  /** Positive long, negative short. */
  size: number;
  /** Index of the bar the entry filled on, and of the bar the exit filled on. */
  entry_bar: number;
  exit_bar: number;
  entry_price: number;
  exit_price: number;
  /** ms since the epoch. */
  entry_time: number;
  exit_time: number;
  /** Profit in the quote currency, after the commissions paid on both fills. */
  pnl: number;
  /** sign(size) x (exit / entry - 1), less the commissions as a fraction of the entry value. */
  return_pct: number;
  /** Commissions paid on this trade's entry and exit. */
  commission: number;
  /** The market it traded, `venue:symbol`. */
  market: string;
}

/** What the statistics are computed from. */
export interface StatsInput {
  /** Bar open times, ms since the epoch. */
  time: Float64Array;
  /** Close of the traded market, for Buy & Hold, Alpha and Beta. */
  close: Float64Array;
  /** Equity at each bar's close, back-filled before the first decision (so equity[0] is the cash). */
  equity: Float64Array;
  /** Closed trades in exit order. */
  trades: readonly Trade[];
  /** The warm-up bar count (backtesting.py's `warmup`): Buy & Hold is measured from Close[warmup]. */
  warmup: number;
  /** Total commissions paid. */
  commissions: number;
}

/**
 * backtesting.py's statistics, keyed exactly by its names. Durations are in days (fractions allowed for
 * intraday data); a statistic that is not defined for the run (no trades, one bar) is null.
 */
export type Stats = Record<StatName, number | string | null>;

export const STAT_NAMES = [
  "Start",
  "End",
  "Duration",
  "Exposure Time [%]",
  "Equity Final [$]",
  "Equity Peak [$]",
  "Commissions [$]",
  "Return [%]",
  "Buy & Hold Return [%]",
  "Return (Ann.) [%]",
  "Volatility (Ann.) [%]",
  "CAGR [%]",
  "Sharpe Ratio",
  "Sortino Ratio",
  "Calmar Ratio",
  "Alpha [%]",
  "Beta",
  "Max. Drawdown [%]",
  "Avg. Drawdown [%]",
  "Max. Drawdown Duration",
  "Avg. Drawdown Duration",
  "# Trades",
  "Win Rate [%]",
  "Best Trade [%]",
  "Worst Trade [%]",
  "Avg. Trade [%]",
  "Max. Trade Duration",
  "Avg. Trade Duration",
  "Profit Factor",
  "Expectancy [%]",
  "SQN",
  "Kelly Criterion",
] as const;
export type StatName = (typeof STAT_NAMES)[number];

/** One calendar month's return of the equity curve (last equity of the month over the previous month's). */
export interface MonthlyReturn {
  /** "YYYY-MM" (UTC). */
  month: string;
  return_pct: number;
}

export type FillTiming = "next_open" | "close";

/** Backtest settings with their defaults filled in. */
export interface BacktestSettings {
  cash: number;
  /** Commission as a percent of each fill's value; null uses the venue's fee model (zero for a dataset). */
  commission_pct: number | null;
  slippage_bps: number;
  /** "next_open": an order decided on bar t fills at bar t+1's open. "close": at bar t's close (optimistic). */
  fill: FillTiming;
  /** null: shorts allowed for datasets and simulated data, never on spot venues. */
  allow_short: boolean | null;
  /** Close what is open at the end of the data, at the last bar's open. */
  close_at_end: boolean;
  /** The order book built from each bar: half-spread around the price, and size per level. */
  book_spread_bps: number;
  book_depth: number;
  book_level_size: number;
}

/** A point of a curve for the report's charts: [time ms, value]. */
export type Point = [number, number];

/** A bar for the report's price chart: [time ms, open, high, low, close]. */
export type ChartBar = [number, number, number, number, number];

/** Everything the report shows; stored with the backtest. */
export interface BacktestReport {
  stats: Stats;
  trades: Trade[];
  /** Equity at the close of each bar (downsampled to at most a few thousand points for long runs). */
  equity: Point[];
  /** Drawdown in percent (0 or negative), on the same times as `equity`. */
  drawdown: Point[];
  /** The traded market's bars (aggregated to at most a few thousand for long runs). */
  price: { market: string; interval: string; bars: ChartBar[] };
  /** The strategy's indicator values by node, on the price chart's times. */
  indicators: { nodeId: string; label: string; points: Point[] }[];
  monthly: MonthlyReturn[];
  /** Which path ran: "compiled" or "reference", and why when reference was chosen. */
  engine: { path: "compiled" | "reference"; reason?: string; bars_per_second: number };
  /** Facts a reader must know: the book model, gaps in the data, optimistic fills, the warm-up. */
  notes: string[];
  warmup: number;
  bars: number;
  /** The version of every node type the graph used ("actions/buy": 2), so a stored backtest keeps its meaning. */
  node_versions?: Record<string, number>;
}

/** Where a backtest's bars come from (the API's `data`, or one entry of its `by_node` map). */
export type DataSource =
  | { dataset_id: string }
  | { venue: "binance" | "polymarket" | "kalshi"; symbol: string; interval: string; from: string; to: string }
  | { simulated: { seed?: number; interval: string; bars: number } };

export type DataRequest = DataSource | { by_node: Record<string, DataSource> };

/** What was loaded for one market. */
export interface DataSummary {
  source: "dataset" | "venue" | "simulated";
  /** "dataset BTC 2021", "binance BTCUSDT 1h", "simulated (seed 7)". */
  label: string;
  /** The provider nodes that read it. */
  nodes: string[];
  interval: string;
  bars: number;
  /** ISO times of the first and last bar. */
  from: string | null;
  to: string | null;
  /** Missing stretches: [first missing open time, last missing open time] in ms, and how many bars. */
  gaps: { from: number; to: number; bars: number }[];
  duplicates: number;
}

/** A stored backtest as the API returns it: the report plus what ran. */
export interface BacktestRecord extends BacktestReport {
  id: string;
  workflow_id: string | null;
  version: number | null;
  status: "completed" | "failed" | "cancelled";
  error: string | null;
  created_at: string;
  duration_ms: number;
  data: DataSummary[];
  settings: BacktestSettings;
}

/** A stored backtest in a list: no curves or trades. */
export interface BacktestSummary {
  id: string;
  workflow_id: string | null;
  version: number | null;
  status: BacktestRecord["status"];
  created_at: string;
  data: DataSummary[];
  settings: BacktestSettings;
  stats: Stats;
  bars: number;
}

/** Progress of a running backtest, streamed as `progress` events. */
export interface BacktestProgress {
  bars_done: number;
  bars_total: number;
  trades: number;
  equity: number;
}

/** A dataset as the API returns it. */
export interface DatasetSummary {
  id: string;
  name: string;
  bars: number;
  interval: string;
  from: string;
  to: string;
  created_at: string;
}
