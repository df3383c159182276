import "server-only";
import { getDb } from "./client";
import type { BacktestRecord, BacktestReport, BacktestSummary, DataSummary } from "../backtest/types";
import type { FullSettings } from "../backtest/settings";

/** Stored backtests: what ran (document, data, settings) and its report. */

export interface NewBacktest {
  workflowId: string | null;
  version: number | null;
  document: unknown;
  status: BacktestRecord["status"];
  data: DataSummary[];
  settings: FullSettings;
  report: BacktestReport;
  error: string | null;
  durationMs: number;
}

type Row = {
  id: string;
  workflowId: string | null;
  version: number | null;
  status: string;
  data: string;
  settings: string;
  stats: string;
  report: string;
  error: string | null;
  durationMs: number | null;
  createdAt: Date;
};

function record(row: Row): BacktestRecord {
  const report = JSON.parse(row.report) as BacktestReport & Record<string, unknown>;
  return {
    ...report,
    stats: JSON.parse(row.stats) as BacktestReport["stats"],
    id: row.id,
    workflow_id: row.workflowId,
    version: row.version,
    status: row.status as BacktestRecord["status"],
    error: row.error,
    created_at: row.createdAt.toISOString(),
    duration_ms: row.durationMs ?? 0,
    data: JSON.parse(row.data) as DataSummary[],
    settings: JSON.parse(row.settings) as FullSettings,
  };
}

export async function createBacktest(input: NewBacktest): Promise<BacktestRecord> {
  const { stats, ...rest } = input.report;
  const row = await getDb().backtest.create({
    data: {
      workflowId: input.workflowId,
      version: input.version,
      document: JSON.stringify(input.document),
      status: input.status,
      data: JSON.stringify(input.data),
      settings: JSON.stringify(input.settings),
      stats: JSON.stringify(stats),
      report: JSON.stringify(rest),
      error: input.error,
      durationMs: input.durationMs,
    },
  });
  return record(row);
}

export async function getBacktest(id: string): Promise<BacktestRecord | null> {
  const row = await getDb().backtest.findUnique({ where: { id } });
  return row ? record(row) : null;
}

/** A workflow's backtests, newest first, without curves or trades. */
export async function listBacktests(workflowId: string, limit = 100): Promise<BacktestSummary[]> {
  const rows = await getDb().backtest.findMany({
    where: { workflowId },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { id: true, workflowId: true, version: true, status: true, createdAt: true, data: true, settings: true, stats: true },
  });
  return rows.map((r) => ({
    id: r.id,
    workflow_id: r.workflowId,
    version: r.version,
    status: r.status as BacktestSummary["status"],
    created_at: r.createdAt.toISOString(),
    data: JSON.parse(r.data) as DataSummary[],
    settings: JSON.parse(r.settings) as FullSettings,
    stats: JSON.parse(r.stats) as BacktestSummary["stats"],
    bars: Math.max(0, ...(JSON.parse(r.data) as DataSummary[]).map((d) => d.bars)),
  }));
}
