/**
 * The seams between nodes and the outside world. Nodes only see these interfaces; part 1 implements
 * them with a simulated market and a paper broker, part 4 adds the venues' real APIs behind them.
 */

export const VENUES = ["polymarket", "binance", "kalshi"] as const;
export type Venue = (typeof VENUES)[number];

export interface MarketRef {
  venue: Venue;
  /** Binance symbol (BTCUSDT), Polymarket token id, or Kalshi ticker. */
  symbol: string;
}

export interface Quote {
  /** Last/mid price. Prediction markets quote a probability in dollars per share (0..1). */
  price: number;
  bid: number;
  ask: number;
  /** When the quote was observed (ISO 8601). */
  at: string;
}

/** [price, size] levels; bids best (highest) first, asks best (lowest) first. */
export interface OrderBook {
  bids: [number, number][];
  asks: [number, number][];
  at: string;
}

export interface Candle {
  /** Open time, ms since the epoch. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export const CANDLE_INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

/** A perpetual future's funding: the rate paid each funding interval (longs pay shorts when positive). */
export interface Funding {
  /** Fraction per interval, e.g. 0.0001 = 0.01%. */
  rate: number;
  intervalHours: number;
  /** Next funding time, ms since the epoch. */
  nextTime: number;
  /** The perpetual's mark price. */
  markPrice: number;
  at: string;
}

export interface MarketData {
  /** "simulated" for the seeded market, "replay" for a backtest's history; real clients say "live". */
  readonly source: "simulated" | "live" | "replay";
  getQuote(market: MarketRef, signal?: AbortSignal): Promise<Quote>;
  getOrderBook(market: MarketRef, depth: number, signal?: AbortSignal): Promise<OrderBook>;
  /** The last `limit` closed-or-current candles, oldest first. */
  getCandles(market: MarketRef, interval: CandleInterval, limit: number, signal?: AbortSignal): Promise<Candle[]>;
  /** The perpetual future's funding and mark price for a symbol (Binance USD-M); other venues refuse. */
  getFunding(market: MarketRef, signal?: AbortSignal): Promise<Funding>;
  /** The venue's tick and step sizes and minimums for a market; null (or absent) when the source does not know them. */
  getRules?(market: MarketRef, signal?: AbortSignal): Promise<MarketRules | null>;
}

/** What a venue allows an order to look like. */
export interface MarketRules {
  /** Price increment. */
  tickSize: number;
  /** Quantity increment. */
  stepSize: number;
  /** Smallest order quantity. */
  minQuantity: number;
  /** Smallest order value (price x quantity), 0 when the venue has none. */
  minNotional: number;
}

export interface Position {
  venue: Venue;
  symbol: string;
  /** Positive long, negative short. */
  quantity: number;
  averagePrice: number;
}

export interface Balance {
  venue: Venue;
  currency: string;
  available: number;
}

export type OrderSide = "buy" | "sell";
export type OrderStatus = "filled" | "open" | "cancelled" | "rejected";

export interface OrderRequest {
  venue: Venue;
  symbol: string;
  side: OrderSide;
  quantity: number;
  /** Absent for a market order. */
  limitPrice?: number;
  /**
   * For a market order: the worst price it may fill at (set by the live pre-trade check from its price
   * collar). Venue clients send such an order as immediate-or-cancel at no worse than this price.
   */
  protectPrice?: number;
  /** Derived from run and node, so a retried request is recognisably the same order. */
  clientOrderId: string;
  /**
   * A size given other than as a quantity, for a broker that sizes at the fill (`sizesAtFill`): `quantity`
   * is then ignored. Other brokers get a quantity the node worked out from the current quote.
   */
  sizing?: OrderSizing;
}

/** An order size in quote currency, in percent of equity, or as a target position in percent of equity. */
export interface OrderSizing {
  unit: "quote" | "percent_equity" | "target_percent";
  value: number;
  /** Whole units, or the market's quantity step. */
  rounding: "whole" | "step";
}

export interface Order {
  id: string;
  clientOrderId: string;
  venue: Venue;
  symbol: string;
  side: OrderSide;
  type: "market" | "limit";
  quantity: number;
  filledQuantity: number;
  limitPrice: number | null;
  averagePrice: number | null;
  fee: number;
  status: OrderStatus;
  /** Why a rejected order was rejected. */
  reason?: string;
  /** "paper" or "live": where the order went. */
  broker: string;
  at: string;
}

export interface Broker {
  /** "paper", "live" or "backtest". */
  readonly kind: string;
  /** True when the broker converts an order's `sizing` at the fill price (the backtester). */
  readonly sizesAtFill?: boolean;
  placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order>;
  /** `symbol` is the order's market, which some venues need to find the order. */
  cancelOrder(venue: Venue, orderId: string, signal?: AbortSignal, symbol?: string): Promise<Order>;
  getBalance(venue: Venue, signal?: AbortSignal): Promise<Balance>;
  getPositions(venue: Venue, signal?: AbortSignal): Promise<Position[]>;
  /** Realised plus unrealised profit and loss since the start of the UTC day, in the quote currency. */
  getDailyPnl(venue: Venue, signal?: AbortSignal): Promise<number>;
}

export interface Notification {
  nodeId: string;
  message: string;
  at: string;
}

export interface Notifier {
  notify(notification: Notification): Promise<void> | void;
}

/** Everything a node may reach outside itself. */
export interface NodeServices {
  /** The run's market: simulated in a simulated run, the venues' live data in paper and live runs. */
  market: MarketData;
  /** Both sources, for a provider node whose data-source setting overrides the run's default. */
  sources?: { simulated: MarketData; live: MarketData };
  broker: Broker;
  notifier: Notifier;
}
