import "server-only";
import { catalog } from "../nodes";
import type { DataSourceSetting } from "../nodes/providers";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import { LiveMarket, RoutingMarket, type DataSource } from "../providers/live-market";
import { DEFAULT_COLLAR, DEFAULT_MAX_QUOTE_AGE_MS, LiveBroker, PreTradeError } from "../providers/live-broker";
import { VENUES, type Broker, type MarketData, type NodeServices, type Notification, type Venue } from "../providers/types";
import { executeWorkflow } from "../workflow/executor";
import type { RunMode } from "../workflow/definition";
import type { RunEvent, RunResult } from "../workflow/events";
import { validateWorkflow, type CompiledWorkflow } from "../workflow/validate";
import { createRun, finishRun } from "../db/runs";
import { withPaperAccount } from "../db/paper-accounts";
import { getArming } from "../db/armings";
import { getProfile, readProfileSecrets } from "../db/credential-profiles";
import { accountClientFor, marketClientFor } from "../venues";
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

/** A saved workflow's identity for a run: its record, paper account and live arming belong to it. */
export interface SavedTarget {
  workflowId: string;
  version: number;
}

export interface RunHooks {
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

/**
 * Which source each venue is read from. A provider node's "auto" follows the mode: simulated runs read
 * the simulated market, paper and live runs the venue. A venue is live when any of its nodes is.
 */
export function venueSources(workflow: CompiledWorkflow, mode: RunMode): Record<Venue, DataSource> {
  const fallback: DataSource = mode === "simulated" ? "simulated" : "live";
  const out = Object.fromEntries(VENUES.map((v) => [v, fallback])) as Record<Venue, DataSource>;
  const seen = new Map<Venue, Set<DataSource>>();
  for (const block of workflow.blocks) {
    if (block.category !== "providers" || !(VENUES as readonly string[]).includes(block.type)) continue;
    const setting = (block.props.data_source as DataSourceSetting | undefined) ?? "auto";
    const source = setting === "auto" ? fallback : setting;
    const venue = block.type as Venue;
    if (!seen.has(venue)) seen.set(venue, new Set());
    seen.get(venue)!.add(source);
  }
  for (const [venue, sources] of seen) out[venue] = sources.has("live") ? "live" : "simulated";
  return out;
}

function notifier(notifications: Notification[]) {
  return {
    notify(n: Notification) {
      notifications.push(n);
      console.info(`[notify] ${n.nodeId}: ${n.message.slice(0, 500)}`);
    },
  };
}

/** The services of a simulated run: the seeded market read at the run's instant, and a throwaway paper account. */
export function simulatedServices(now: Date, seed: number | undefined, notifications: Notification[]): NodeServices {
  const market = new SimulatedMarket({ now: now.getTime(), seed });
  return { market, broker: new PaperBroker(market, { now: () => now.getTime() }), notifier: notifier(notifications) };
}

/** The profile a live run trades with on a venue: the one the workflow's provider nodes for it name. */
export function liveProfileId(workflow: CompiledWorkflow, venue: Venue): string {
  const ids = new Set<string>();
  for (const b of workflow.blocks) {
    if (b.category === "providers" && b.type === venue && typeof b.props.profile_id === "string" && b.props.profile_id) ids.add(b.props.profile_id);
  }
  if (ids.size === 0) throw new ApiError(400, `the workflow has no ${venue} node with a credential profile`, `Pick a live-capable ${venue} profile on its ${venue} node and save.`);
  if (ids.size > 1) throw new ApiError(400, `the workflow's ${venue} nodes name ${ids.size} different credential profiles`, "A live run trades one account per venue: give every node of the venue the same profile.");
  return [...ids][0]!;
}

/** Opens a venue account for a live run: the profile must exist, be the venue's and be marked live-capable. */
async function openLiveAccount(profileId: string, venue: Venue) {
  const profile = await getProfile(profileId);
  if (!profile) throw new Error(`credential profile "${profileId}" does not exist`);
  if (profile.provider !== venue) throw new Error(`credential profile "${profile.name}" is for ${profile.provider}, not ${venue}`);
  if (!profile.live_capable) throw new Error(`credential profile "${profile.name}" is not marked live-capable, so it cannot trade`);
  return accountClientFor(venue, await readProfileSecrets(profileId, venue));
}

/** Checks that live trading is armed for exactly this saved version; returns the broker's limits. */
async function liveBroker(workflow: CompiledWorkflow, target: SavedTarget, market: MarketData): Promise<Broker> {
  const arming = await getArming(target.workflowId);
  if (!arming) {
    throw new ApiError(403, "live trading is not armed for this workflow", "Arm it first (Run mode: Live in the editor, or PUT /api/workflows/:id/arm) with the venue and a maximum order value.");
  }
  if (Date.parse(arming.expiresAt) <= Date.now()) throw new ApiError(403, `live trading was armed until ${arming.expiresAt} and has expired`, "Arm it again.");
  if (arming.version !== target.version) {
    throw new ApiError(409, `live trading was armed for version ${arming.version}, but the workflow is now version ${target.version}`, "A changed workflow must be armed again.");
  }
  const profileId = liveProfileId(workflow, arming.venue);
  const armedAt = arming.armedAt;
  return new LiveBroker({
    // Disarming, expiry or re-arming stop the orders of a run already going.
    stillArmed: async () => {
      const now = await getArming(target.workflowId);
      if (!now || now.armedAt !== armedAt || now.version !== target.version) throw new PreTradeError("armed", "live trading was disarmed or re-armed during the run");
      if (Date.parse(now.expiresAt) <= Date.now()) throw new PreTradeError("armed", `live trading was armed until ${now.expiresAt}`);
    },
    limits: { venue: arming.venue, maxOrderValue: arming.maxOrderValue, maxPositionValue: arming.maxPositionValue, priceCollar: DEFAULT_COLLAR, maxQuoteAgeMs: DEFAULT_MAX_QUOTE_AGE_MS },
    market,
    account: (venue) => openLiveAccount(profileId, venue),
  });
}

export interface PreparedRun {
  mode: RunMode;
  start(hooks?: RunHooks): Promise<RunResult>;
}

/**
 * Checks that a run may start (mode, saved workflow, live arming) and sets up its services. Refusals are
 * ApiErrors, raised before any event is streamed.
 */
export async function prepareRun(workflow: CompiledWorkflow, request: RunRequest, target?: SavedTarget): Promise<PreparedRun> {
  const mode = request.mode ?? "simulated";
  if (mode !== "simulated" && !target) {
    throw new ApiError(400, `a ${mode} run needs a saved workflow`, `Save the workflow and run it with POST /api/workflows/:id/runs: ${mode === "paper" ? "its paper account belongs to the saved workflow" : "live trading is armed for a saved version"}.`);
  }
  if (mode !== "simulated" && (request.seed !== undefined || request.at !== undefined)) {
    throw new ApiError(400, `seed and at pin the simulated market; a ${mode} run reads the venues now`, "Leave seed and at out of paper and live runs.");
  }
  const now = request.at === undefined ? new Date() : new Date(request.at);
  const notifications: Notification[] = [];
  const simulated = new SimulatedMarket({ now: now.getTime(), seed: request.seed });
  const live = new LiveMarket(marketClientFor);
  const market = new RoutingMarket({ simulated, live }, venueSources(workflow, mode));
  const base = { market, sources: { simulated, live }, notifier: notifier(notifications) };
  const broker = mode === "live" ? await liveBroker(workflow, target!, live) : null;

  const execute = async (services: NodeServices, hooks: RunHooks): Promise<RunResult> => {
    const runId = `run_${crypto.randomUUID()}`;
    if (target) await createRun({ id: runId, workflowId: target.workflowId, version: target.version, mode });
    const result = await executeWorkflow(workflow, { services, runId, mode, now, signal: hooks.signal, onEvent: hooks.onEvent });
    if (target) await finishRun(result);
    return result;
  };

  return {
    mode,
    start(hooks = {}) {
      if (mode === "live") return execute({ ...base, broker: broker! }, hooks);
      if (mode === "paper") {
        return withPaperAccount(target!.workflowId, async (account) => {
          const paper = new PaperBroker(market, { account });
          try {
            await paper.fillOpenOrders(hooks.signal);
          } catch (error) {
            console.warn(`[paper] resting orders of ${target!.workflowId} not checked: ${(error as Error).message}`);
          }
          const result = await execute({ ...base, broker: paper }, hooks);
          paper.compactOrders();
          return result;
        });
      }
      return execute({ ...base, broker: new PaperBroker(market, { now: () => now.getTime() }) }, hooks);
    },
  };
}

/** Prepares and runs in one step (the scheduler and tests). */
export async function runWorkflow(workflow: CompiledWorkflow, request: RunRequest, options: RunHooks & { persist?: SavedTarget } = {}): Promise<RunResult> {
  const run = await prepareRun(workflow, request, options.persist);
  return run.start(options);
}
