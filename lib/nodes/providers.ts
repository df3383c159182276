import { defineNode, type AnyNodeDefinition } from "../workflow/definition";
import type { PortSpec } from "../workflow/ports";
import { CANDLE_INTERVALS, type CandleInterval, type Venue } from "../providers/types";
import { DEFAULT_SYMBOL } from "./market-props";

/**
 * Provider nodes read one market on one venue. Their outputs are their enabled endpoints, always in this
 * order (the seed's four first), so a connection's port index means the same thing in every document.
 */
export const ENDPOINTS = ["price_feed", "balance", "positions", "orderbook", "candles", "funding_rate", "mark_price"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

const ENDPOINT_PORTS: Record<Endpoint, PortSpec> = {
  price_feed: { name: "price_feed", type: "number", label: "Price", description: "Mid price of the market" },
  balance: { name: "balance", type: "number", label: "Balance", description: "Available cash on the venue" },
  positions: { name: "positions", type: "positions", label: "Positions", description: "Open positions on the venue" },
  orderbook: { name: "orderbook", type: "orderbook", label: "Order book", description: "Bids and asks, best first" },
  candles: { name: "candles", type: "candles", label: "Candles", description: "OHLCV candles, oldest first" },
  funding_rate: { name: "funding_rate", type: "number", label: "Funding rate", description: "Perpetual funding per 8 h, as a fraction (0.0001 = 0.01%); longs pay when positive" },
  mark_price: { name: "mark_price", type: "number", label: "Perp mark price", description: "The perpetual future's mark price" },
};

/** Perpetual-futures endpoints exist on Binance only. */
const VENUE_ENDPOINTS: Record<Venue, readonly Endpoint[]> = {
  binance: ENDPOINTS,
  polymarket: ["price_feed", "balance", "positions", "orderbook", "candles"],
  kalshi: ["price_feed", "balance", "positions", "orderbook", "candles"],
};

interface ProviderProps {
  [key: string]: unknown;
  profile_id: string | null;
  enabled_endpoints: Endpoint[];
  symbol: string;
  candle_interval: CandleInterval;
  candle_limit: number;
  book_depth: number;
  data_source: DataSourceSetting;
  max_age_seconds: number;
}

/** Where a provider node reads: "auto" follows the run's mode (simulated runs simulate, paper and live runs read the venue). */
export const DATA_SOURCES = ["auto", "live", "simulated"] as const;
export type DataSourceSetting = (typeof DATA_SOURCES)[number];

const LABELS: Record<Venue, { label: string; description: string; market: string }> = {
  polymarket: { label: "Polymarket", description: "Prediction-market prices, books and candles for one outcome token", market: "Token id or slug:YES" },
  binance: { label: "Binance", description: "Spot prices, order books and candles for one trading pair", market: "Symbol" },
  kalshi: { label: "Kalshi", description: "Event-contract prices, books and candles for one market ticker", market: "Ticker" },
};

function enabledOf(venue: Venue, props: ProviderProps): Endpoint[] {
  const enabled = new Set(props.enabled_endpoints ?? []);
  return VENUE_ENDPOINTS[venue].filter((e) => enabled.has(e));
}

function providerNode(venue: Venue): AnyNodeDefinition {
  const info = LABELS[venue];
  return defineNode<ProviderProps>({
    category: "providers",
    type: venue,
    label: info.label,
    description: info.description,
    inputs: [],
    outputs: (props) => enabledOf(venue, props).map((e) => ENDPOINT_PORTS[e]),
    properties: [
      { kind: "profile", name: "profile_id", label: "Credential profile", provider: venue, default: null, description: "Needed for balance and positions on a live venue" },
      {
        kind: "multi",
        name: "enabled_endpoints",
        label: "Endpoints",
        default: ["price_feed"],
        options: VENUE_ENDPOINTS[venue].map((e) => ({ value: e, label: ENDPOINT_PORTS[e].label ?? e })),
        description: "Each enabled endpoint is an output, in the order listed",
      },
      { kind: "string", name: "symbol", label: info.market, default: DEFAULT_SYMBOL[venue], maxLength: 200 },
      { kind: "enum", name: "candle_interval", label: "Candle interval", default: "1h", options: CANDLE_INTERVALS.map((i) => ({ value: i, label: i })) },
      { kind: "number", name: "candle_limit", label: "Candles", default: 100, min: 1, max: 1000, integer: true },
      { kind: "number", name: "book_depth", label: "Book depth", default: 10, min: 1, max: 100, integer: true },
      {
        kind: "enum",
        name: "data_source",
        label: "Data source",
        default: "auto",
        options: [
          { value: "auto", label: "Auto (follows the run mode)" },
          { value: "live", label: "Live venue API" },
          { value: "simulated", label: "Simulated market" },
        ],
        description: "Auto reads the simulated market in simulated runs and the venue in paper and live runs",
      },
      { kind: "number", name: "max_age_seconds", label: "Max quote age (s)", default: 30, min: 1, max: 86_400, integer: true, description: "An older live quote or book is an error, which blocks the orders downstream" },
    ],
    async run({ props, services, signal, run }) {
      const market = { venue, symbol: props.symbol.trim() || DEFAULT_SYMBOL[venue] };
      const source = props.data_source === "auto" || !services.sources ? services.market : services.sources[props.data_source];
      // A live quote or book older than the node's limit must not drive an order.
      const fresh = <T extends { at: string }>(what: string, value: T): T => {
        if (source.source !== "live") return value;
        const age = (run.clock() - Date.parse(value.at)) / 1000;
        if (!(age <= props.max_age_seconds)) {
          throw new Error(`stale ${what} for ${market.symbol}: ${Number.isFinite(age) ? `${Math.round(age)} s old` : "no timestamp"}, the limit is ${props.max_age_seconds} s`);
        }
        return value;
      };
      const fetchers: Record<Endpoint, () => Promise<unknown>> = {
        price_feed: async () => fresh("quote", await source.getQuote(market, signal)).price,
        balance: async () => (await services.broker.getBalance(venue, signal)).available,
        positions: () => services.broker.getPositions(venue, signal),
        orderbook: async () => {
          const book = fresh("order book", await source.getOrderBook(market, props.book_depth, signal));
          return { bids: book.bids, asks: book.asks };
        },
        candles: () => source.getCandles(market, props.candle_interval, props.candle_limit, signal),
        funding_rate: async () => fresh("funding", await source.getFunding(market, signal)).rate,
        mark_price: async () => fresh("mark price", await source.getFunding(market, signal)).markPrice,
      };
      const enabled = enabledOf(venue, props);
      const values = await Promise.all(enabled.map((e) => fetchers[e]()));
      const output: Record<string, unknown> = {};
      enabled.forEach((e, i) => (output[e] = values[i]));
      return output;
    },
  });
}

export const providerNodes: AnyNodeDefinition[] = [providerNode("polymarket"), providerNode("binance"), providerNode("kalshi")];
