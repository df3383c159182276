import type { Balance, Broker, Order, OrderRequest, Position, Venue } from "../providers/types";
import type { BacktestAccount, OrderRecord, Sizing } from "./account";
import type { ReplayMarket } from "./replay-market";

/**
 * The Broker the graph's order nodes see in a backtest: it hands orders to the backtest account, which
 * fills them on later bars. Before the warm-up ends no order is placed (each is reported rejected).
 */
export class BacktestBroker implements Broker {
  readonly kind = "backtest";
  readonly sizesAtFill = true;
  /** False during the warm-up. */
  trading = false;
  private readonly byClientId = new Map<string, OrderRecord>();

  constructor(
    private readonly account: BacktestAccount,
    private readonly market: ReplayMarket,
    private readonly currency = "USD",
  ) {}

  private toOrder(r: OrderRecord, request: { venue: Venue; symbol: string }): Order {
    return {
      id: `bt_${r.id}`,
      clientOrderId: r.clientOrderId,
      venue: request.venue,
      symbol: request.symbol,
      side: r.side,
      type: r.limitPrice === null ? "market" : "limit",
      quantity: r.quantity,
      filledQuantity: r.filledQuantity,
      limitPrice: r.limitPrice,
      averagePrice: r.averagePrice,
      fee: r.fee,
      status: r.state,
      ...(r.reason ? { reason: r.reason } : {}),
      broker: this.kind,
      at: new Date(this.account.markets[r.market]!.bars.time[r.placedBar]!).toISOString(),
    };
  }

  async placeOrder(request: OrderRequest): Promise<Order> {
    const t = this.market.bar;
    if (!this.trading) {
      return {
        id: `bt_warmup_${t}`,
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
        reason: "warm-up: the strategy's indicators do not all have a value yet",
        broker: this.kind,
        at: new Date(this.account.markets[0]!.bars.time[t]!).toISOString(),
      };
    }
    const m = this.market.indexOf(request);
    const sizing: Sizing = request.sizing ? { unit: request.sizing.unit, value: request.sizing.value } : { unit: "quantity", value: request.quantity };
    const record = this.account.place(
      {
        market: m,
        side: request.side,
        sizing,
        limitPrice: request.limitPrice ?? null,
        rounding: request.sizing?.rounding ?? "step",
        placedBar: t,
        clientOrderId: request.clientOrderId,
      },
      t,
    );
    this.byClientId.set(`bt_${record.id}`, record);
    return this.toOrder(record, request);
  }

  async cancelOrder(venue: Venue, orderId: string, _signal?: AbortSignal, symbol?: string): Promise<Order> {
    const record = this.byClientId.get(orderId);
    if (!record) throw new Error(`no backtest order "${orderId}"`);
    if (!this.account.cancel(record.id)) throw new Error(`order "${orderId}" is ${record.state}, so it cannot be cancelled`);
    return this.toOrder(record, { venue, symbol: symbol ?? "" });
  }

  async getBalance(venue: Venue): Promise<Balance> {
    return { venue, currency: this.currency, available: this.account.cash };
  }

  async getPositions(venue: Venue): Promise<Position[]> {
    const out: Position[] = [];
    const markets = this.account.markets;
    for (let m = 0; m < markets.length; m++) {
      const q = this.account.positions[m]!;
      if (q === 0) continue;
      const [v, ...rest] = markets[m]!.key.split(":");
      if (v !== venue) continue;
      out.push({ venue, symbol: rest.join(":"), quantity: q, averagePrice: this.account.averagePrice(m) });
    }
    return out;
  }

  async getDailyPnl(): Promise<number> {
    const t = this.market.bar;
    let unrealized = 0;
    for (let m = 0; m < this.account.markets.length; m++) {
      const q = this.account.positions[m]!;
      if (q !== 0) unrealized += q * (this.account.markets[m]!.bars.close[t]! - this.account.averagePrice(m));
    }
    return this.account.realizedToday + unrealized;
  }
}
