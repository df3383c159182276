import type { Bars, Trade } from "./types";

/**
 * The backtest's account and fill model, synchronous and shared by both engine paths (the executor per bar
 * and the compiled step), so the two give the same fills by construction.
 *
 * Guarantees:
 * - An order decided on bar t never fills on bar t's range: market orders fill at bar t+1's open (or at
 *   bar t's close when `fill` is "close"); limit orders from bar t+1 on, at their price, or at the open
 *   when the bar opens through it.
 * - A trade's stop and target are checked on each later bar's range; when one bar reaches both, the stop wins.
 * - A fill that would close a position and open the other way closes first (FIFO over open trades), then
 *   opens with what is left, at the same price.
 * - A long-only market never goes short: a sell is cut to the quantity held.
 */

export type Side = "buy" | "sell";

/** How an order's size is given; anything but a quantity is converted at the fill price. */
export type Sizing =
  | { unit: "quantity"; value: number }
  | { unit: "quote"; value: number }
  | { unit: "percent_equity"; value: number }
  /** Bring the position to `value` percent of equity (negative: short), closing an opposite one first. */
  | { unit: "target_percent"; value: number };

export interface MarketSpec {
  /** `venue:symbol`. */
  key: string;
  bars: Bars;
  /** Commission for a fill of `quantity` at `price`. */
  fee: (quantity: number, price: number) => number;
  allowShort: boolean;
  /** Quantity increment (0: any). */
  stepSize: number;
  /** Funding payments of a perpetual: times (ms) and rates, oldest first. */
  funding?: { time: Float64Array; rate: Float64Array };
}

export interface AccountSettings {
  cash: number;
  slippageBps: number;
  fill: "next_open" | "close";
  /** Attached to every entry: exit when the price moves this percent against / for the trade. */
  stopLossPct?: number | null;
  takeProfitPct?: number | null;
}

export interface PendingOrder {
  id: number;
  market: number;
  side: Side;
  sizing: Sizing;
  /** null: a market order. */
  limitPrice: number | null;
  /** Whole units or the market's step when converting a sizing to a quantity. */
  rounding: "whole" | "step";
  placedBar: number;
  clientOrderId: string;
}

export type OrderState = "open" | "filled" | "cancelled" | "rejected";

export interface OrderRecord {
  id: number;
  clientOrderId: string;
  market: number;
  side: Side;
  kind: "market" | "limit" | "target";
  /** Requested quantity, known once converted (at the fill for a sizing in quote, percent or target). */
  quantity: number;
  filledQuantity: number;
  limitPrice: number | null;
  averagePrice: number | null;
  fee: number;
  state: OrderState;
  reason?: string;
  placedBar: number;
  filledBar: number | null;
}

interface OpenTrade {
  size: number;
  entryBar: number;
  entryPrice: number;
  entryTime: number;
  /** Commission paid on entry, for the whole of `size`. */
  entryFee: number;
  stop: number | null;
  target: number | null;
}

const EPS = 1e-12;

function floorStep(value: number, step: number): number {
  if (!(step > 0)) return value;
  return Math.floor(value / step + 1e-9) * step;
}

export class BacktestAccount {
  cash: number;
  commissions = 0;
  readonly positions: Float64Array;
  readonly trades: Trade[] = [];
  readonly orders: OrderRecord[] = [];
  private readonly open: OpenTrade[][];
  private pending: PendingOrder[] = [];
  private sequence = 0;
  private readonly fundingCursor: Int32Array;
  /** Realised P&L (after fees and funding) of the UTC day `day`. */
  realizedToday = 0;
  private day = -1;
  /** True while beginBar fills orders within bar t, before its close is known. */
  private inBar = false;

  constructor(
    readonly markets: readonly MarketSpec[],
    readonly settings: AccountSettings,
  ) {
    this.cash = settings.cash;
    this.positions = new Float64Array(markets.length);
    this.open = markets.map(() => []);
    this.fundingCursor = new Int32Array(markets.length);
  }

  /** Equity at bar t's close: cash plus every position at its market's close. */
  equityAt(t: number): number {
    let e = this.cash;
    for (let m = 0; m < this.markets.length; m++) {
      const q = this.positions[m]!;
      if (q !== 0) e += q * this.markets[m]!.bars.close[t]!;
    }
    return e;
  }

  /**
   * Equity at a given price of one market, the others at bar t's open while bar t's opening fills are
   * processed (its close is not known yet), at its close afterwards.
   */
  private equityWith(m: number, price: number, t: number): number {
    let e = this.cash;
    for (let k = 0; k < this.markets.length; k++) {
      const q = this.positions[k]!;
      if (q !== 0) e += q * (k === m ? price : (this.inBar ? this.markets[k]!.bars.open : this.markets[k]!.bars.close)[t]!);
    }
    return e;
  }

  openTradeCount(): number {
    let n = 0;
    for (const list of this.open) n += list.length;
    return n;
  }

  /** Places an order decided on bar t. With fill "close", a market order fills now at bar t's close. */
  place(order: Omit<PendingOrder, "id">, t: number): OrderRecord {
    const id = ++this.sequence;
    const record: OrderRecord = {
      id,
      clientOrderId: order.clientOrderId,
      market: order.market,
      side: order.side,
      kind: order.sizing.unit === "target_percent" ? "target" : order.limitPrice === null ? "market" : "limit",
      quantity: order.sizing.unit === "quantity" ? order.sizing.value : 0,
      filledQuantity: 0,
      limitPrice: order.limitPrice,
      averagePrice: null,
      fee: 0,
      state: "open",
      placedBar: t,
      filledBar: null,
    };
    this.orders.push(record);
    const full: PendingOrder = { ...order, id };
    if (!(order.sizing.value > 0) && order.sizing.unit !== "target_percent") {
      record.state = "rejected";
      record.reason = "size must be positive";
      return record;
    }
    if (order.limitPrice !== null && !(order.limitPrice > 0)) {
      record.state = "rejected";
      record.reason = "limit price must be positive";
      return record;
    }
    if (this.settings.fill === "close" && order.limitPrice === null) {
      this.execute(full, record, this.markets[order.market]!.bars.close[t]!, t);
      return record;
    }
    this.pending.push(full);
    return record;
  }

  /** Cancels an open order; false when it is not open. */
  cancel(id: number): boolean {
    const i = this.pending.findIndex((p) => p.id === id);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    const record = this.orders[id - 1]!;
    record.state = "cancelled";
    return true;
  }

  /**
   * Processes bar t before the strategy decides on it: funding due since the previous bar, market orders
   * at its open, then resting limit orders, stops and targets against its range.
   */
  beginBar(t: number): void {
    this.rollDay(t);
    this.payFunding(t);
    if (this.pending.length > 0) {
      this.inBar = true;
      const still: PendingOrder[] = [];
      // Market orders first, in the order they were placed; then limits.
      for (const p of this.pending) {
        if (p.limitPrice !== null || p.placedBar >= t) continue;
        this.execute(p, this.orders[p.id - 1]!, this.markets[p.market]!.bars.open[t]!, t);
      }
      for (const p of this.pending) {
        if (p.limitPrice === null) {
          if (p.placedBar >= t) still.push(p);
          continue;
        }
        if (p.placedBar >= t) {
          still.push(p);
          continue;
        }
        const bars = this.markets[p.market]!.bars;
        const open = bars.open[t]!;
        const reached = p.side === "buy" ? bars.low[t]! <= p.limitPrice : bars.high[t]! >= p.limitPrice;
        if (!reached) {
          still.push(p);
          continue;
        }
        const price = p.side === "buy" ? Math.min(open, p.limitPrice) : Math.max(open, p.limitPrice);
        this.execute(p, this.orders[p.id - 1]!, price, t, true);
      }
      this.pending = still;
      this.inBar = false;
    }
    this.checkBrackets(t);
  }

  /** Closes every open trade at bar t's open, or its close (end of data) and cancels what has not filled. */
  closeAll(t: number, at: "open" | "close" = "open"): void {
    for (const p of this.pending) {
      const r = this.orders[p.id - 1]!;
      r.state = "cancelled";
      r.reason = "end of data";
    }
    this.pending = [];
    for (let m = 0; m < this.markets.length; m++) {
      const q = this.positions[m]!;
      if (Math.abs(q) > EPS) this.fill(m, q > 0 ? "sell" : "buy", Math.abs(q), (at === "open" ? this.markets[m]!.bars.open : this.markets[m]!.bars.close)[t]!, t, false);
    }
  }

  private rollDay(t: number): void {
    const day = Math.floor(this.markets[0]!.bars.time[t]! / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.realizedToday = 0;
    }
  }

  /** Funding at each funding time in (previous bar's open, this bar's open]: longs pay a positive rate. */
  private payFunding(t: number): void {
    for (let m = 0; m < this.markets.length; m++) {
      const f = this.markets[m]!.funding;
      if (!f) continue;
      const now = this.markets[m]!.bars.time[t]!;
      let k = this.fundingCursor[m]!;
      while (k < f.time.length && f.time[k]! <= now) {
        const q = this.positions[m]!;
        if (q !== 0 && t > 0) {
          const payment = q * this.markets[m]!.bars.open[t]! * f.rate[k]!;
          this.cash -= payment;
          this.realizedToday -= payment;
        }
        k++;
      }
      this.fundingCursor[m] = k;
    }
  }

  private checkBrackets(t: number): void {
    for (let m = 0; m < this.markets.length; m++) {
      const list = this.open[m]!;
      if (list.length === 0) continue;
      const bars = this.markets[m]!.bars;
      const open = bars.open[t]!;
      const high = bars.high[t]!;
      const low = bars.low[t]!;
      for (let i = 0; i < list.length; i++) {
        const tr = list[i]!;
        if (tr.entryBar >= t) continue;
        const long = tr.size > 0;
        const stopHit = tr.stop !== null && (long ? low <= tr.stop : high >= tr.stop);
        const targetHit = tr.target !== null && (long ? high >= tr.target : low <= tr.target);
        if (!stopHit && !targetHit) continue;
        // The stop wins when the bar reached both; a bar that opens beyond the level fills at its open.
        const level = stopHit ? tr.stop! : tr.target!;
        const price = stopHit ? (long ? Math.min(open, level) : Math.max(open, level)) : long ? Math.max(open, level) : Math.min(open, level);
        this.closeTrade(m, i, price, t);
        i--;
      }
    }
  }

  /** Turns an order's sizing into a signed quantity change at `price`, or a reason it cannot trade. */
  private quantityOf(p: PendingOrder, price: number, t: number, buyPrice: number, sellPrice: number): number | string {
    const market = this.markets[p.market]!;
    const step = p.rounding === "whole" ? 1 : market.stepSize;
    const sign = p.side === "buy" ? 1 : -1;
    const unitCost = price + market.fee(1, price);
    switch (p.sizing.unit) {
      case "quantity":
        return sign * floorStep(p.sizing.value, market.stepSize);
      case "quote":
        return sign * floorStep(p.sizing.value / unitCost, step);
      case "percent_equity":
        return sign * floorStep((this.equityWith(p.market, price, t) * p.sizing.value) / 100 / unitCost, step);
      case "target_percent": {
        const held = this.positions[p.market]!;
        const pct = p.sizing.value;
        // An opposite position is closed first; the target is sized on the equity after that close.
        if (held !== 0 && Math.sign(held) !== Math.sign(pct)) {
          this.fill(p.market, held > 0 ? "sell" : "buy", Math.abs(held), held > 0 ? sellPrice : buyPrice, t, false);
        }
        const now = this.positions[p.market]!;
        const at = pct >= 0 ? buyPrice : sellPrice;
        const wanted = Math.sign(pct) * floorStep((this.equityWith(p.market, at, t) * Math.abs(pct)) / 100 / (at + market.fee(1, at)), step);
        return wanted - now;
      }
      default: {
        const never: never = p.sizing;
        return never;
      }
    }
  }

  private execute(p: PendingOrder, record: OrderRecord, rawPrice: number, t: number, isLimit = false): void {
    const slip = this.settings.slippageBps / 10_000;
    const side0 = p.side;
    // Slippage moves a market fill against the trader; a limit fill is at its price.
    const buyPrice = isLimit ? rawPrice : rawPrice * (1 + slip);
    const sellPrice = isLimit ? rawPrice : rawPrice * (1 - slip);
    const sizedAt = side0 === "buy" ? buyPrice : sellPrice;
    const feesBefore = this.commissions;
    const heldBefore = this.positions[p.market]!;
    const delta = this.quantityOf(p, sizedAt, t, buyPrice, sellPrice);
    const closedFirst = Math.abs(heldBefore - this.positions[p.market]!);
    if (typeof delta === "string") {
      record.state = "rejected";
      record.reason = delta;
      return;
    }
    if (Math.abs(delta) <= EPS) {
      if (p.sizing.unit === "target_percent") {
        record.state = "filled";
        record.filledQuantity = record.quantity = closedFirst;
        record.averagePrice = closedFirst > 0 ? (heldBefore > 0 ? sellPrice : buyPrice) : null;
        record.fee = this.commissions - feesBefore;
      } else {
        record.state = "rejected";
        record.reason = "size rounds to zero at the fill price";
      }
      record.filledBar = t;
      return;
    }
    const side: Side = delta > 0 ? "buy" : "sell";
    const price = side === "buy" ? buyPrice : sellPrice;
    let quantity = Math.abs(delta);
    const market = this.markets[p.market]!;
    const held = this.positions[p.market]!;
    if (side === "sell" && !market.allowShort && quantity > held + 1e-9) {
      if (held <= EPS) {
        record.state = "rejected";
        record.reason = "cannot sell short on this market";
        return;
      }
      quantity = held;
    }
    if (side === "sell" && market.allowShort && held - quantity < -EPS) {
      // A short is held against equity one to one.
      const short = (quantity - Math.max(0, held)) * price;
      if (short + Math.max(0, -held) * price > this.equityWith(p.market, price, t) + 1e-9) {
        record.state = "rejected";
        record.reason = `insufficient margin: a short of ${short.toFixed(2)} exceeds the equity`;
        return;
      }
    }
    if (side === "buy" && held >= -EPS) {
      // Opening or adding to a long is paid from cash.
      const cost = quantity * price + market.fee(quantity, price);
      if (cost > this.cash + 1e-9) {
        record.state = "rejected";
        record.reason = `insufficient cash: needs ${cost.toFixed(2)}, ${this.cash.toFixed(2)} available`;
        return;
      }
    }
    this.fill(p.market, side, quantity, price, t, true);
    record.quantity = record.quantity || quantity + closedFirst;
    record.filledQuantity = quantity + closedFirst;
    record.averagePrice = price;
    record.fee = this.commissions - feesBefore;
    record.state = "filled";
    record.filledBar = t;
  }

  /** Books a fill: closes opposite trades FIFO, opens a trade with the rest. Returns the fee. */
  private fill(m: number, side: Side, quantity: number, price: number, t: number, brackets: boolean): number {
    const market = this.markets[m]!;
    const fee = market.fee(quantity, price);
    const signed = side === "buy" ? quantity : -quantity;
    this.cash -= signed * price;
    this.commissions += fee;
    this.cash -= fee;
    this.realizedToday -= fee;
    let left = quantity;
    const list = this.open[m]!;
    // The fee is shared between the part that closes and the part that opens, by quantity.
    while (left > EPS && list.length > 0 && Math.sign(list[0]!.size) !== Math.sign(signed)) {
      const tr = list[0]!;
      const size = Math.abs(tr.size);
      const take = Math.min(size, left);
      this.closePart(m, 0, take, price, t, (fee * take) / quantity);
      left -= take;
    }
    this.positions[m] = this.positions[m]! + signed;
    if (Math.abs(this.positions[m]!) < 1e-10) this.positions[m] = 0;
    if (left > EPS) {
      const size = side === "buy" ? left : -left;
      const sl = brackets ? this.settings.stopLossPct : null;
      const tp = brackets ? this.settings.takeProfitPct : null;
      list.push({
        size,
        entryBar: t,
        entryPrice: price,
        entryTime: market.bars.time[t]!,
        entryFee: (fee * left) / quantity,
        stop: sl ? (size > 0 ? price * (1 - sl / 100) : price * (1 + sl / 100)) : null,
        target: tp ? (size > 0 ? price * (1 + tp / 100) : price * (1 - tp / 100)) : null,
      });
    }
    return fee;
  }

  /** Closes the whole of open trade i at `price` by an opposite fill (stop, target). */
  private closeTrade(m: number, i: number, price: number, t: number): void {
    const tr = this.open[m]![i]!;
    const quantity = Math.abs(tr.size);
    const market = this.markets[m]!;
    const fee = market.fee(quantity, price);
    this.cash += tr.size * price - fee;
    this.commissions += fee;
    this.realizedToday -= fee;
    this.positions[m] = this.positions[m]! - tr.size;
    if (Math.abs(this.positions[m]!) < 1e-10) this.positions[m] = 0;
    this.closePart(m, i, quantity, price, t, fee);
  }

  /** Records the close of `take` units of open trade i; `exitFee` is the fee of that part. */
  private closePart(m: number, i: number, take: number, price: number, t: number, exitFee: number): void {
    const list = this.open[m]!;
    const tr = list[i]!;
    const size = Math.abs(tr.size);
    const sign = Math.sign(tr.size);
    const entryFee = (tr.entryFee * take) / size;
    const gross = sign * take * (price - tr.entryPrice);
    const pnl = gross - entryFee - exitFee;
    this.realizedToday += gross;
    this.trades.push({
      size: sign * take,
      entry_bar: tr.entryBar,
      exit_bar: t,
      entry_price: tr.entryPrice,
      exit_price: price,
      entry_time: tr.entryTime,
      exit_time: this.markets[m]!.bars.time[t]!,
      pnl,
      return_pct: sign * (price / tr.entryPrice - 1) - (entryFee + exitFee) / (take * tr.entryPrice),
      commission: entryFee + exitFee,
      market: this.markets[m]!.key,
    });
    if (take >= size - EPS) list.splice(i, 1);
    else {
      tr.size = sign * (size - take);
      tr.entryFee -= entryFee;
    }
  }

  /** The open trades' average entry price of market m (0 when flat). */
  averagePrice(m: number): number {
    const list = this.open[m]!;
    let q = 0;
    let v = 0;
    for (const tr of list) {
      q += Math.abs(tr.size);
      v += Math.abs(tr.size) * tr.entryPrice;
    }
    return q > 0 ? v / q : 0;
  }

  /** Orders waiting to fill (market orders for the next open, resting limits). */
  pendingOrders(): readonly PendingOrder[] {
    return this.pending;
  }
}
