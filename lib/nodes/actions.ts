import { defineNode, type AnyNodeDefinition, type NodeRunContext } from "../workflow/definition";
import type { Order, OrderSide } from "../providers/types";
import { marketOf, symbolProperty, venueProperty } from "./market-props";
import { describe, optionalNumber, signalOf } from "./inputs";

/**
 * Actions are signal-gated, as in the seed: nothing happens unless `signal` is true. Orders go to the
 * run's broker (the paper broker unless a live run was armed), never straight to a venue.
 */

interface OrderProps {
  [key: string]: unknown;
  venue: string;
  symbol: string;
  amount: number;
  order_type: "market" | "limit";
  price: number | null;
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
    properties: [
      venueProperty,
      symbolProperty,
      { kind: "number", name: "amount", label: "Amount", default: 10, min: 0 },
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
      const order = await services.broker.placeOrder(
        {
          venue,
          symbol,
          side,
          quantity: amount,
          ...(props.order_type === "limit" && limit !== null ? { limitPrice: limit } : {}),
          clientOrderId: clientOrderId(run.id, block.id),
        },
        signal,
      );
      return { order };
    },
  });
}

function isOrder(v: unknown): v is Order {
  return typeof v === "object" && v !== null && typeof (v as Order).id === "string" && typeof (v as Order).venue === "string";
}

export const actionNodes: AnyNodeDefinition[] = [
  orderNode("buy"),
  orderNode("sell"),
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
