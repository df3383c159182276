import type { Candle, CandleInterval, Funding, MarketData, MarketRef, MarketRules, OrderBook, Quote, Venue } from "./types";
import type { VenueMarketClient } from "../venues/types";

/**
 * The venues' real market data behind the MarketData interface: each call goes to that venue's public
 * API client. Clients are made on first use, so a run that reads one venue never builds the others.
 */
export class LiveMarket implements MarketData {
  readonly source = "live" as const;
  private readonly clients = new Map<Venue, VenueMarketClient>();

  constructor(private readonly clientFor: (venue: Venue) => VenueMarketClient) {}

  private client(venue: Venue): VenueMarketClient {
    let client = this.clients.get(venue);
    if (!client) this.clients.set(venue, (client = this.clientFor(venue)));
    return client;
  }

  getQuote(market: MarketRef, signal?: AbortSignal): Promise<Quote> {
    return this.client(market.venue).getQuote(market.symbol, signal);
  }

  getOrderBook(market: MarketRef, depth: number, signal?: AbortSignal): Promise<OrderBook> {
    return this.client(market.venue).getOrderBook(market.symbol, depth, signal);
  }

  getCandles(market: MarketRef, interval: CandleInterval, limit: number, signal?: AbortSignal): Promise<Candle[]> {
    return this.client(market.venue).getCandles(market.symbol, interval, limit, signal);
  }

  getFunding(market: MarketRef, signal?: AbortSignal): Promise<Funding> {
    return this.client(market.venue).getFunding(market.symbol, signal);
  }

  getRules(market: MarketRef, signal?: AbortSignal): Promise<MarketRules> {
    return this.client(market.venue).getRules(market.symbol, signal);
  }
}

export type DataSource = "simulated" | "live";

/**
 * Reads each venue from the source the workflow chose for it: a run can read Binance live while
 * Kalshi stays simulated. Paper fills use the same routing, so an order fills against the book its
 * strategy was looking at.
 */
export class RoutingMarket implements MarketData {
  readonly source: "simulated" | "live";

  constructor(
    private readonly sources: Record<DataSource, MarketData>,
    private readonly venueSource: Record<Venue, DataSource>,
  ) {
    this.source = Object.values(venueSource).includes("live") ? "live" : "simulated";
  }

  private of(market: MarketRef): MarketData {
    return this.sources[this.venueSource[market.venue]];
  }

  getQuote(market: MarketRef, signal?: AbortSignal) {
    return this.of(market).getQuote(market, signal);
  }
  getOrderBook(market: MarketRef, depth: number, signal?: AbortSignal) {
    return this.of(market).getOrderBook(market, depth, signal);
  }
  getCandles(market: MarketRef, interval: CandleInterval, limit: number, signal?: AbortSignal) {
    return this.of(market).getCandles(market, interval, limit, signal);
  }
  getFunding(market: MarketRef, signal?: AbortSignal) {
    return this.of(market).getFunding(market, signal);
  }
  async getRules(market: MarketRef, signal?: AbortSignal): Promise<MarketRules | null> {
    return (await this.of(market).getRules?.(market, signal)) ?? null;
  }
}
