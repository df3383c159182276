import type { DataSourceSetting } from "../nodes/providers";
import { RoutingMarket, type DataSource } from "../providers/live-market";
import { PaperBroker } from "../providers/paper-broker";
import { SimulatedMarket } from "../providers/simulated-market";
import { VENUES, type MarketData, type NodeServices, type Notification, type Notifier, type Venue } from "../providers/types";
import type { RunMode } from "../workflow/definition";
import type { CompiledWorkflow } from "../workflow/validate";
import { RunRefusal } from "./errors";

/**
 * Which source each venue is read from. A provider node's "auto" follows the mode: paper and live runs
 * read the venue, every other mode the simulated market. A venue is live when any of its nodes is.
 */
export function venueSources(workflow: CompiledWorkflow, mode: RunMode): Record<Venue, DataSource> {
  const fallback: DataSource = mode === "paper" || mode === "live" ? "live" : "simulated";
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

/** A notifier that appends to `notifications` and logs each one. */
export function collectingNotifier(notifications: Notification[]): Notifier {
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
  return { market, broker: new PaperBroker(market, { now: () => now.getTime() }), notifier: collectingNotifier(notifications) };
}

/** A run's services before a broker is chosen: every venue routed to its source, both sources, a notifier. */
export interface RunMarket {
  market: RoutingMarket;
  sources: { simulated: SimulatedMarket; live: MarketData };
  notifier: Notifier;
}

export interface RunMarketOptions {
  /** The run's instant: the simulated market reads its prices at it. */
  now: Date;
  seed?: number;
  /** The venues' live data. */
  live: MarketData;
  notifications: Notification[];
}

/** Routes each venue of the workflow to the simulated market or the live one, as its provider nodes choose for the mode. */
export function runMarket(workflow: CompiledWorkflow, mode: RunMode, options: RunMarketOptions): RunMarket {
  const simulated = new SimulatedMarket({ now: options.now.getTime(), seed: options.seed });
  const sources = { simulated, live: options.live };
  const market = new RoutingMarket(sources, venueSources(workflow, mode));
  return { market, sources, notifier: collectingNotifier(options.notifications) };
}

/** The services of a simulated-mode run: the routed market and a throwaway paper account at the run's instant. */
export function simulatedRunServices(base: RunMarket, now: Date): NodeServices {
  return { ...base, broker: new PaperBroker(base.market, { now: () => now.getTime() }) };
}

/**
 * The credential profile a live run trades with on a venue: the one the workflow's provider nodes for it
 * name. None, or more than one, refuses the run.
 */
export function liveProfileId(workflow: CompiledWorkflow, venue: Venue): string {
  const ids = new Set<string>();
  for (const b of workflow.blocks) {
    if (b.category === "providers" && b.type === venue && typeof b.props.profile_id === "string" && b.props.profile_id) ids.add(b.props.profile_id);
  }
  if (ids.size === 0) throw new RunRefusal("no_live_profile", `the workflow has no ${venue} node with a credential profile`, `Pick a live-capable ${venue} profile on its ${venue} node and save.`);
  if (ids.size > 1) throw new RunRefusal("ambiguous_live_profile", `the workflow's ${venue} nodes name ${ids.size} different credential profiles`, "A live run trades one account per venue: give every node of the venue the same profile.");
  return [...ids][0]!;
}
