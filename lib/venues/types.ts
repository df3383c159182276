import type { Balance, Candle, CandleInterval, Funding, MarketRules, Order, OrderBook, OrderRequest, Position, Quote, Venue } from "../providers/types";

export type { MarketRules };

/** Public market data of one venue (no credentials). */
export interface VenueMarketClient {
  readonly venue: Venue;
  getQuote(symbol: string, signal?: AbortSignal): Promise<Quote>;
  getOrderBook(symbol: string, depth: number, signal?: AbortSignal): Promise<OrderBook>;
  getCandles(symbol: string, interval: CandleInterval, limit: number, signal?: AbortSignal): Promise<Candle[]>;
  /** Perpetual funding and mark price; venues without perpetuals throw a clear error. */
  getFunding(symbol: string, signal?: AbortSignal): Promise<Funding>;
  getRules(symbol: string, signal?: AbortSignal): Promise<MarketRules>;
}

/**
 * One venue account, signed with a credential profile's secrets. placeOrder sends the request's
 * clientOrderId to the venue; when the venue's answer is lost (timeout, 5xx) it throws a VenueError with
 * statusUnknown, and findOrder(clientOrderId) tells what actually happened.
 */
export interface VenueAccountClient {
  readonly venue: Venue;
  getBalance(signal?: AbortSignal): Promise<Balance>;
  getPositions(signal?: AbortSignal): Promise<Position[]>;
  placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order>;
  cancelOrder(symbol: string, orderId: string, signal?: AbortSignal): Promise<Order>;
  /** The order with this client order id, or null when the venue never received it. */
  findOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<Order | null>;
}
