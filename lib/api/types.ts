import type { WorkflowDocument } from "../workflow/format";
import type { BacktestRecord, BacktestSettings, DataRequest } from "../backtest/types";
import type { CheckResult } from "../backtest/checks";

/** Shapes the API answers with, shared by the server (lib/db) and the browser (lib/api/client). */

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  version: number;
  blocks: number;
  created_at: string;
  updated_at: string;
}

export interface WorkflowRecord extends Omit<WorkflowSummary, "blocks"> {
  workflow: WorkflowDocument;
}

/** What leaves the server about a credential profile: never a secret, only which fields it holds. */
export interface ProfileSummary {
  id: string;
  name: string;
  provider: string;
  created_at: string;
  live_capable: boolean;
  fields: string[];
}

/** A workflow's continuous-running state (GET/PUT /api/workflows/:id/schedule). */
export interface ScheduleState {
  workflow_id: string;
  active: boolean;
  every_seconds: number | null;
  /** The mode scheduled runs use. */
  mode: "simulated" | "paper" | null;
  next_run_at: string | null;
  running: boolean;
  last_run_id: string | null;
  last_status: string | null;
  last_error: string | null;
  skipped_ticks: number;
}

/** Live trading armed for a saved workflow (GET/PUT/DELETE /api/workflows/:id/arm). */
export interface ArmingState {
  workflow_id: string;
  armed: boolean;
  venue: string | null;
  /** The armed version; live runs need it to be the saved one. */
  version: number | null;
  /** False when the workflow was saved again after arming (it must be armed again). */
  current: boolean;
  max_order_value: number | null;
  max_position_value: number | null;
  armed_at: string | null;
  expires_at: string | null;
}

export interface PaperOrderView {
  id: string;
  client_order_id: string;
  venue: string;
  symbol: string;
  side: string;
  type: string;
  quantity: number;
  filled_quantity: number;
  limit_price: number | null;
  average_price: number | null;
  fee: number;
  status: string;
  reason: string | null;
  at: string;
}

/** A saved workflow's paper account (GET/DELETE /api/workflows/:id/paper). */
export interface PaperAccountView {
  workflow_id: string;
  balances: { venue: string; currency: string; available: number }[];
  positions: { venue: string; symbol: string; quantity: number; average_price: number; realized_pnl: number }[];
  realized_today: Record<string, number>;
  /** Newest first, at most 100. */
  orders: PaperOrderView[];
}

export type {
  BacktestProgress,
  BacktestRecord,
  BacktestSettings,
  BacktestSummary,
  DataRequest,
  DataSource,
  DatasetSummary,
  FillTiming,
  Stats,
  Trade,
} from "../backtest/types";

/** The settings a backtest request may give (POST /api/backtests); the server fills in the rest. */
export type BacktestSettingsInput = Partial<Pick<BacktestSettings, "cash" | "commission_pct" | "slippage_bps" | "fill" | "allow_short" | "close_at_end">>;

/**
 * POST /api/backtests. A saved, unchanged workflow goes by `workflow_id` (the backtest is stored under it),
 * anything else as the editor's document.
 */
export type BacktestRequest = ({ workflow_id: string } | { workflow: WorkflowDocument }) & {
  data: DataRequest;
  settings?: BacktestSettingsInput;
  /** Also run the look-ahead and warm-up checks; their result comes back as the record's `check`. */
  check?: boolean;
};

/** A backtest record as the API returns it, with the look-ahead and history checks' result when one was asked for. */
export type BacktestResult = BacktestRecord & { check?: CheckResult };
export type { CheckResult };
