import { defineNode, type AnyNodeDefinition, type NodeRunContext } from "../workflow/definition";
import type { PortSpec } from "../workflow/ports";
import type { PropertySpec, PropertyValues } from "../workflow/properties";
import { marketOf, symbolProperty, venueProperty } from "./market-props";
import { optionalNumber, signalOf } from "./inputs";
import { compare } from "./conditions";

/**
 * Risk gates sit between a decision and its order: signal and amount in, signal and amount out. The gate
 * wrapper enforces the invariant that a risk node can only block or shrink an order, never enlarge it or
 * turn a false signal true, whatever its rule computes.
 */

const GATE_INPUTS: PortSpec[] = [
  { name: "signal", type: "boolean" },
  { name: "amount", type: "number" },
];
const GATE_OUTPUTS: PortSpec[] = [
  { name: "signal", type: "boolean" },
  { name: "amount", type: "number" },
  { name: "reason", type: "string", description: "Why the order was blocked or reduced; empty when it passed" },
];

interface GateDecision {
  amount: number;
  reason: string;
}

function riskGate<P extends PropertyValues>(spec: {
  type: string;
  label: string;
  description: string;
  extraInputs?: PortSpec[];
  properties: PropertySpec[];
  rule: (ctx: NodeRunContext<P>, amount: number) => Promise<GateDecision> | GateDecision;
}): AnyNodeDefinition {
  return defineNode<P>({
    category: "risk",
    type: spec.type,
    label: spec.label,
    description: spec.description,
    inputs: [...GATE_INPUTS, ...(spec.extraInputs ?? [])],
    outputs: GATE_OUTPUTS,
    properties: [{ kind: "number", name: "amount", label: "Amount", default: 10, min: 0 }, ...spec.properties],
    // 2: a venue property follows the provider by default.
    ...(spec.properties.some((p) => p.name === "venue") ? { version: 2 } : {}),
    async run(ctx) {
      const wanted = optionalNumber(ctx.inputs, "amount") ?? 0;
      if (wanted < 0) throw new Error(`input "amount" must not be negative, got ${wanted}`);
      if (!signalOf(ctx.inputs)) return { signal: false, amount: 0, reason: "no signal" };
      const decision = await spec.rule(ctx, wanted);
      const amount = Math.max(0, Math.min(wanted, Number.isFinite(decision.amount) ? decision.amount : 0));
      return { signal: amount > 0, amount, reason: amount < wanted ? decision.reason : "" };
    },
  });
}

interface ExitProps {
  [key: string]: unknown;
  venue: string;
  symbol: string;
  percent: number;
}

/** Stop-loss and take-profit: exit signals that close at most the position that is held. */
function exitRule(type: "stop_loss" | "take_profit"): AnyNodeDefinition {
  const stop = type === "stop_loss";
  return defineNode<ExitProps>({
    category: "risk",
    type,
    label: stop ? "Stop loss" : "Take profit",
    description: stop
      ? "Signals an exit of the whole position when price falls the set percent below entry"
      : "Signals an exit of the whole position when price rises the set percent above entry",
    inputs: [
      { name: "price", type: "number", description: "Current price; the venue's quote when unconnected" },
      { name: "entry_price", type: "number", description: "Entry price; the position's average price when unconnected" },
    ],
    outputs: [
      { name: "exit", type: "boolean" },
      { name: "amount", type: "number", description: "Quantity to sell: the position held" },
    ],
    // 2: the venue follows the provider by default.
    version: 2,
    properties: [venueProperty, symbolProperty, { kind: "number", name: "percent", label: stop ? "Stop (%)" : "Target (%)", default: stop ? 5 : 10, min: 0.01, max: 1000 }],
    async run({ inputs, props, services, signal }) {
      const market = marketOf(props);
      const position = (await services.broker.getPositions(market.venue, signal)).find((p) => p.symbol === market.symbol);
      const held = position && position.quantity > 0 ? position.quantity : 0;
      if (held === 0) return { exit: false, amount: 0 };
      const price = optionalNumber(inputs, "price") ?? (await services.market.getQuote(market, signal)).price;
      const entry = optionalNumber(inputs, "entry_price") ?? position!.averagePrice;
      const level = stop ? entry * (1 - props.percent / 100) : entry * (1 + props.percent / 100);
      // Tolerant comparison: entry x (1 +- percent) is rarely exact in floating point (0.4 x 1.1 = 0.44000000000000006).
      const exit = stop ? compare(price, "<=", level) : compare(price, ">=", level);
      return { exit, amount: exit ? held : 0 };
    },
  });
}

export const riskNodes: AnyNodeDefinition[] = [
  riskGate<{ venue: string; symbol: string; max_position: number }>({
    type: "max_position",
    label: "Max position",
    description: "Shrinks a buy so the position held never exceeds the maximum",
    properties: [venueProperty, symbolProperty, { kind: "number", name: "max_position", label: "Max position", default: 100, min: 0 }],
    async rule({ props, services, signal }) {
      const market = marketOf(props);
      const position = (await services.broker.getPositions(market.venue, signal)).find((p) => p.symbol === market.symbol);
      const room = props.max_position - Math.abs(position?.quantity ?? 0);
      return { amount: room, reason: `position limit ${props.max_position}: ${position?.quantity ?? 0} held` };
    },
  }),
  riskGate<{ venue: string; symbol: string; max_value: number; price: number | null }>({
    type: "max_order_value",
    label: "Max order value",
    description: "Shrinks an order so amount x price stays within the maximum value",
    extraInputs: [{ name: "price", type: "number", description: "Price per unit; the venue's quote when unconnected" }],
    properties: [
      venueProperty,
      symbolProperty,
      { kind: "number", name: "max_value", label: "Max value", default: 1_000, min: 0 },
      { kind: "number", name: "price", label: "Price", default: null, nullable: true, min: 0 },
    ],
    async rule({ inputs, props, services, signal }) {
      const price = optionalNumber(inputs, "price") ?? (await services.market.getQuote(marketOf(props), signal)).price;
      if (!(price > 0)) return { amount: 0, reason: `price ${price} is not positive` };
      return { amount: props.max_value / price, reason: `order value limit ${props.max_value} at price ${price}` };
    },
  }),
  riskGate<{ venue: string; max_daily_loss: number }>({
    type: "daily_loss_limit",
    label: "Daily loss limit",
    description: "Blocks orders once today's loss (realised and unrealised) reaches the limit",
    properties: [venueProperty, { kind: "number", name: "max_daily_loss", label: "Max daily loss", default: 100, min: 0 }],
    async rule({ props, services, signal }, amount) {
      const pnl = await services.broker.getDailyPnl(marketOf(props).venue, signal);
      return pnl <= -props.max_daily_loss ? { amount: 0, reason: `daily loss ${-pnl} reached the limit ${props.max_daily_loss}` } : { amount, reason: "" };
    },
  }),
  riskGate<{ engaged: boolean }>({
    type: "kill_switch",
    label: "Kill switch",
    description: "Blocks every order while engaged",
    extraInputs: [{ name: "engaged", type: "boolean" }],
    properties: [{ kind: "boolean", name: "engaged", label: "Engaged", default: false }],
    rule({ inputs }, amount) {
      return inputs.engaged === true ? { amount: 0, reason: "kill switch engaged" } : { amount, reason: "" };
    },
  }),
  exitRule("stop_loss"),
  exitRule("take_profit"),
];
