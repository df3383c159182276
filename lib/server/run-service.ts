import "server-only";
import { catalog } from "../nodes";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import type { NodeServices, Notification } from "../providers/types";
import { executeWorkflow } from "../workflow/executor";
import type { RunMode } from "../workflow/definition";
import type { RunEvent, RunResult } from "../workflow/events";
import { validateWorkflow, type CompiledWorkflow } from "../workflow/validate";
import { createRun, finishRun } from "../db/runs";
import { ApiError } from "./http";

/** Validates a workflow for the API: any problem is a 400 listing every problem found. */
export function compileOrThrow(document: unknown): CompiledWorkflow {
  const result = validateWorkflow(document, catalog);
  if (!result.ok) {
    throw new ApiError(400, `invalid workflow: ${result.problems.slice(0, 3).map((p) => p.message).join("; ")}${result.problems.length > 3 ? ` (and ${result.problems.length - 3} more)` : ""}`, result.problems);
  }
  return result.workflow;
}

export interface RunRequest {
  mode?: RunMode;
  seed?: number;
  at?: string | number;
}

function checkMode(mode: RunMode): void {
  if (mode !== "simulated") {
    throw new ApiError(400, `mode "${mode}" is not available yet`, 'Runs read the seeded simulated market and trade on a paper account; send mode "simulated" or leave it out. Paper trading on live venue data comes with the venue clients.');
  }
}

/** The services of a simulated run: the seeded market read at the run's instant, and a paper account. */
export function simulatedServices(now: Date, seed: number | undefined, notifications: Notification[]): NodeServices {
  const market = new SimulatedMarket({ now: now.getTime(), seed });
  return {
    market,
    broker: new PaperBroker(market, { now: () => now.getTime() }),
    notifier: {
      notify(n) {
        notifications.push(n);
        console.info(`[notify] ${n.nodeId}: ${n.message.slice(0, 500)}`);
      },
    },
  };
}

/**
 * Runs a compiled workflow. With `persist`, the run is recorded as started and then stored with every
 * node result when it ends (completed, failed or cancelled).
 */
export async function runWorkflow(
  workflow: CompiledWorkflow,
  request: RunRequest,
  options: { signal?: AbortSignal; onEvent?: (e: RunEvent) => void; persist?: { workflowId: string; version: number } } = {},
): Promise<RunResult> {
  const mode = request.mode ?? "simulated";
  checkMode(mode);
  const now = request.at === undefined ? new Date() : new Date(request.at);
  const runId = `run_${crypto.randomUUID()}`;
  if (options.persist) await createRun({ id: runId, workflowId: options.persist.workflowId, version: options.persist.version, mode });
  const result = await executeWorkflow(workflow, {
    services: simulatedServices(now, request.seed, []),
    runId,
    mode,
    now,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  if (options.persist) await finishRun(result);
  return result;
}
