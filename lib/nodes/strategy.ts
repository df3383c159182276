import { defineNode, type AnyNodeDefinition } from "../workflow/definition";
import type { Order, Venue } from "../providers/types";
import { clientOrderId } from "./actions";
import { describe, optionalNumber, requireNumber, signalOf } from "./inputs";
import { marketOf, symbolProperty, venueProperty } from "./market-props";

/**
 * The building blocks of grid trading and market making: a position reader, grid levels, a ladder of
 * limit orders and a two-sided quote. Orders go through the run's broker like any other action.
 */

const TICK: Record<Venue, number> = { binance: 0.01, polymarket: 0.01, kalshi: 0.01 };
const roundDown = (p: number, tick: number) => Number((Math.floor(p / tick + 1e-9) * tick).toFixed(8));
const roundUp = (p: number, tick: number) => Number((Math.ceil(p / tick - 1e-9) * tick).toFixed(8));

function pricesOf(v: unknown, name: string): number[] {
  if (!Array.isArray(v)) throw new Error(`input "${name}" must be a series of prices, got ${describe(v)}`);
  return v.filter((x): x is number => typeof x === "number" && Number.isFinite(x) && x > 0);
}

export const strategyNodes: AnyNodeDefinition[] = [
  defineNode<{ venue: string; symbol: string }>({
    category: "values",
    type: "position",
    label: "Position",
    description: "The position held in one market: quantity (inventory), average entry price and unrealised profit",
    inputs: [],
    outputs: [
      { name: "quantity", type: "number" },
      { name: "average_price", type: "number" },
      { name: "unrealized_pnl", type: "number" },
    ],
    // 2: the venue follows the provider by default.
    version: 2,
    properties: [venueProperty, symbolProperty],
    async run({ props, services, signal }) {
      const market = marketOf(props);
      const position = (await services.broker.getPositions(market.venue, signal)).find((p) => p.symbol === market.symbol);
      if (!position) return { quantity: 0, average_price: null, unrealized_pnl: 0 };
      const quote = await services.market.getQuote(market, signal);
      return { quantity: position.quantity, average_price: position.averagePrice, unrealized_pnl: (quote.price - position.averagePrice) * position.quantity };
    },
  }),
  defineNode<{ lower: number; upper: number; levels: number }>({
    category: "indicators",
    type: "grid_levels",
    label: "Grid levels",
    description: "Evenly spaced price levels between lower and upper; splits them into buy levels below the price and sell levels above",
    inputs: [{ name: "price", type: "number" }],
    outputs: [
      { name: "levels", type: "series" },
      { name: "buy_levels", type: "series", description: "Levels below the price, nearest first" },
      { name: "sell_levels", type: "series", description: "Levels above the price, nearest first" },
      { name: "in_range", type: "boolean", description: "The price is inside the grid" },
    ],
    properties: [
      { kind: "number", name: "lower", label: "Lower price", default: 0.3, min: 0 },
      { kind: "number", name: "upper", label: "Upper price", default: 0.7, min: 0 },
      { kind: "number", name: "levels", label: "Levels", default: 9, min: 2, max: 200, integer: true },
    ],
    run: ({ inputs, props }) => {
      if (!(props.upper > props.lower)) throw new Error(`upper (${props.upper}) must be above lower (${props.lower})`);
      const price = requireNumber(inputs, "price");
      const step = (props.upper - props.lower) / (props.levels - 1);
      const levels = Array.from({ length: props.levels }, (_, i) => Number((props.lower + i * step).toFixed(8)));
      return {
        levels,
        buy_levels: levels.filter((l) => l < price).reverse(),
        sell_levels: levels.filter((l) => l > price),
        in_range: price >= props.lower && price <= props.upper,
      };
    },
  }),
  defineNode<{ venue: string; symbol: string; side: "buy" | "sell"; amount: number; max_orders: number }>({
    category: "actions",
    type: "ladder",
    label: "Limit ladder",
    description: "Places one limit order per price in a series (a grid's ladder) when its signal is true",
    inputs: [
      { name: "signal", type: "boolean" },
      { name: "prices", type: "series" },
      { name: "amount", type: "number", description: "Quantity per order" },
    ],
    outputs: [
      { name: "orders", type: "any", description: "The orders placed" },
      { name: "placed", type: "number" },
    ],
    // 2: the venue follows the provider by default.
    version: 2,
    properties: [
      venueProperty,
      symbolProperty,
      { kind: "enum", name: "side", label: "Side", default: "buy", options: [{ value: "buy", label: "Buy" }, { value: "sell", label: "Sell" }] },
      { kind: "number", name: "amount", label: "Amount per order", default: 10, min: 0 },
      { kind: "number", name: "max_orders", label: "At most (orders)", default: 10, min: 1, max: 100, integer: true },
    ],
    async run({ inputs, props, services, signal, run, block }) {
      if (!signalOf(inputs)) return { orders: [], placed: 0 };
      const amount = optionalNumber(inputs, "amount") ?? 0;
      if (amount <= 0) return { orders: [], placed: 0 };
      const prices = pricesOf(inputs.prices, "prices").slice(0, props.max_orders);
      const market = marketOf(props);
      const orders: Order[] = [];
      for (const [k, price] of prices.entries()) {
        orders.push(
          await services.broker.placeOrder(
            { ...market, side: props.side, quantity: amount, limitPrice: price, clientOrderId: `${clientOrderId(run.id, block.id)}#${k + 1}` },
            signal,
          ),
        );
      }
      return { orders, placed: orders.filter((o) => o.status !== "rejected").length };
    },
  }),
  defineNode<{ venue: string; symbol: string; spread_pct: number; size: number; max_inventory: number }>({
    category: "actions",
    type: "quote",
    label: "Quote both sides",
    description: "Market making: a bid below and an ask above the mid, sized so inventory stays between 0 and the limit",
    inputs: [
      { name: "signal", type: "boolean" },
      { name: "mid", type: "number" },
      { name: "size", type: "number" },
      { name: "inventory", type: "number", description: "Quantity held now; the broker's position when unconnected" },
    ],
    outputs: [
      { name: "bid", type: "order" },
      { name: "ask", type: "order" },
    ],
    // 2: the venue follows the provider by default.
    version: 2,
    properties: [
      venueProperty,
      symbolProperty,
      { kind: "number", name: "spread_pct", label: "Spread (% of mid)", default: 4, min: 0.01, max: 100 },
      { kind: "number", name: "size", label: "Size per side", default: 20, min: 0 },
      { kind: "number", name: "max_inventory", label: "Max inventory", default: 100, min: 0 },
    ],
    async run({ inputs, props, services, signal, run, block }) {
      if (!signalOf(inputs)) return { bid: null, ask: null };
      const market = marketOf(props);
      const mid = requireNumber(inputs, "mid");
      const size = optionalNumber(inputs, "size") ?? 0;
      const held =
        optionalNumber(inputs, "inventory") ?? (await services.broker.getPositions(market.venue, signal)).find((p) => p.symbol === market.symbol)?.quantity ?? 0;
      const tick = TICK[market.venue];
      const half = (mid * props.spread_pct) / 200;
      const bidPrice = roundDown(mid - half, tick);
      const askPrice = Math.max(roundUp(mid + half, tick), bidPrice + tick);
      const bidSize = Math.min(size, Math.max(0, props.max_inventory - held));
      const askSize = Math.min(size, Math.max(0, held));
      const id = clientOrderId(run.id, block.id);
      const bid = bidSize > 0 && bidPrice > 0 ? await services.broker.placeOrder({ ...market, side: "buy", quantity: bidSize, limitPrice: bidPrice, clientOrderId: `${id}#bid` }, signal) : null;
      const ask = askSize > 0 ? await services.broker.placeOrder({ ...market, side: "sell", quantity: askSize, limitPrice: askPrice, clientOrderId: `${id}#ask` }, signal) : null;
      return { bid, ask };
    },
  }),
];
