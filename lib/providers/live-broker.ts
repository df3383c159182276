import type { Balance, Broker, MarketData, MarketRules, Order, OrderRequest, Position, Venue } from "./types";
import type { VenueAccountClient } from "../venues/types";
import { isVenueError } from "../venues/errors";
import { sleep } from "../venues/token-bucket";

/**
 * Real orders, behind a pre-trade check that the graph cannot bypass. Every order is checked against
 * what the user armed (venue, maximum order value, maximum position value), a price collar around a
 * fresh quote, and the quote's age. An order whose fate is unknown (timeout, 5xx) is looked up on the
 * venue by its client order id, never sent again.
 */

export interface PreTradeLimits {
  /** The one venue live trading was armed for. */
  venue: Venue;
  /** Largest value (price x quantity) of one order, in the venue's quote currency. */
  maxOrderValue: number;
  /** Largest value the position in one market may reach through an order. */
  maxPositionValue: number;
  /** How far (fraction of the mid price) an order's price may be from the market: 0.05 = 5%. */
  priceCollar: number;
  /** Oldest quote the check accepts, in ms. */
  maxQuoteAgeMs: number;
}

export const DEFAULT_COLLAR = 0.05;
export const DEFAULT_MAX_QUOTE_AGE_MS = 10_000;

export class PreTradeError extends Error {
  constructor(
    readonly check: "venue" | "order value" | "position limit" | "price collar" | "quote age" | "quantity" | "market",
    message: string,
  ) {
    super(`pre-trade check (${check}): ${message}`);
    this.name = "PreTradeError";
  }
}

function floorTo(value: number, step: number): number {
  return step > 0 ? Number((Math.floor(value / step + 1e-9) * step).toFixed(10)) : value;
}

export interface LiveBrokerOptions {
  limits: PreTradeLimits;
  /** The venue account (decrypts the profile on first use). */
  account: (venue: Venue) => Promise<VenueAccountClient>;
  /** Live market data, for the check's fresh quote and the venue's rules. */
  market: MarketData;
  now?: () => number;
  /** Waits between status lookups after an unknown outcome (test seam). */
  lookupDelays?: number[];
}

export class LiveBroker implements Broker {
  readonly kind = "live";
  private readonly placed = new Map<string, Promise<Order>>();
  private readonly now: () => number;

  constructor(private readonly options: LiveBrokerOptions) {
    this.now = options.now ?? Date.now;
  }

  private async accountFor(venue: Venue): Promise<VenueAccountClient> {
    if (venue !== this.options.limits.venue) {
      throw new PreTradeError("venue", `live trading is armed for ${this.options.limits.venue} only, not ${venue}`);
    }
    return this.options.account(venue);
  }

  placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    // One client order id is one order: a second request for it gets the first one's outcome.
    let order = this.placed.get(request.clientOrderId);
    if (!order) {
      order = this.checkAndPlace(request, signal);
      this.placed.set(request.clientOrderId, order);
    }
    return order;
  }

  /** The pre-trade check; returns the request as it will be sent (rounded to the venue's steps). */
  async check(request: OrderRequest, account: VenueAccountClient, signal?: AbortSignal): Promise<OrderRequest> {
    const { limits, market } = this.options;
    const ref = { venue: request.venue, symbol: request.symbol };
    const [quote, rules] = await Promise.all([market.getQuote(ref, signal), market.getRules?.(ref, signal) ?? Promise.resolve(null)]);
    const age = this.now() - Date.parse(quote.at);
    if (!(age <= limits.maxQuoteAgeMs)) throw new PreTradeError("quote age", `the ${request.symbol} quote is ${Math.round(age / 1000)} s old; the limit is ${limits.maxQuoteAgeMs / 1000} s`);
    const r: MarketRules = rules ?? { tickSize: 0, stepSize: 0, minQuantity: 0, minNotional: 0 };
    const quantity = floorTo(request.quantity, r.stepSize);
    if (!(quantity > 0) || quantity < r.minQuantity) throw new PreTradeError("quantity", `quantity ${request.quantity} is below the venue's minimum ${r.minQuantity || r.stepSize}`);
    const touch = request.side === "buy" ? quote.ask : quote.bid;
    const price = request.limitPrice ?? touch;
    if (!(Number.isFinite(price) && price > 0)) throw new PreTradeError("market", `no ${request.side === "buy" ? "asks" : "bids"} for ${request.symbol}, so a market order has no price`);
    const mid = Number.isFinite(quote.bid) && Number.isFinite(quote.ask) && quote.bid > 0 && quote.ask > 0 ? (quote.bid + quote.ask) / 2 : quote.price;
    if (Math.abs(price - mid) / mid > limits.priceCollar) {
      throw new PreTradeError("price collar", `price ${price} is more than ${limits.priceCollar * 100}% from the market (${mid})`);
    }
    const value = quantity * price;
    if (value > limits.maxOrderValue + 1e-9) throw new PreTradeError("order value", `order value ${value.toFixed(2)} exceeds the armed maximum ${limits.maxOrderValue}`);
    if (r.minNotional > 0 && value < r.minNotional) throw new PreTradeError("order value", `order value ${value.toFixed(2)} is below the venue's minimum ${r.minNotional}`);
    const held = (await account.getPositions(signal)).find((p) => p.symbol === request.symbol)?.quantity ?? 0;
    const after = held + (request.side === "buy" ? quantity : -quantity);
    if (Math.abs(after) * price > limits.maxPositionValue + 1e-9 && Math.abs(after) > Math.abs(held)) {
      throw new PreTradeError("position limit", `the position would be worth ${(Math.abs(after) * price).toFixed(2)}; the armed limit is ${limits.maxPositionValue}`);
    }
    return { ...request, quantity };
  }

  private async checkAndPlace(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    const account = await this.accountFor(request.venue);
    const checked = await this.check(request, account, signal);
    try {
      return await account.placeOrder(checked, signal);
    } catch (error) {
      if (!isVenueError(error) || !error.statusUnknown) throw error;
      return this.resolveUnknown(account, checked, error.message);
    }
  }

  /** Asks the venue what became of an order whose answer was lost; never resubmits it. */
  private async resolveUnknown(account: VenueAccountClient, request: OrderRequest, why: string): Promise<Order> {
    const delays = this.options.lookupDelays ?? [500, 1_000, 2_000, 4_000];
    let lastError: unknown = null;
    for (const delay of delays) {
      await sleep(delay);
      try {
        const found = await account.findOrder(request.symbol, request.clientOrderId);
        if (found) return found;
        return {
          id: "",
          clientOrderId: request.clientOrderId,
          venue: request.venue,
          symbol: request.symbol,
          side: request.side,
          type: request.limitPrice === undefined ? "market" : "limit",
          quantity: request.quantity,
          filledQuantity: 0,
          limitPrice: request.limitPrice ?? null,
          averagePrice: null,
          fee: 0,
          status: "rejected",
          reason: `the venue never received it (${why}); not sent again`,
          broker: this.kind,
          at: new Date(this.now()).toISOString(),
        };
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`order ${request.clientOrderId}: status unknown (${why}); the venue could not be asked (${(lastError as Error)?.message ?? "no answer"}). It was not sent again: check the venue before running again.`);
  }

  async cancelOrder(venue: Venue, orderId: string, signal?: AbortSignal, symbol?: string): Promise<Order> {
    if (!symbol) throw new Error(`cancelling a live ${venue} order needs its market`);
    return (await this.accountFor(venue)).cancelOrder(symbol, orderId, signal);
  }

  async getBalance(venue: Venue, signal?: AbortSignal): Promise<Balance> {
    return (await this.accountFor(venue)).getBalance(signal);
  }

  async getPositions(venue: Venue, signal?: AbortSignal): Promise<Position[]> {
    return (await this.accountFor(venue)).getPositions(signal);
  }

  async getDailyPnl(venue: Venue, signal?: AbortSignal): Promise<number> {
    // Venues do not report a day's P&L in one call; the unrealised P&L of open positions is the part we
    // can measure from here.
    let unrealized = 0;
    for (const p of await this.getPositions(venue, signal)) {
      if (!p.averagePrice) continue;
      const quote = await this.options.market.getQuote({ venue, symbol: p.symbol }, signal);
      unrealized += (quote.price - p.averagePrice) * p.quantity;
    }
    return unrealized;
  }
}
