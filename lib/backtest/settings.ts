import { z } from "zod";
import { CANDLE_INTERVALS } from "../providers/types";
import type { BacktestSettings } from "./types";

/** Request shapes of the backtest and dataset API. Pure zod: the route handlers, the CLI and the browser share them. */

const num = (what: string) => z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a finite number`);
const time = z.union([z.iso.date({ error: "must be an ISO date" }), z.iso.datetime({ offset: true, error: "must be an ISO date or time" })], {
  error: "must be an ISO date (2024-01-31) or date-time",
});

export const SettingsSchema = z.strictObject({
  cash: num("cash").positive("cash must be above 0").max(1e15, "cash must be at most 1e15").optional(),
  commission_pct: num("commission_pct").min(0, "commission_pct must not be negative").lt(100, "commission_pct must be below 100%").nullable().optional(),
  slippage_bps: num("slippage_bps").min(0, "slippage_bps must not be negative").max(5_000, "slippage_bps must be at most 5,000 (50%)").optional(),
  fill: z.enum(["next_open", "close"], { error: 'fill must be "next_open" or "close"' }).optional(),
  allow_short: z.boolean({ error: "allow_short must be true or false" }).nullable().optional(),
  close_at_end: z.boolean({ error: "close_at_end must be true or false" }).optional(),
  book_spread_bps: num("book_spread_bps").min(0).max(5_000).optional(),
  book_depth: z.number().int("book_depth must be a whole number").min(1).max(100).optional(),
  book_level_size: num("book_level_size").positive().optional(),
  stop_loss_pct: num("stop_loss_pct").gt(0, "stop_loss_pct must be above 0").lt(100, "stop_loss_pct must be below 100").nullable().optional(),
  take_profit_pct: num("take_profit_pct").gt(0, "take_profit_pct must be above 0").max(10_000).nullable().optional(),
  /** The quantity step orders are rounded down to; null: the venue's (none for a dataset). */
  step_size: num("step_size").min(0, "step_size must not be negative").nullable().optional(),
});
export type SettingsInput = z.infer<typeof SettingsSchema>;

export type FullSettings = BacktestSettings & { stop_loss_pct: number | null; take_profit_pct: number | null; step_size: number | null };

export const DEFAULT_SETTINGS: FullSettings = {
  cash: 10_000,
  commission_pct: null,
  slippage_bps: 0,
  fill: "next_open",
  allow_short: null,
  close_at_end: true,
  book_spread_bps: 5,
  book_depth: 10,
  book_level_size: 1_000,
  stop_loss_pct: null,
  take_profit_pct: null,
  step_size: null,
};

export function withDefaults(input: SettingsInput | undefined): FullSettings {
  const out = { ...DEFAULT_SETTINGS };
  for (const [k, v] of Object.entries(input ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

const interval = z.enum(CANDLE_INTERVALS, { error: `interval must be one of ${CANDLE_INTERVALS.join(", ")}` });

export const DataSourceSchema = z.union(
  [
    z.strictObject({ dataset_id: z.string({ error: "dataset_id must be a string" }).min(1).max(200) }),
    z.strictObject({
      venue: z.enum(["binance", "polymarket", "kalshi"], { error: "venue must be binance, polymarket or kalshi" }),
      symbol: z.string({ error: "symbol must be a string" }).trim().min(1, "symbol must not be empty").max(200),
      interval,
      from: time,
      to: time,
    }),
    z.strictObject({
      simulated: z.strictObject({
        seed: z.number().int("seed must be a whole number").optional(),
        interval,
        bars: z.number({ error: "bars must be a number" }).int("bars must be a whole number").min(2, "bars must be at least 2"),
        /** Open time of the last bar (ISO); default the start of the current UTC day, so a seed gives the same bars all day. */
        end: time.optional(),
      }),
    }),
  ],
  { error: "data must be { dataset_id }, { venue, symbol, interval, from, to } or { simulated: { seed?, interval, bars } }" },
);
export type DataSourceInput = z.infer<typeof DataSourceSchema>;

export const DataRequestSchema = z.union([DataSourceSchema, z.strictObject({ by_node: z.record(z.string(), DataSourceSchema) })], {
  error: "data must be { dataset_id }, { venue, symbol, interval, from, to }, { simulated: {...} } or { by_node: { <provider node id>: one of those } }",
});
export type DataRequestInput = z.infer<typeof DataRequestSchema>;

export const BacktestRequestSchema = z
  .object({
    workflow: z.unknown().optional(),
    workflow_id: z.string().min(1).max(200).optional(),
    data: DataRequestSchema,
    settings: SettingsSchema.optional(),
    /** Also run the look-ahead and warm-up checks. */
    check: z.boolean().optional(),
  })
  .refine((b) => (b.workflow === undefined) !== (b.workflow_id === undefined), { message: "give exactly one of workflow and workflow_id", path: ["workflow"] });
export type BacktestRequest = z.infer<typeof BacktestRequestSchema>;

export const CreateDatasetSchema = z.strictObject({
  name: z.string({ error: "name must be a string" }).trim().min(1, "name must not be empty").max(200, "name must be at most 200 characters"),
  csv: z.string({ error: "csv must be the file's text" }),
});
