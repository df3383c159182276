import "server-only";
import { getDb } from "../db/client";
import { getWorkflow } from "../db/workflows";
import { compileOrThrow, runWorkflow } from "./run-service";
import type { ScheduleState } from "../api/types";

/** Modes a schedule may run in. Live trading is never unattended: it is run by hand while armed. */
export type ScheduleMode = "simulated" | "paper";

export type { ScheduleState };

/**
 * Continuous running (the seed prototype "runs once, doesn't loop"): a saved workflow can run every N
 * seconds on the server, each run stored like any other. The interval is kept on the workflow, so
 * schedules resume when the server restarts. A tick that comes while the previous run is still going
 * is skipped and counted, never queued: slow venues cannot pile up runs.
 */

export const MIN_SCHEDULE_SECONDS = 5;
export const MAX_SCHEDULE_SECONDS = 86_400;

interface Entry {
  workflowId: string;
  everySeconds: number;
  mode: ScheduleMode;
  timer: ReturnType<typeof setInterval>;
  running: boolean;
  nextAt: number;
  lastRunId: string | null;
  lastStatus: string | null;
  lastError: string | null;
  skippedTicks: number;
}


const holder = globalThis as typeof globalThis & { __scSchedules?: Map<string, Entry>; __scSchedulesResumed?: Promise<void> };
const entries = (holder.__scSchedules ??= new Map<string, Entry>());

async function tick(entry: Entry): Promise<void> {
  entry.nextAt = Date.now() + entry.everySeconds * 1000;
  if (entry.running) {
    entry.skippedTicks++;
    return;
  }
  entry.running = true;
  try {
    const saved = await getWorkflow(entry.workflowId);
    if (!saved) {
      stop(entry.workflowId);
      return;
    }
    const result = await runWorkflow(compileOrThrow(saved.workflow), { mode: entry.mode }, { persist: { workflowId: saved.id, version: saved.version } });
    entry.lastRunId = result.runId;
    entry.lastStatus = result.status;
    entry.lastError = result.errors[0] ? `${result.errors[0].nodeName}: ${result.errors[0].message}` : null;
  } catch (err) {
    entry.lastStatus = "error";
    entry.lastError = (err as Error).message;
  } finally {
    entry.running = false;
  }
}

function start(workflowId: string, everySeconds: number, mode: ScheduleMode): void {
  stop(workflowId);
  const entry: Entry = {
    workflowId,
    everySeconds,
    mode,
    timer: setInterval(() => void tick(entry), everySeconds * 1000),
    running: false,
    nextAt: Date.now() + everySeconds * 1000,
    lastRunId: null,
    lastStatus: null,
    lastError: null,
    skippedTicks: 0,
  };
  entry.timer.unref?.();
  entries.set(workflowId, entry);
}

function stop(workflowId: string): void {
  const entry = entries.get(workflowId);
  if (entry) clearInterval(entry.timer);
  entries.delete(workflowId);
}

export function getScheduleState(workflowId: string): ScheduleState {
  const e = entries.get(workflowId);
  return {
    workflow_id: workflowId,
    active: !!e,
    every_seconds: e?.everySeconds ?? null,
    mode: e?.mode ?? null,
    next_run_at: e ? new Date(e.nextAt).toISOString() : null,
    running: e?.running ?? false,
    last_run_id: e?.lastRunId ?? null,
    last_status: e?.lastStatus ?? null,
    last_error: e?.lastError ?? null,
    skipped_ticks: e?.skippedTicks ?? 0,
  };
}

/** Starts (or changes) a workflow's schedule, or stops it with null; kept on the workflow. */
export async function setSchedule(workflowId: string, everySeconds: number | null, mode: ScheduleMode = "simulated"): Promise<ScheduleState> {
  await getDb().workflow.update({ where: { id: workflowId }, data: { scheduleSeconds: everySeconds, scheduleMode: everySeconds === null ? null : mode } });
  if (everySeconds === null) stop(workflowId);
  else start(workflowId, everySeconds, mode);
  return getScheduleState(workflowId);
}

/** Forgets a deleted workflow's timer. */
export function dropSchedule(workflowId: string): void {
  stop(workflowId);
}

/** Restarts every stored schedule once per process (called lazily by the API and at server start). */
export function resumeSchedules(): Promise<void> {
  holder.__scSchedulesResumed ??= (async () => {
    const rows = await getDb().workflow.findMany({ where: { scheduleSeconds: { not: null } }, select: { id: true, scheduleSeconds: true, scheduleMode: true } });
    for (const r of rows) if (!entries.has(r.id)) start(r.id, r.scheduleSeconds!, r.scheduleMode === "paper" ? "paper" : "simulated");
  })().catch((err: unknown) => {
    holder.__scSchedulesResumed = undefined;
    console.error(`[scheduler] could not resume schedules: ${(err as Error).message}`);
  });
  return holder.__scSchedulesResumed;
}
