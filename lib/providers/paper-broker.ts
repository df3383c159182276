import type { Balance, Broker, MarketData, Order, OrderBook, OrderRequest, Position, Venue } from "./types";

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

const CURRENCY: Record<Venue, string> = { binance: "USDT", polymarket: "USDC", kalshi: "USD" };

function floorTo(value: number, step: number): number {
  return Number((Math.floor(value / step + 1e-9) * step).toFixed(8));
}

function round(value: number): number {
  return Number(value.toFixed(8));
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

  async placeOrder(request: OrderRequest, signal?: AbortSignal): Promise<Order> {
    const existing = Object.values(this.account.orders).find((o) => o.clientOrderId === request.clientOrderId);
    if (existing) return existing; // the same client order id is the same order: never placed twice
    const at = new Date(this.now()).toISOString();
    const base: Order = {
      id: `paper_${(++this.sequence).toString().padStart(6, "0")}_${request.clientOrderId}`,
      clientOrderId: request.clientOrderId,
      venue: request.venue,
      symbol: request.symbol,
      side: request.side,
      type: request.limitPrice === undefined ? "market" : "limit",
      quantity: floorTo(request.quantity, QUANTITY_STEP[request.venue]),
      filledQuantity: 0,
      limitPrice: request.limitPrice ?? null,
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
    if (!(base.quantity > 0)) return reject(`quantity ${request.quantity} is below the venue's minimum step ${QUANTITY_STEP[request.venue]}`);
    if (request.limitPrice !== undefined && !(request.limitPrice > 0)) return reject("limit price must be positive");

    const key = this.positionKey(request.venue, request.symbol);
    const held = this.account.positions[key]?.quantity ?? 0;
    if (request.side === "sell" && !isPerpetual(request.venue, request.symbol) && base.quantity > held + 1e-9) {
      return reject(`cannot sell ${base.quantity}: ${held} held (spot and prediction markets cannot go short; perpetuals, "<SYMBOL>-PERP", can)`);
    }

    const book: OrderBook = await this.market.getOrderBook({ venue: request.venue, symbol: request.symbol }, 50, signal);
    const levels = request.side === "buy" ? book.asks : book.bids;
    let left = base.quantity;
    let cost = 0;
    for (const [price, size] of levels) {
      if (left <= 1e-12) break;
      if (request.limitPrice !== undefined && (request.side === "buy" ? price > request.limitPrice : price < request.limitPrice)) break;
      const take = Math.min(left, size);
      cost += take * price;
      left -= take;
    }
    const filled = floorTo(base.quantity - left, QUANTITY_STEP[request.venue]);
    if (filled <= 0) {
      if (request.limitPrice !== undefined) {
        const order = { ...base, status: "open" as const };
        this.account.orders[order.id] = order;
        return order;
      }
      return reject(`no ${request.side === "buy" ? "asks" : "bids"} in the book to fill against`);
    }
    const averagePrice = cost / (base.quantity - left);
    const notional = filled * averagePrice;
    const fee = round(this.fees[request.venue].fee(filled, averagePrice));
    if (request.side === "buy" && notional + fee > this.account.balances[request.venue] + 1e-9) {
      return reject(`insufficient balance: needs ${round(notional + fee)} ${CURRENCY[request.venue]}, ${round(this.account.balances[request.venue])} available`);
    }

    const position = this.account.positions[key] ?? { venue: request.venue, symbol: request.symbol, quantity: 0, averagePrice: 0, realizedPnl: 0 };
    // Signed accounting: a trade in the position's direction averages in; against it, it realises profit
    // on the part it closes (and a perpetual may flip to the other side at the fill price).
    const delta = request.side === "buy" ? filled : -filled;
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
    this.account.realizedToday[request.venue] = round(this.account.realizedToday[request.venue] + pnl);
    this.account.balances[request.venue] = round(this.account.balances[request.venue] + (request.side === "buy" ? -notional : notional) - fee);
    this.account.positions[key] = position;

    const remainderOpen = request.limitPrice !== undefined && filled < base.quantity;
    const order: Order = {
      ...base,
      filledQuantity: filled,
      averagePrice: round(averagePrice),
      fee,
      status: remainderOpen ? "open" : "filled",
      ...(filled < base.quantity && !remainderOpen ? { reason: `book depth filled ${filled} of ${base.quantity}; the rest was cancelled` } : {}),
    };
    this.account.orders[order.id] = order;
    return order;
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
    let unrealized = 0;
    for (const p of await this.getPositions(venue)) {
      const quote = await this.market.getQuote({ venue, symbol: p.symbol }, signal);
      unrealized += (quote.price - p.averagePrice) * p.quantity;
    }
    return round(this.account.realizedToday[venue] + unrealized);
  }
}
