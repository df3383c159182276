import { defineNode, type AnyNodeDefinition } from "../workflow/definition";
import { bollinger, ema, macd, rsi, sma, stable, type Series } from "../indicators/ta";
import type { Candle } from "../providers/types";
import { describe, requireNumber } from "./inputs";

/**
 * Indicator nodes. A series is a list of numbers, oldest first; indicator outputs drop the warm-up, so
 * every series ends at the latest bar and two series line up at their ends. Each node gives the latest
 * value as a number and the whole series for nodes that need history (crossovers).
 */

function seriesOf(inputs: Record<string, unknown>, name = "series"): number[] {
  const v = inputs[name];
  if (v === undefined || v === null) throw new Error(`input "${name}" has no value: connect a series (e.g. from Candle field)`);
  if (!Array.isArray(v)) throw new Error(`input "${name}" must be a series, got ${describe(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== "number" || !Number.isFinite(v[i])) throw new Error(`input "${name}" has a non-number at position ${i}`);
  }
  return v as number[];
}

function last(series: Series | number[]): number | null {
  for (let i = series.length - 1; i >= 0; i--) if (series[i] !== null && series[i] !== undefined) return series[i] as number;
  return null;
}

function needBars(values: number[], needed: number, what: string): void {
  if (values.length < needed) throw new Error(`${what} needs at least ${needed} values, the series has ${values.length}: fetch more candles`);
}

const periodProp = (def: number, label = "Period") => ({ kind: "number" as const, name: "period", label, default: def, min: 1, max: 1000, integer: true });
const SERIES_IN = { name: "series", type: "series" as const };
const VALUE_SERIES_OUT = [
  { name: "value", type: "number" as const, description: "Latest value" },
  { name: "series", type: "series" as const, description: "All values after the warm-up" },
];

/** A one-series, one-period indicator (SMA, EMA, RSI): latest value and the series after its warm-up. */
function periodIndicator(type: string, label: string, description: string, defaultPeriod: number, compute: (values: number[], period: number) => Series, extraBars: number): AnyNodeDefinition {
  return defineNode<{ period: number }>({
    category: "indicators",
    type,
    label,
    description,
    inputs: [SERIES_IN, { name: "period", type: "number" }],
    outputs: VALUE_SERIES_OUT,
    properties: [periodProp(defaultPeriod)],
    warmsUp: true,
    run: ({ inputs }) => {
      const values = seriesOf(inputs);
      const period = requireNumber(inputs, "period");
      needBars(values, period + extraBars, `${label}(${period})`);
      const s = stable(compute(values, period));
      return { value: last(s), series: s };
    },
  });
}

export const CANDLE_FIELDS = ["close", "open", "high", "low", "volume", "typical"] as const;
type CandleField = (typeof CANDLE_FIELDS)[number];

function candlesOf(v: unknown): Candle[] {
  if (!Array.isArray(v)) throw new Error(`input "candles" must be candles, got ${describe(v)}`);
  return v as Candle[];
}

export const indicatorNodes: AnyNodeDefinition[] = [
  defineNode<{ field: CandleField }>({
    category: "indicators",
    type: "candle_field",
    label: "Candle field",
    description: "Turns candles into a series of one field: close, open, high, low, volume or typical price (h+l+c)/3",
    inputs: [{ name: "candles", type: "candles" }],
    outputs: [
      { name: "series", type: "series" },
      { name: "last", type: "number", description: "The latest bar's value" },
    ],
    properties: [{ kind: "enum", name: "field", label: "Field", default: "close", options: CANDLE_FIELDS.map((f) => ({ value: f, label: f })) }],
    run: ({ inputs, props }) => {
      const candles = candlesOf(inputs.candles);
      const series = candles.map((c) => (props.field === "typical" ? (c.high + c.low + c.close) / 3 : c[props.field]));
      return { series, last: series.length ? series[series.length - 1]! : null };
    },
  }),
  periodIndicator("sma", "SMA", "Simple moving average: the mean of the last N values", 20, sma, 0),
  periodIndicator("ema", "EMA", "Exponential moving average, k = 2/(N+1), seeded with the SMA of the first N values (TA-Lib's convention)", 20, ema, 0),
  periodIndicator("rsi", "RSI", "Relative strength index (0-100) with Wilder's smoothing, as TA-Lib computes it", 14, rsi, 1),
  defineNode<{ fast: number; slow: number; signal: number }>({
    category: "indicators",
    type: "macd",
    label: "MACD",
    description: "MACD line (fast EMA - slow EMA), its signal EMA and the histogram, with TA-Lib's seeding",
    inputs: [SERIES_IN],
    outputs: [
      { name: "macd", type: "number" },
      { name: "signal", type: "number" },
      { name: "histogram", type: "number" },
      { name: "macd_series", type: "series" },
      { name: "signal_series", type: "series" },
    ],
    properties: [
      { kind: "number", name: "fast", label: "Fast period", default: 12, min: 1, max: 500, integer: true },
      { kind: "number", name: "slow", label: "Slow period", default: 26, min: 1, max: 500, integer: true },
      { kind: "number", name: "signal", label: "Signal period", default: 9, min: 1, max: 500, integer: true },
    ],
    warmsUp: true,
    run: ({ inputs, props }) => {
      const values = seriesOf(inputs);
      needBars(values, Math.max(props.fast, props.slow) + props.signal - 1, `MACD(${props.fast}, ${props.slow}, ${props.signal})`);
      const m = macd(values, props.fast, props.slow, props.signal);
      return { macd: last(m.macd), signal: last(m.signal), histogram: last(m.histogram), macd_series: stable(m.macd), signal_series: stable(m.signal) };
    },
  }),
  defineNode<{ period: number; deviations: number }>({
    category: "indicators",
    type: "bollinger",
    label: "Bollinger bands",
    description: "SMA middle band with upper and lower bands at k population standard deviations",
    inputs: [SERIES_IN],
    outputs: [
      { name: "upper", type: "number" },
      { name: "middle", type: "number" },
      { name: "lower", type: "number" },
      { name: "price", type: "number", description: "The series' latest value, to compare with the bands" },
    ],
    properties: [periodProp(20), { kind: "number", name: "deviations", label: "Deviations (k)", default: 2, min: 0.1, max: 10 }],
    warmsUp: true,
    run: ({ inputs, props }) => {
      const values = seriesOf(inputs);
      needBars(values, props.period, `Bollinger(${props.period})`);
      const b = bollinger(values, props.period, props.deviations);
      return { upper: last(b.upper), middle: last(b.middle), lower: last(b.lower), price: values[values.length - 1]! };
    },
  }),
  defineNode<{ level: number | null }>({
    category: "indicators",
    type: "crossover",
    label: "Crossover",
    description: "Did series A cross above or below series B (or a level) on the latest bar? Fires only on the crossing bar",
    inputs: [
      { name: "a", type: "series" },
      { name: "b", type: "series" },
    ],
    outputs: [
      { name: "crossed_above", type: "boolean" },
      { name: "crossed_below", type: "boolean" },
      { name: "above", type: "boolean", description: "A is above B now" },
    ],
    properties: [{ kind: "number", name: "level", label: "Level (when B is not connected)", default: null, nullable: true }],
    run: ({ inputs, props }) => {
      const a = seriesOf(inputs, "a");
      const b = inputs.b === undefined || inputs.b === null ? null : seriesOf(inputs, "b");
      if (!b && props.level === null) throw new Error('connect series "b" or set a level');
      if (a.length < 2 || (b && b.length < 2)) throw new Error("a crossover needs at least two values in each series");
      const a1 = a[a.length - 2]!;
      const a2 = a[a.length - 1]!;
      const b1 = b ? b[b.length - 2]! : props.level!;
      const b2 = b ? b[b.length - 1]! : props.level!;
      return { crossed_above: a1 <= b1 && a2 > b2, crossed_below: a1 >= b1 && a2 < b2, above: a2 > b2 };
    },
  }),
  ...(["highest", "lowest"] as const).map((kind) =>
    defineNode<{ period: number; include_latest: boolean }>({
      category: "indicators",
      type: kind,
      label: kind === "highest" ? "Highest" : "Lowest",
      description: `The ${kind} value of the last N bars (resistance / support levels); by default the latest bar is left out, so a break of the level can be seen`,
      inputs: [SERIES_IN],
      outputs: [{ name: "value", type: "number" }],
      properties: [periodProp(20, "Lookback (bars)"), { kind: "boolean", name: "include_latest", label: "Include the latest bar", default: false }],
      warmsUp: true,
      run: ({ inputs, props }) => {
        const values = seriesOf(inputs);
        const end = props.include_latest ? values.length : values.length - 1;
        needBars(values, props.period + (props.include_latest ? 0 : 1), `${kind}(${props.period})`);
        const window = values.slice(end - props.period, end);
        return { value: kind === "highest" ? Math.max(...window) : Math.min(...window) };
      },
    }),
  ),
  defineNode<{ period: number }>({
    category: "indicators",
    type: "volume_ratio",
    label: "Volume ratio",
    description: "The latest volume against the average of the N bars before it (2 = twice the usual volume)",
    inputs: [{ name: "volume", type: "series" }],
    outputs: [
      { name: "ratio", type: "number" },
      { name: "average", type: "number" },
      { name: "latest", type: "number" },
    ],
    properties: [periodProp(20, "Average over (bars)")],
    warmsUp: true,
    run: ({ inputs, props }) => {
      const values = seriesOf(inputs, "volume");
      needBars(values, props.period + 1, `volume ratio(${props.period})`);
      const latest = values[values.length - 1]!;
      const avg = (stable(sma(values.slice(0, -1), props.period)).at(-1) ?? 0) as number;
      return { ratio: avg > 0 ? latest / avg : null, average: avg, latest };
    },
  }),
  defineNode<{ fee_a_pct: number; fee_b_pct: number }>({
    category: "indicators",
    type: "spread",
    label: "Spread",
    description: "Spread between two prices (B - A), in price and in percent of A, and net of both venues' fees",
    inputs: [
      { name: "price_a", type: "number" },
      { name: "price_b", type: "number" },
      { name: "fee_a_pct", type: "number" },
      { name: "fee_b_pct", type: "number" },
    ],
    outputs: [
      { name: "spread", type: "number" },
      { name: "spread_pct", type: "number" },
      { name: "net_pct", type: "number", description: "spread_pct minus both fees: positive means the trade pays after fees" },
    ],
    properties: [
      { kind: "number", name: "fee_a_pct", label: "Fee on A (%)", default: 0.1, min: 0, max: 100 },
      { kind: "number", name: "fee_b_pct", label: "Fee on B (%)", default: 0.1, min: 0, max: 100 },
    ],
    run: ({ inputs }) => {
      const a = requireNumber(inputs, "price_a");
      const b = requireNumber(inputs, "price_b");
      if (a <= 0) throw new Error(`price_a must be positive, got ${a}`);
      const pct = ((b - a) / a) * 100;
      return { spread: b - a, spread_pct: pct, net_pct: pct - requireNumber(inputs, "fee_a_pct") - requireNumber(inputs, "fee_b_pct") };
    },
  }),
];
