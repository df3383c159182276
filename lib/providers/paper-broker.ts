import type { Balance, Broker, MarketData, MarketRules, Order, OrderBook, OrderRequest, Position, Venue } from "./types";
import { ceilTo, floorTo } from "./steps";

/**
 * Paper trading: orders fill against the market's order book (walking its levels, so size moves the
 * price), pay the venue's fee, and change an in-memory account. No order ever reaches a venue.
 */

export interface FeeModel {
  /** Fee for a fill of `quantity` at `price`, in the quote currency. */
  fee(quantity: number, price: number): number;
}

export const VENUE_FEES: Record<Venue, FeeModel> = {
  // Binance spot's default taker rate, 0.1% of notional.
  binance: { fee: (q, p) => q * p * 0.001 },
  // Most Polymarket markets charge no trading fee.
  polymarket: { fee: () => 0 },
  // Kalshi's published schedule: 0.07 x contracts x P x (1 - P), rounded up to the cent.
  kalshi: { fee: (q, p) => Math.ceil(0.07 * q * p * (1 - p) * 100 - 1e-9) / 100 },
};

/** Smallest tradable quantity step per venue: whole contracts on Kalshi, cents of a share on Polymarket. */
export const QUANTITY_STEP: Record<Venue, number> = { binance: 0.00001, polymarket: 0.01, kalshi: 1 };

export interface PaperAccountState {
  balances: Record<Venue, number>;
  positions: Record<string, Position & { realizedPnl: number }>;
  realizedToday: Record<Venue, number>;
  orders: Record<string, Order>;
  /** UTC day (YYYY-MM-DD) that realizedToday counts. */
  day?: string;
}

export function newPaperAccount(startingBalance = 10_000): PaperAccountState {
  return {
    balances: { binance: startingBalance, polymarket: startingBalance, kalshi: startingBalance },
    positions: {},
    realizedToday: { binance: 0, polymarket: 0, kalshi: 0 },
    orders: {},
  };
}

/** Binance USD-M perpetuals are named "<SYMBOL>-PERP" here; unlike spot they can be sold short. */
export function isPerpetual(venue: Venue, symbol: string): boolean {
  return venue === "binance" && symbol.toUpperCase().endsWith("-PERP");
}

export const CURRENCY: Record<Venue, string> = { binance: "USDT", polymarket: "USDC", kalshi: "USD" };

function round(value: number): number {
  return Number(value.toFixed(8));
}

/** Takes liquidity from book levels (best first) up to `quantity`, stopping at the limit price. */
function walkBook(levels: [number, number][], quantity: number, side: OrderRequest["side"], limitPrice: number | undefined, step: number): { filled: number; averagePrice: number | null } {
  let left = quantity;
  let cost = 0;
  for (const [price, size] of levels) {
    if (left <= 1e-12) break;
    if (limitPrice !== undefined && (side === "buy" ? price > limitPrice + 1e-12 : price < limitPrice - 1e-12)) break;
    const take = Math.min(left, size);
    cost += take * price;
    left -= take;
  }
  const taken = quantity - left;
  const filled = floorTo(taken, step);
  return { filled, averagePrice: taken > 0 ? cost / taken : null };
}

export interface PaperBrokerOptions {
  account?: PaperAccountState;
  fees?: Partial<Record<Venue, FeeModel>>;
  /** The broker's clock (ms); defaults to Date.now. */
  now?: () => number;
}

export class PaperBroker implements Broker {
  readonly kind = "paper";
  readonly account: PaperAccountState;
  private readonly market: MarketData;
  private readonly fees: Record<Venue, FeeModel>;
  private readonly now: () => number;
  private sequence = 0;

  constructor(market: MarketData, options: PaperBrokerOptions = {}) {
    this.market = market;
    this.account = options.account ?? newPaperAccount();
    this.fees = { ...VENUE_FEES, ...options.fees };
    this.now = options.now ?? Date.now;
  }

  private positionKey(venue: Venue, symbol: string): string {
    return `${venue}:${symbol}`;
  }

  /** The venue's rules for a market when the market source knows them (live venues), else our defaults. */
  private async rulesOf(venue: Venue, symbol: string, signal?: AbortSignal): Promise<MarketRules> {
    const fallback: MarketRules = { tickSize: 0, stepSize: QUANTITY_STEP[venue], minQuantity: QUANTITY_STEP[venue], minNotional: 0 };
    const rules = await this.market.getRules?.({ venue, symbol }, signal);
    return rules ? { ...fallback, ...rules } : fallback;
  }

  /** Realised P&L counts from the start of the UTC day; a new day starts it again. */
  private rollDay(): void {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    if (this.account.day === undefined) this.account.day = day;
    else if (this.account.day !== day) {
      this.account.day = day;
      this.account.realizedToday = { binance: 0, polymarket: 0, kalshi: 0 };
    }
  }

  async placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    const existing = Object.values(this.account.orders).find((o) => o.clientOrderId === request.clientOrderId);
    if (existing) return existing; // the same client order id is the same order: never placed twice
    this.rollDay();
    const rules = await this.rulesOf(request.venue, request.symbol, signal);
    const at = new Date(this.now()).toISOString();
    // Limit prices go to the venue's tick, never in the trader's disfavour: buys down, sells up.
    const limitPrice =
      request.limitPrice === undefined ? undefined : rules.tickSize > 0 ? (request.side === "buy" ? floorTo(request.limitPrice, rules.tickSize) : ceilTo(request.limitPrice, rules.tickSize)) : request.limitPrice;
    const base: Order = {
      id: `paper_${(++this.sequence).toString().padStart(6, "0")}_${request.clientOrderId}`,
      clientOrderId: request.clientOrderId,
      venue: request.venue,
      symbol: request.symbol,
      side: request.side,
      type: limitPrice === undefined ? "market" : "limit",
      quantity: floorTo(request.quantity, rules.stepSize),
      filledQuantity: 0,
      limitPrice: limitPrice ?? null,
      averagePrice: null,
      fee: 0,
      status: "rejected",
      broker: this.kind,
      at,
    };
    const reject = (reason: string): Order => {
      const order = { ...base, status: "rejected" as const, reason };
      this.account.orders[order.id] = order;
      return order;
    };
    if (!(base.quantity > 0) || base.quantity < rules.minQuantity - 1e-12) {
      return reject(`quantity ${request.quantity} is below the venue's minimum step ${Math.max(rules.minQuantity, rules.stepSize)}`);
    }
    if (limitPrice !== undefined && !(limitPrice > 0)) return reject("limit price must be positive");

    const key = this.positionKey(request.venue, request.symbol);
    const held = this.account.positions[key]?.quantity ?? 0;
    if (request.side === "sell" && !isPerpetual(request.venue, request.symbol) && base.quantity > held + 1e-9) {
      return reject(`cannot sell ${base.quantity}: ${held} held (spot and prediction markets cannot go short; perpetuals, "<SYMBOL>-PERP", can)`);
    }

    const book: OrderBook = await this.market.getOrderBook({ venue: request.venue, symbol: request.symbol }, 50, signal);
    const walk = walkBook(request.side === "buy" ? book.asks : book.bids, base.quantity, request.side, limitPrice, rules.stepSize);
    if (rules.minNotional > 0) {
      const reference = walk.averagePrice ?? limitPrice ?? (request.side === "buy" ? book.asks[0]?.[0] : book.bids[0]?.[0]) ?? 0;
      if (base.quantity * reference < rules.minNotional - 1e-9) return reject(`order value ${round(base.quantity * reference)} is below the venue's minimum ${rules.minNotional}`);
    }
    if (walk.filled <= 0) {
      if (limitPrice !== undefined) {
        const order = { ...base, status: "open" as const };
        this.account.orders[order.id] = order;
        return order;
      }
      return reject(`no ${request.side === "buy" ? "asks" : "bids"} in the book to fill against`);
    }
    const failure = this.applyFill(request.venue, request.symbol, request.side, walk.filled, walk.averagePrice!);
    if (typeof failure === "string") return reject(failure);

    const remainderOpen = limitPrice !== undefined && walk.filled < base.quantity;
    const order: Order = {
      ...base,
      filledQuantity: walk.filled,
      averagePrice: round(walk.averagePrice!),
      fee: failure.fee,
      status: remainderOpen ? "open" : "filled",
      ...(walk.filled < base.quantity && !remainderOpen ? { reason: `book depth filled ${walk.filled} of ${base.quantity}; the rest was cancelled` } : {}),
    };
    this.account.orders[order.id] = order;
    return order;
  }

  /** Books a fill into balances and positions; a string when the account cannot pay for it. */
  private applyFill(venue: Venue, symbol: string, side: OrderRequest["side"], filled: number, averagePrice: number): { fee: number } | string {
    const notional = filled * averagePrice;
    const fee = round(this.fees[venue].fee(filled, averagePrice));
    if (side === "buy" && notional + fee > this.account.balances[venue] + 1e-9) {
      return `insufficient balance: needs ${round(notional + fee)} ${CURRENCY[venue]}, ${round(this.account.balances[venue])} available`;
    }
    const key = this.positionKey(venue, symbol);
    const position = this.account.positions[key] ?? { venue, symbol, quantity: 0, averagePrice: 0, realizedPnl: 0 };
    // Signed accounting: a trade in the position's direction averages in; against it, it realises profit
    // on the part it closes (and a perpetual may flip to the other side at the fill price).
    const delta = side === "buy" ? filled : -filled;
    const q = position.quantity;
    let pnl = -fee;
    if (q === 0 || Math.sign(q) === Math.sign(delta)) {
      position.averagePrice = round((position.averagePrice * Math.abs(q) + averagePrice * filled) / (Math.abs(q) + filled));
    } else {
      const closing = Math.min(filled, Math.abs(q));
      pnl += (averagePrice - position.averagePrice) * closing * Math.sign(q);
      if (filled > Math.abs(q)) position.averagePrice = round(averagePrice);
    }
    position.quantity = round(q + delta);
    if (Math.abs(position.quantity) < 1e-12) position.averagePrice = 0;
    position.realizedPnl = round(position.realizedPnl + pnl);
    this.account.realizedToday[venue] = round(this.account.realizedToday[venue] + pnl);
    this.account.balances[venue] = round(this.account.balances[venue] + (side === "buy" ? -notional : notional) - fee);
    this.account.positions[key] = position;
    return { fee };
  }

  /**
   * Resting limit orders fill when the market comes to them: each open order is walked against the
   * current book (run at the start of a paper run, so an account's orders keep working between runs).
   * Returns the orders that changed.
   */
  async fillOpenOrders(signal?: AbortSignal): Promise<Order[]> {
    this.rollDay();
    const changed: Order[] = [];
    for (const order of Object.values(this.account.orders)) {
      if (order.status !== "open" || order.limitPrice === null) continue;
      const rules = await this.rulesOf(order.venue, order.symbol, signal);
      const book = await this.market.getOrderBook({ venue: order.venue, symbol: order.symbol }, 50, signal);
      const left = round(order.quantity - order.filledQuantity);
      if (order.side === "sell" && !isPerpetual(order.venue, order.symbol)) {
        const held = this.account.positions[this.positionKey(order.venue, order.symbol)]?.quantity ?? 0;
        if (held + 1e-9 < left) continue;
      }
      const walk = walkBook(order.side === "buy" ? book.asks : book.bids, left, order.side, order.limitPrice, rules.stepSize);
      if (walk.filled <= 0) continue;
      const result = this.applyFill(order.venue, order.symbol, order.side, walk.filled, walk.averagePrice!);
      if (typeof result === "string") continue;
      const filledQuantity = round(order.filledQuantity + walk.filled);
      const averagePrice = round(((order.averagePrice ?? 0) * order.filledQuantity + walk.averagePrice! * walk.filled) / filledQuantity);
      const updated: Order = { ...order, filledQuantity, averagePrice, fee: round(order.fee + result.fee), status: filledQuantity + 1e-12 >= order.quantity ? "filled" : "open" };
      this.account.orders[order.id] = updated;
      changed.push(updated);
    }
    return changed;
  }

  /** Keeps the account's order history to the newest `max` orders (open orders are always kept). */
  compactOrders(max = 200): void {
    const orders = Object.values(this.account.orders);
    if (orders.length <= max) return;
    const closed = orders.filter((o) => o.status !== "open").sort((a, b) => a.at.localeCompare(b.at));
    for (const o of closed.slice(0, orders.length - max)) delete this.account.orders[o.id];
  }

  async cancelOrder(venue: Venue, orderId: string): Promise<Order> {
    const order = this.account.orders[orderId];
    if (!order || order.venue !== venue) throw new Error(`no paper order "${orderId}" on ${venue}`);
    if (order.status !== "open") throw new Error(`order "${orderId}" is ${order.status}, so it cannot be cancelled`);
    const cancelled = { ...order, status: "cancelled" as const };
    this.account.orders[orderId] = cancelled;
    return cancelled;
  }

  async getBalance(venue: Venue): Promise<Balance> {
    return { venue, currency: CURRENCY[venue], available: this.account.balances[venue] };
  }

  async getPositions(venue: Venue): Promise<Position[]> {
    return Object.values(this.account.positions)
      .filter((p) => p.venue === venue && Math.abs(p.quantity) > 1e-12)
      .map(({ venue: v, symbol, quantity, averagePrice }) => ({ venue: v, symbol, quantity, averagePrice }));
  }

  async getDailyPnl(venue: Venue, signal?: AbortSignal): Promise<number> {
    this.rollDay();
    let unrealized = 0;
    for (const p of await this.getPositions(venue)) {
      const quote = await this.market.getQuote({ venue, symbol: p.symbol }, signal);
      unrealized += (quote.price - p.averagePrice) * p.quantity;
    }
    return round(this.account.realizedToday[venue] + unrealized);
  }
}
