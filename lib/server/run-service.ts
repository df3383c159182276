import "server-only";
import { LiveMarket } from "../providers/live-market";
import { DEFAULT_COLLAR, DEFAULT_MAX_QUOTE_AGE_MS, LiveBroker, PreTradeError } from "../providers/live-broker";
import { PaperBroker } from "../providers/paper-broker";
import type { NodeServices, Notification, Venue } from "../providers/types";
import type { RunMode } from "../workflow/definition";
import type { RunEvent, RunResult } from "../workflow/events";
import type { CompiledWorkflow } from "../workflow/validate";
import { compileWorkflow } from "../runs/compile";
import { combineSinks, discardSink, runOnce, type RunClock, type RunSink } from "../runs/engine";
import { RunRefusal } from "../runs/errors";
import { liveProfileId, runMarket, simulatedRunServices, type RunMarket } from "../runs/services";
import { createRun, finishRun } from "../db/runs";
import { withPaperAccount } from "../db/paper-accounts";
import { getArming } from "../db/armings";
import { getProfile, readProfileSecrets } from "../db/credential-profiles";
import { accountClientFor, marketClientFor } from "../venues";

/** Validates a workflow for the API; refuses it with "invalid_workflow" (a 400 listing every problem). */
export const compileOrThrow = compileWorkflow;

export { liveProfileId };

export interface RunRequest {
  /** A backtest replays history through the backtester, never through a request. */
  mode?: Exclude<RunMode, "backtest">;
  seed?: number;
  at?: string | number;
}

/** A saved workflow's identity for a run: its record, paper account and live arming belong to it. */
export interface SavedTarget {
  workflowId: string;
  version: number;
}

export interface RunHooks {
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

/** Stores each run of a saved workflow: a "running" row at its start, the result and node results at its end. */
export function databaseSink(target: SavedTarget): RunSink {
  return {
    begin: (runId, mode) => createRun({ id: runId, workflowId: target.workflowId, version: target.version, mode }),
    finish: (result) => finishRun(result),
  };
}

/** Opens a venue account for a live run: the profile must exist, be the venue's and be marked live-capable. */
async function openLiveAccount(profileId: string, venue: Venue) {
  const profile = await getProfile(profileId);
  if (!profile) throw new Error(`credential profile "${profileId}" does not exist`);
  if (profile.provider !== venue) throw new Error(`credential profile "${profile.name}" is for ${profile.provider}, not ${venue}`);
  if (!profile.live_capable) throw new Error(`credential profile "${profile.name}" is not marked live-capable, so it cannot trade`);
  return accountClientFor(venue, await readProfileSecrets(profileId, venue));
}

/**
 * The services of a live run: refused unless live trading is armed, unexpired, for exactly this saved
 * version; the broker trades within the arming's limits and stops when it is disarmed or re-armed.
 */
export async function liveRunServices(workflow: CompiledWorkflow, target: SavedTarget, base: RunMarket): Promise<NodeServices> {
  const arming = await getArming(target.workflowId);
  if (!arming) {
    throw new RunRefusal("not_armed", "live trading is not armed for this workflow", "Arm it first (Run mode: Live in the editor, or PUT /api/workflows/:id/arm) with the venue and a maximum order value.");
  }
  if (Date.parse(arming.expiresAt) <= Date.now()) throw new RunRefusal("arming_expired", `live trading was armed until ${arming.expiresAt} and has expired`, "Arm it again.");
  if (arming.version !== target.version) {
    throw new RunRefusal("arming_stale", `live trading was armed for version ${arming.version}, but the workflow is now version ${target.version}`, "A changed workflow must be armed again.");
  }
  const profileId = liveProfileId(workflow, arming.venue);
  const armedAt = arming.armedAt;
  const broker = new LiveBroker({
    // Disarming, expiry or re-arming stop the orders of a run already going.
    stillArmed: async () => {
      const now = await getArming(target.workflowId);
      if (!now || now.armedAt !== armedAt || now.version !== target.version) throw new PreTradeError("armed", "live trading was disarmed or re-armed during the run");
      if (Date.parse(now.expiresAt) <= Date.now()) throw new PreTradeError("armed", `live trading was armed until ${now.expiresAt}`);
    },
    limits: { venue: arming.venue, maxOrderValue: arming.maxOrderValue, maxPositionValue: arming.maxPositionValue, priceCollar: DEFAULT_COLLAR, maxQuoteAgeMs: DEFAULT_MAX_QUOTE_AGE_MS },
    market: base.sources.live,
    account: (venue) => openLiveAccount(profileId, venue),
  });
  return { ...base, broker };
}

/**
 * Lends a paper run the saved workflow's paper account for the length of `use`: runs of one workflow take
 * turns, resting orders are checked against the market first, and the account is saved afterwards.
 */
export function withPaperRunServices(target: SavedTarget, base: RunMarket, signal: AbortSignal | undefined, use: (services: NodeServices) => Promise<RunResult>): Promise<RunResult> {
  return withPaperAccount(target.workflowId, async (account) => {
    const paper = new PaperBroker(base.market, { account });
    try {
      await paper.fillOpenOrders(signal);
    } catch (error) {
      console.warn(`[paper] resting orders of ${target.workflowId} not checked: ${(error as Error).message}`);
    }
    const result = await use({ ...base, broker: paper });
    paper.compactOrders();
    return result;
  });
}

export interface PreparedRun {
  mode: RunMode;
  start(hooks?: RunHooks): Promise<RunResult>;
}

/**
 * Checks that a run may start (mode, saved workflow, live arming) and sets up its services. Refusals are
 * RunRefusals, raised before any event is streamed. A saved workflow's runs are stored.
 */
export async function prepareRun(workflow: CompiledWorkflow, request: RunRequest, target?: SavedTarget): Promise<PreparedRun> {
  const mode = request.mode ?? "simulated";
  if (mode !== "simulated" && !target) {
    throw new RunRefusal("needs_saved_workflow", `a ${mode} run needs a saved workflow`, `Save the workflow and run it with POST /api/workflows/:id/runs: ${mode === "paper" ? "its paper account belongs to the saved workflow" : "live trading is armed for a saved version"}.`);
  }
  if (mode !== "simulated" && (request.seed !== undefined || request.at !== undefined)) {
    throw new RunRefusal("pinned_market", `seed and at pin the simulated market; a ${mode} run reads the venues now`, "Leave seed and at out of paper and live runs.");
  }
  const clock: RunClock = { now: request.at === undefined ? new Date() : new Date(request.at) };
  const notifications: Notification[] = [];
  const base = runMarket(workflow, mode, { now: clock.now, seed: request.seed, live: new LiveMarket(marketClientFor), notifications });
  const live = mode === "live" ? await liveRunServices(workflow, target!, base) : null;
  const store = target ? databaseSink(target) : discardSink;

  return {
    mode,
    start({ signal, onEvent } = {}) {
      const sink = onEvent ? combineSinks(store, { event: onEvent }) : store;
      const run = (services: NodeServices) => runOnce(workflow, services, clock, sink, { mode, signal });
      if (live) return run(live);
      if (mode === "paper") return withPaperRunServices(target!, base, signal, run);
      return run(simulatedRunServices(base, clock.now));
    },
  };
}

/** Prepares and runs in one step (the scheduler and tests). */
export async function runWorkflow(workflow: CompiledWorkflow, request: RunRequest, options: RunHooks & { persist?: SavedTarget } = {}): Promise<RunResult> {
  const run = await prepareRun(workflow, request, options.persist);
  return run.start(options);
}
