import { defineNode, type AnyNodeDefinition, type NodeRunContext } from "../workflow/definition";
import type { NodeServices, Order, OrderRequest, OrderSide, OrderSizing, Venue } from "../providers/types";
import { marketOf, symbolProperty, venueProperty } from "./market-props";
import { describe, optionalNumber, signalOf } from "./inputs";

/**
 * Actions are signal-gated, as in the seed: nothing happens unless `signal` is true. Orders go to the
 * run's broker (the paper broker unless a live run was armed), never straight to a venue.
 */

export const AMOUNT_UNITS = ["quantity", "quote", "percent_equity"] as const;
export type AmountUnit = (typeof AMOUNT_UNITS)[number];

interface OrderProps {
  [key: string]: unknown;
  venue: string;
  symbol: string;
  amount: number;
  amount_unit: AmountUnit;
  order_type: "market" | "limit";
  price: number | null;
}

/**
 * The venue's equity as an order node sees it: its cash plus this market's position at the quote. A
 * backtest's broker sizes at the fill price instead.
 */
async function equityOf(services: NodeServices, venue: Venue, symbol: string, price: number, signal?: AbortSignal): Promise<{ equity: number; held: number }> {
  const [balance, positions] = await Promise.all([services.broker.getBalance(venue, signal), services.broker.getPositions(venue, signal)]);
  const held = positions.find((p) => p.symbol === symbol)?.quantity ?? 0;
  return { equity: balance.available + held * price, held };
}

/** Down to whole units or the venue's smallest step, toward zero. */
function towardZero(quantity: number, rounding: OrderSizing["rounding"]): number {
  const step = rounding === "whole" ? 1 : 1e-8;
  return Math.sign(quantity) * Math.floor(Math.abs(quantity) / step + 1e-9) * step;
}

/**
 * An order sized other than by quantity: handed to a broker that sizes at the fill, or converted here at
 * the current quote (limit orders at their limit price).
 */
async function sizedRequest(services: NodeServices, base: Omit<OrderRequest, "quantity">, sizing: OrderSizing, signal?: AbortSignal): Promise<OrderRequest | null> {
  if (services.broker.sizesAtFill) return { ...base, quantity: 0, sizing };
  const price = base.limitPrice ?? (await services.market.getQuote({ venue: base.venue, symbol: base.symbol }, signal)).price;
  if (!(price > 0)) throw new Error(`cannot size an order at a price of ${price}`);
  const quantity =
    sizing.unit === "quote" ? sizing.value / price : ((await equityOf(services, base.venue, base.symbol, price, signal)).equity * sizing.value) / 100 / price;
  const rounded = towardZero(quantity, sizing.rounding);
  return rounded > 0 ? { ...base, quantity: rounded } : null;
}

/** Derived from the run and the node, so a retried request can be recognised as the same order. */
export function clientOrderId(runId: string, nodeId: string): string {
  const id = `${runId}:${nodeId}`;
  if (id.length <= 64) return id;
  // Venues cap client order ids; a long node id is replaced by a hash so that two nodes never share one.
  let h = 0x811c9dc5;
  for (let i = 0; i < nodeId.length; i++) h = Math.imul(h ^ nodeId.charCodeAt(i), 0x01000193);
  return `${runId.slice(0, 50)}:${(h >>> 0).toString(36)}`;
}

function orderNode(side: OrderSide): AnyNodeDefinition {
  return defineNode<OrderProps>({
    category: "actions",
    type: side,
    label: side === "buy" ? "Buy" : "Sell",
    description: side === "buy" ? "Buys an amount when its signal is true" : "Sells an amount when its signal is true",
    inputs: [
      { name: "signal", type: "boolean" },
      { name: "amount", type: "number", description: "Quantity: shares, contracts or coins" },
      { name: "price", type: "number", description: "Limit price; empty for a market order" },
    ],
    outputs: [{ name: "order", type: "order" }],
    // 2: the venue follows the provider by default; the amount may be a quote value or a percent of equity.
    version: 2,
    properties: [
      venueProperty,
      symbolProperty,
      { kind: "number", name: "amount", label: "Amount", default: 10, min: 0 },
      {
        kind: "enum",
        name: "amount_unit",
        label: "Amount is",
        default: "quantity",
        options: [
          { value: "quantity", label: "Quantity (shares, contracts, coins)" },
          { value: "quote", label: "Value in the quote currency" },
          { value: "percent_equity", label: "Percent of equity" },
        ],
        description: "Value and percent are turned into a quantity at the fill price (at the quote outside a backtest), rounded down",
      },
      { kind: "enum", name: "order_type", label: "Order type", default: "market", options: [{ value: "market", label: "Market" }, { value: "limit", label: "Limit" }] },
      { kind: "number", name: "price", label: "Limit price", default: null, nullable: true, min: 0 },
    ],
    async run({ inputs, props, services, signal, run, block }: NodeRunContext<OrderProps>) {
      if (!signalOf(inputs)) return { order: null };
      const amount = optionalNumber(inputs, "amount");
      if (amount === null) throw new Error('input "amount" has no value: connect it or set the property');
      if (amount < 0) throw new Error(`input "amount" must not be negative, got ${amount}`);
      if (amount === 0) return { order: null };
      const limit = optionalNumber(inputs, "price");
      if (props.order_type === "limit" && limit === null) throw new Error("a limit order needs a price: connect the price input or set the property");
      const { venue, symbol } = marketOf(props);
      const base = { venue, symbol, side, ...(props.order_type === "limit" && limit !== null ? { limitPrice: limit } : {}), clientOrderId: clientOrderId(run.id, block.id) };
      const unit = props.amount_unit ?? "quantity";
      const request = unit === "quantity" ? { ...base, quantity: amount } : await sizedRequest(services, base, { unit, value: amount, rounding: "step" }, signal);
      if (!request) return { order: null };
      return { order: await services.broker.placeOrder(request, signal) };
    },
  });
}

function isOrder(v: unknown): v is Order {
  return typeof v === "object" && v !== null && typeof (v as Order).id === "string" && typeof (v as Order).venue === "string";
}

interface TargetProps {
  [key: string]: unknown;
  venue: string;
  symbol: string;
  percent: number;
  rounding: "whole" | "step";
}

/**
 * Trades whatever brings the position to `percent` of equity (negative: short) at the fill price, rounded
 * toward zero; an opposite position is closed first, at the same price. "On crossing above go 100% long,
 * on crossing below go 100% short" is two of these.
 */
const targetPositionNode = defineNode<TargetProps>({
  category: "actions",
  type: "target_position",
  label: "Target position",
  description: "Trades to hold a percent of equity in one market (negative for short); an opposite position is closed first",
  inputs: [
    { name: "signal", type: "boolean" },
    { name: "percent", type: "number", description: "Percent of equity; -100 is fully short" },
  ],
  outputs: [{ name: "order", type: "order" }],
  properties: [
    venueProperty,
    symbolProperty,
    { kind: "number", name: "percent", label: "Target (% of equity)", default: 100, min: -1000, max: 1000 },
    {
      kind: "enum",
      name: "rounding",
      label: "Round to",
      default: "step",
      options: [
        { value: "whole", label: "Whole units" },
        { value: "step", label: "The venue's quantity step" },
      ],
    },
  ],
  async run({ inputs, props, services, signal, run, block }: NodeRunContext<TargetProps>) {
    if (!signalOf(inputs)) return { order: null };
    const percent = optionalNumber(inputs, "percent");
    if (percent === null) throw new Error('input "percent" has no value: connect it or set the property');
    const { venue, symbol } = marketOf(props);
    const id = clientOrderId(run.id, block.id);
    const sizing: OrderSizing = { unit: "target_percent", value: percent, rounding: props.rounding };
    if (services.broker.sizesAtFill) {
      return { order: await services.broker.placeOrder({ venue, symbol, side: percent >= 0 ? "buy" : "sell", quantity: 0, sizing, clientOrderId: id }, signal) };
    }
    const price = (await services.market.getQuote({ venue, symbol }, signal)).price;
    if (!(price > 0)) throw new Error(`cannot size an order at a price of ${price}`);
    const { equity, held } = await equityOf(services, venue, symbol, price, signal);
    let order: Order | null = null;
    let now = held;
    if (held !== 0 && Math.sign(held) !== Math.sign(percent)) {
      order = await services.broker.placeOrder({ venue, symbol, side: held > 0 ? "sell" : "buy", quantity: Math.abs(held), clientOrderId: `${id}#close` }, signal);
      if (order.status !== "filled") return { order };
      now = 0;
    }
    const wanted = towardZero((equity * percent) / 100 / price, props.rounding);
    const delta = wanted - now;
    if (Math.abs(delta) < 1e-12) return { order };
    order = await services.broker.placeOrder({ venue, symbol, side: delta > 0 ? "buy" : "sell", quantity: Math.abs(delta), clientOrderId: id }, signal);
    return { order };
  },
});

export const actionNodes: AnyNodeDefinition[] = [
  orderNode("buy"),
  orderNode("sell"),
  targetPositionNode,
  defineNode<{ venue: string; order_id: string }>({
    category: "actions",
    type: "cancel",
    label: "Cancel order",
    description: "Cancels an open order (the connected one, or the order id set here) when its signal is true",
    inputs: [
      { name: "signal", type: "boolean" },
      { name: "order", type: "order" },
    ],
    outputs: [{ name: "cancelled", type: "boolean" }],
    // 2: the venue follows the provider by default.
    version: 2,
    properties: [venueProperty, symbolProperty, { kind: "string", name: "order_id", label: "Order id", default: "", maxLength: 200 }],
    async run({ inputs, props, services, signal }) {
      if (!signalOf(inputs)) return { cancelled: false };
      const connected = inputs.order;
      if (connected !== undefined && connected !== null && !isOrder(connected)) {
        throw new Error(`input "order" must be an order, got ${describe(connected)}`);
      }
      if (isOrder(connected)) {
        if (connected.status !== "open") return { cancelled: false };
        await services.broker.cancelOrder(connected.venue, connected.id, signal, connected.symbol);
        return { cancelled: true };
      }
      if (!props.order_id.trim()) return { cancelled: false };
      await services.broker.cancelOrder(marketOf(props).venue, props.order_id.trim(), signal, marketOf(props).symbol);
      return { cancelled: true };
    },
  }),
  defineNode<{ message: string }>({
    category: "actions",
    type: "notify",
    label: "Notify",
    description: "Sends a message when its signal is true; {value} in the message is replaced by the value input",
    inputs: [
      { name: "signal", type: "boolean" },
      { name: "message", type: "string" },
      { name: "value", type: "any" },
    ],
    outputs: [{ name: "sent", type: "boolean" }],
    properties: [{ kind: "string", name: "message", label: "Message", default: "Signal fired", maxLength: 2_000 }],
    async run({ inputs, services, block, run }) {
      if (!signalOf(inputs)) return { sent: false };
      const template = typeof inputs.message === "string" ? inputs.message : String(inputs.message ?? "");
      const value = inputs.value;
      const message = template.replaceAll("{value}", value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));
      await services.notifier.notify({ nodeId: block.id, message, at: run.now.toISOString() });
      return { sent: true };
    },
  }),
];
