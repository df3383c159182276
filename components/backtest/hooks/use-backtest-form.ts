import { useCallback, useState } from "react";
import type { BacktestSettingsInput, DataSource, FillTiming } from "@/lib/api/types";
import { CANDLE_INTERVALS, VENUES, type CandleInterval, type Venue } from "@/lib/providers/types";
import type { WorkflowDocument } from "@/lib/workflow/format";

export type SourceKind = "dataset" | "venue" | "simulated";

/** The panel's inputs, as typed (strings for numbers), turned into a request by `buildRequestParts`. */
export interface BacktestFormState {
  source: SourceKind;
  datasetId: string;
  venue: Venue;
  symbol: string;
  interval: CandleInterval;
  from: string;
  to: string;
  seed: string;
  simInterval: CandleInterval;
  simBars: string;
  cash: string;
  commission: string;
  slippage: string;
  fill: FillTiming;
  allowShort: "auto" | "yes" | "no";
  closeAtEnd: boolean;
}

/** A range of history that is a few thousand bars at most for the interval. */
const DEFAULT_DAYS: Record<CandleInterval, number> = { "1m": 2, "5m": 7, "15m": 21, "1h": 60, "4h": 180, "1d": 730 };

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function defaultRange(interval: CandleInterval, now = Date.now()): { from: string; to: string } {
  return { from: isoDate(now - DEFAULT_DAYS[interval] * 86_400_000), to: isoDate(now) };
}

/** Defaults taken from the workflow's first venue provider: its venue, symbol and candle interval. */
export function initialForm(doc: WorkflowDocument): BacktestFormState {
  const provider = doc.blocks.find((b) => b.category === "providers" && (VENUES as readonly string[]).includes(b.type));
  const props = (provider?.properties ?? {}) as { symbol?: unknown; candle_interval?: unknown };
  const venue = (provider?.type as Venue | undefined) ?? "binance";
  const symbol = typeof props.symbol === "string" && props.symbol.trim() ? props.symbol.trim() : venue === "binance" ? "BTCUSDT" : "";
  const interval = (CANDLE_INTERVALS as readonly unknown[]).includes(props.candle_interval) ? (props.candle_interval as CandleInterval) : "1h";
  return {
    source: provider && symbol ? "venue" : "simulated",
    datasetId: "",
    venue,
    symbol,
    interval,
    ...defaultRange(interval),
    seed: "7",
    simInterval: interval,
    simBars: "1000",
    cash: "10000",
    commission: "",
    slippage: "0",
    fill: "next_open",
    allowShort: "auto",
    closeAtEnd: true,
  };
}

export type RequestParts = { ok: true; data: DataSource; settings: BacktestSettingsInput } | { ok: false; message: string };

function number(text: string, what: string, check: (n: number) => boolean, rule: string): number | string {
  const n = Number(text.trim().replace(/,/g, ""));
  return text.trim() !== "" && Number.isFinite(n) && check(n) ? n : `${what} ${rule}`;
}

/** The request's `data` and `settings` from the form, or the first thing wrong with it. */
export function buildRequestParts(f: BacktestFormState): RequestParts {
  let data: DataSource;
  if (f.source === "dataset") {
    if (!f.datasetId) return { ok: false, message: "Choose a dataset, or upload a CSV." };
    data = { dataset_id: f.datasetId };
  } else if (f.source === "venue") {
    if (!f.symbol.trim()) return { ok: false, message: "Enter the market's symbol." };
    if (!f.from || !f.to) return { ok: false, message: "Choose the first and last day." };
    if (f.from > f.to) return { ok: false, message: "The first day is after the last." };
    data = { venue: f.venue, symbol: f.symbol.trim(), interval: f.interval, from: f.from, to: f.to };
  } else {
    const bars = number(f.simBars, "Bars", (n) => Number.isInteger(n) && n >= 2, "must be a whole number, at least 2");
    if (typeof bars === "string") return { ok: false, message: bars };
    const seed = f.seed.trim() === "" ? undefined : number(f.seed, "Seed", Number.isInteger, "must be a whole number");
    if (typeof seed === "string") return { ok: false, message: seed };
    data = { simulated: { interval: f.simInterval, bars, ...(seed === undefined ? {} : { seed }) } };
  }
  const cash = number(f.cash, "Cash", (n) => n > 0, "must be above 0");
  if (typeof cash === "string") return { ok: false, message: cash };
  const commission = f.commission.trim() === "" ? null : number(f.commission, "Commission", (n) => n >= 0 && n < 100, "must be from 0 to below 100 %");
  if (typeof commission === "string") return { ok: false, message: commission };
  const slippage = f.slippage.trim() === "" ? 0 : number(f.slippage, "Slippage", (n) => n >= 0 && n <= 5_000, "must be from 0 to 5,000 bps");
  if (typeof slippage === "string") return { ok: false, message: slippage };
  return {
    ok: true,
    data,
    settings: {
      cash,
      commission_pct: commission,
      slippage_bps: slippage,
      fill: f.fill,
      allow_short: f.allowShort === "auto" ? null : f.allowShort === "yes",
      close_at_end: f.closeAtEnd,
    },
  };
}

/** The data and settings form's state; `set` changes one field. */
export function useBacktestForm(doc: () => WorkflowDocument) {
  const [form, setForm] = useState<BacktestFormState>(() => initialForm(doc()));
  const set = useCallback(<K extends keyof BacktestFormState>(key: K, value: BacktestFormState[K]) => setForm((f) => ({ ...f, [key]: value })), []);
  return { form, set };
}
