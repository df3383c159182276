import type { Balance, Broker, MarketData, MarketRules, Order, OrderRequest, Position, Venue } from "./types";
import { ceilTo, floorTo } from "./steps";
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
    readonly check: "venue" | "armed" | "order value" | "position limit" | "price collar" | "quote age" | "quantity" | "market",
    message: string,
  ) {
    super(`pre-trade check (${check}): ${message}`);
    this.name = "PreTradeError";
  }
}

/** Venues spell one market more than one way (Binance and Kalshi ignore case). */
function normalSymbol(venue: Venue, symbol: string): string {
  return venue === "polymarket" ? symbol.trim() : symbol.trim().toUpperCase();
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
  /** Throws when live trading is no longer armed (disarmed, expired, saved again): checked before every order. */
  stillArmed?: () => Promise<void>;
}

export class LiveBroker implements Broker {
  readonly kind = "live";
  private readonly placed = new Map<string, Promise<Order>>();
  private readonly accounts = new Map<Venue, Promise<VenueAccountClient>>();
  /** Signed quantity of this run's resting orders per market, for the position limit. */
  private readonly resting = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: LiveBrokerOptions) {
    this.now = options.now ?? Date.now;
  }

  private async accountFor(venue: Venue): Promise<VenueAccountClient> {
    if (venue !== this.options.limits.venue) {
      throw new PreTradeError("venue", `live trading is armed for ${this.options.limits.venue} only, not ${venue}`);
    }
    // One account client per run: the profile is decrypted once, for this run's calls.
    let account = this.accounts.get(venue);
    if (!account) {
      account = this.options.account(venue);
      this.accounts.set(venue, account);
    }
    return account;
  }

  placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    // One client order id is one order: a second request for it gets the first one's outcome.
    let order = this.placed.get(request.clientOrderId);
    if (!order) {
      // Orders of a run take turns through check-and-place, so each check sees what the one before it did.
      order = this.queue.then(() => this.checkAndPlace(request, signal));
      this.queue = order.catch(() => undefined);
      this.placed.set(request.clientOrderId, order);
    }
    return order;
  }

  /**
   * The pre-trade check; returns the request as it will be sent: quantity rounded to the venue's step,
   * a limit price to its tick (buys down, sells up), and a market order bounded by the collar.
   */
  async check(request: OrderRequest, account: VenueAccountClient, signal?: AbortSignal): Promise<OrderRequest> {
    const { limits, market } = this.options;
    await this.options.stillArmed?.();
    const ref = { venue: request.venue, symbol: request.symbol };
    const [quote, rules] = await Promise.all([market.getQuote(ref, signal), market.getRules?.(ref, signal) ?? Promise.resolve(null)]);
    const age = this.now() - Date.parse(quote.at);
    if (!(age <= limits.maxQuoteAgeMs)) throw new PreTradeError("quote age", `the ${request.symbol} quote is ${Math.round(age / 1000)} s old; the limit is ${limits.maxQuoteAgeMs / 1000} s`);
    const r: MarketRules = rules ?? { tickSize: 0, stepSize: 0, minQuantity: 0, minNotional: 0 };
    const quantity = floorTo(request.quantity, r.stepSize);
    if (!(quantity > 0) || quantity < r.minQuantity) throw new PreTradeError("quantity", `quantity ${request.quantity} is below the venue's minimum ${r.minQuantity || r.stepSize}`);
    const mid = Number.isFinite(quote.bid) && Number.isFinite(quote.ask) && quote.bid > 0 && quote.ask > 0 ? (quote.bid + quote.ask) / 2 : quote.price;
    if (!(Number.isFinite(mid) && mid > 0)) throw new PreTradeError("market", `no usable quote for ${request.symbol}`);
    const buy = request.side === "buy";
    let price: number;
    let sent: OrderRequest;
    if (request.limitPrice !== undefined) {
      price = r.tickSize > 0 ? (buy ? floorTo(request.limitPrice, r.tickSize) : ceilTo(request.limitPrice, r.tickSize)) : request.limitPrice;
      sent = { ...request, quantity, limitPrice: price };
    } else {
      const touch = buy ? quote.ask : quote.bid;
      if (!(Number.isFinite(touch) && touch > 0)) throw new PreTradeError("market", `no ${buy ? "asks" : "bids"} for ${request.symbol}, so a market order has no price`);
      // A market order may fill no worse than the collar: it goes out immediate-or-cancel at that price.
      const bound = mid * (buy ? 1 + limits.priceCollar : 1 - limits.priceCollar);
      price = r.tickSize > 0 ? (buy ? floorTo(bound, r.tickSize) : ceilTo(bound, r.tickSize)) : bound;
      if (buy ? price < touch : price > touch) throw new PreTradeError("price collar", `the best ${buy ? "ask" : "bid"} ${touch} is more than ${limits.priceCollar * 100}% from the market (${mid})`);
      sent = { ...request, quantity, protectPrice: price };
    }
    if (!(Math.abs(price - mid) / mid <= limits.priceCollar + 1e-12)) {
      throw new PreTradeError("price collar", `price ${price} is more than ${limits.priceCollar * 100}% from the market (${mid})`);
    }

    if (request.venue === "polymarket" && !/^\d+$/.test(request.symbol.trim())) {
      throw new PreTradeError("market", `live Polymarket orders name the outcome token id, not "${request.symbol}", so the position limit can find the position`);
    }
    const key = normalSymbol(request.venue, request.symbol);
    const positions = await account.getPositions(signal);
    const held = positions.filter((p) => normalSymbol(p.venue, p.symbol) === key).reduce((sum, p) => sum + p.quantity, 0) + (this.resting.get(key) ?? 0);
    const after = held + (buy ? quantity : -quantity);
    // On Kalshi selling YES beyond what is held opens a NO position, which costs 1 - price a contract.
    const shortCost = request.venue === "kalshi" ? 1 - price : price;
    const opening = buy ? 0 : Math.min(quantity, Math.max(0, quantity - Math.max(held, 0)));
    const value = (quantity - opening) * price + opening * shortCost;
    if (!(value <= limits.maxOrderValue + 1e-9)) throw new PreTradeError("order value", `order value ${value.toFixed(2)} exceeds the armed maximum ${limits.maxOrderValue}`);
    if (r.minNotional > 0 && value < r.minNotional) throw new PreTradeError("order value", `order value ${value.toFixed(2)} is below the venue's minimum ${r.minNotional}`);
    const positionValue = Math.abs(after) * (after < 0 ? shortCost : price);
    if (Math.abs(after) > Math.abs(held) && !(positionValue <= limits.maxPositionValue + 1e-9)) {
      throw new PreTradeError("position limit", `the position would be worth ${positionValue.toFixed(2)}; the armed limit is ${limits.maxPositionValue}`);
    }
    return sent;
  }

  private async checkAndPlace(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    const account = await this.accountFor(request.venue);
    const checked = await this.check(request, account, signal);
    let order: Order;
    try {
      // Not tied to the run's signal: a Stop while the order is in flight would leave its fate unknown.
      // The venue's request timeout bounds the wait instead.
      order = await account.placeOrder(checked);
    } catch (error) {
      if (!isVenueError(error) || !error.statusUnknown) throw error;
      order = await this.resolveUnknown(account, checked, error.message);
    }
    // What rests on the book counts towards the position limit of the orders after it.
    if (order.status === "open") {
      const key = normalSymbol(order.venue, order.symbol);
      const left = order.quantity - order.filledQuantity;
      this.resting.set(key, (this.resting.get(key) ?? 0) + (order.side === "buy" ? left : -left));
    }
    return order;
  }

  /**
   * Asks the venue what became of an order whose answer was lost, backing off between lookups. It never
   * resubmits: an order the venue cannot (yet) find fails its node as "status unknown".
   */
  private async resolveUnknown(account: VenueAccountClient, request: OrderRequest, why: string): Promise<Order> {
    const delays = this.options.lookupDelays ?? [500, 1_000, 2_000, 4_000];
    let last = "the venue did not know it";
    for (const delay of delays) {
      await sleep(delay);
      try {
        const found = await account.findOrder(request.symbol, request.clientOrderId);
        if (found) return found;
      } catch (error) {
        last = `the venue could not be asked: ${(error as Error).message}`;
      }
    }
    throw new Error(`order ${request.clientOrderId}: status unknown (${why}); after ${delays.length} lookups ${last}. It was not sent again: check the venue before running again.`);
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
