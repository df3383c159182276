import type { Category } from "./format";
import type { PortSpec } from "./ports";
import type { PropertySpec, PropertyValues } from "./properties";
import type { NodeServices } from "../providers/types";

export const RUN_MODES = ["simulated", "paper", "live", "backtest"] as const;
/** simulated, paper and live runs read "now"; a backtest replays history, one run per bar. */
export type RunMode = (typeof RUN_MODES)[number];

/** What a node's run function receives. */
export interface NodeRunContext<P extends PropertyValues = PropertyValues> {
  /** Input values by port name: the connected upstream output, else the property of the same name. */
  inputs: Record<string, unknown>;
  /** Every declared property, defaults filled in. */
  props: P;
  /** Aborted when the run is cancelled or this node times out. */
  signal: AbortSignal;
  services: NodeServices;
  block: { id: string; name: string };
  /** `now` is the run's instant; `clock()` the current time on the run's clock (ms): the bar's time in a backtest. */
  run: { id: string; mode: RunMode; now: Date; clock: () => number };
}

/** Output values by output-port name. */
export type NodeOutput = Record<string, unknown>;

/**
 * One node type: a declarative descriptor plus its run function. The catalog of these is the single
 * source of truth for the validator, the executor, the API and the editor's palette.
 */
export interface NodeDefinition<P extends PropertyValues = PropertyValues> {
  category: Category;
  type: string;
  label: string;
  /** One line for the palette. */
  description: string;
  /** Ports may depend on properties (a provider's enabled endpoints, a switch's cases). */
  inputs: readonly PortSpec[] | ((props: P) => readonly PortSpec[]);
  outputs: readonly PortSpec[] | ((props: P) => readonly PortSpec[]);
  properties: readonly PropertySpec[];
  /**
   * The meaning of this type's properties and outputs; raised when a release changes them, so a saved
   * backtest, a bot or a template records what it ran. Absent means 1.
   */
  version?: number;
  /**
   * An indicator that needs history before it has a value: the backtester's warm-up is the first bar at
   * which every such node of the graph has one.
   */
  warmsUp?: boolean;
  run(ctx: NodeRunContext<P>): NodeOutput | Promise<NodeOutput>;
}

/** A definition with its property type erased, so definitions of every node share one registry. */
export type AnyNodeDefinition = NodeDefinition<PropertyValues>;

/**
 * Declares a node type with typed properties. The registry stores it erased: the validator has already
 * checked the block's properties against `properties`, so the run function's `P` holds at run time.
 */
export function defineNode<P extends PropertyValues>(def: NodeDefinition<P>): AnyNodeDefinition {
  return def as unknown as AnyNodeDefinition;
}

export interface NodeCatalog {
  get(category: string, type: string): AnyNodeDefinition | undefined;
  list(): readonly AnyNodeDefinition[];
}

export function resolvePorts<P extends PropertyValues>(
  ports: NodeDefinition<P>["inputs"],
  props: P,
): readonly PortSpec[] {
  return typeof ports === "function" ? ports(props) : ports;
}
