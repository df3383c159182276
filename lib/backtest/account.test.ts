import { describe, expect, it } from "vitest";
import { HOUR, T0, hourlyBars, type Row } from "@/test/bars";
import { BacktestAccount, type AccountSettings, type MarketSpec, type Side, type Sizing } from "./account";


const barsOf = (rows: Row[]) => hourlyBars(rows, () => 1);

const flat = (p: number): Row => [p, p, p, p];
const noFee = () => 0;
/** A percent commission: pct % of the fill's value. */
const pctFee = (pct: number) => (q: number, p: number) => (q * p * pct) / 100;

function marketOf(rows: Row[], extra: Partial<MarketSpec> = {}): MarketSpec {
  return { key: "binance:BTCUSDT", bars: barsOf(rows), fee: noFee, allowShort: true, stepSize: 0, ...extra };
}

function accountOf(markets: MarketSpec | MarketSpec[], settings: Partial<AccountSettings> = {}): BacktestAccount {
  return new BacktestAccount(Array.isArray(markets) ? markets : [markets], { cash: 10_000, slippageBps: 0, fill: "next_open", ...settings });
}

let nextId = 0;
/** Places an order decided on bar t. */
function place(a: BacktestAccount, t: number, side: Side, sizing: Sizing | number, opts: { limit?: number; market?: number; rounding?: "whole" | "step" } = {}) {
  return a.place(
    {
      market: opts.market ?? 0,
      side,
      sizing: typeof sizing === "number" ? { unit: "quantity", value: sizing } : sizing,
      limitPrice: opts.limit ?? null,
      rounding: opts.rounding ?? "step",
      placedBar: t,
      clientOrderId: `o${++nextId}`,
    },
    t,
  );
}

describe("market orders: when and at what price they fill", () => {
  it("an order decided on bar t fills at bar t+1's open", () => {
    const a = accountOf(marketOf([[100, 101, 99, 100], [102, 104, 101, 103], flat(103)]));
    a.beginBar(0);
    const r = place(a, 0, "buy", 2);
    // Nothing on bar 0: still open, no position, cash untouched.
    expect(r.state).toBe("open");
    expect(a.positions[0]).toBe(0);
    expect(a.equityAt(0)).toBe(10_000);
    a.beginBar(1);
    // 2 @ bar 1's open 102: cash 10,000 - 204 = 9,796; equity at close 103: 9,796 + 206 = 10,002.
    expect(r).toMatchObject({ state: "filled", averagePrice: 102, filledQuantity: 2, filledBar: 1, placedBar: 0 });
    expect(a.cash).toBe(9_796);
    expect(a.equityAt(1)).toBe(10_002);
    expect(a.pendingOrders()).toHaveLength(0);
  });

  it('fill "close": the order fills at once at bar t\'s close', () => {
    const a = accountOf(marketOf([[100, 101, 99, 100.5], flat(103)]), { fill: "close" });
    a.beginBar(0);
    const r = place(a, 0, "buy", 2);
    // 2 @ 100.5 = 201: cash 9,799.
    expect(r).toMatchObject({ state: "filled", averagePrice: 100.5, filledBar: 0 });
    expect(a.cash).toBe(9_799);
    expect(a.trades).toHaveLength(0);
    expect(a.openTradeCount()).toBe(1);
  });

  it("slippage in bps moves market fills against the trader, and only market fills", () => {
    // 50 bps: a buy at open 100 pays 100 x 1.005 = 100.5; a sell at open 110 gets 110 x 0.995 = 109.45.
    const a = accountOf(marketOf([flat(100), flat(100), [110, 110, 98, 105], [105, 106, 97, 100], flat(100)]), { slippageBps: 50 });
    a.beginBar(0);
    const buy = place(a, 0, "buy", 1);
    a.beginBar(1);
    expect(buy.averagePrice).toBeCloseTo(100.5, 12);
    const sell = place(a, 1, "sell", 1);
    // A limit buy at 99: bar 2 (low 98) reaches it and it fills at exactly 99, no slippage.
    const limit = place(a, 1, "buy", 1, { limit: 99 });
    a.beginBar(2);
    expect(sell.averagePrice).toBeCloseTo(109.45, 12);
    expect(limit).toMatchObject({ state: "filled", averagePrice: 99, filledBar: 2 });
    // Trade: 1 x (109.45 - 100.5) = 8.95.
    expect(a.trades[0]!.pnl).toBeCloseTo(8.95, 10);
    // cash: 10,000 - 100.5 + 109.45 - 99 = 9,909.95
    expect(a.cash).toBeCloseTo(9_909.95, 10);
  });
});

describe("limit orders", () => {
  it("a limit buy fills at its price when a later bar's low reaches it, never on the bar it was placed", () => {
    // Bar 0's low 98 is below the limit 99, but the order was decided on bar 0: no fill there.
    // Bar 1's low 100 does not reach it; bar 2's low 98.5 does: filled at 99.
    const a = accountOf(marketOf([[100, 101, 98, 100], [101, 102, 100, 101], [100, 100.5, 98.5, 99], flat(99)]));
    a.beginBar(0);
    const r = place(a, 0, "buy", 10, { limit: 99 });
    expect(r.kind).toBe("limit");
    a.beginBar(1);
    expect(r.state).toBe("open");
    a.beginBar(2);
    // 10 @ 99 = 990: cash 9,010.
    expect(r).toMatchObject({ state: "filled", averagePrice: 99, filledBar: 2 });
    expect(a.cash).toBe(9_010);
  });

  it("a limit buy fills at the open when the bar gaps below it", () => {
    // Bar 1 opens at 97, below the limit 99: the fill is at 97 (the better price), not at 99.
    const a = accountOf(marketOf([flat(100), [97, 98, 96, 97], flat(97)]));
    a.beginBar(0);
    const r = place(a, 0, "buy", 10, { limit: 99 });
    a.beginBar(1);
    expect(r).toMatchObject({ state: "filled", averagePrice: 97, filledBar: 1 });
    expect(a.cash).toBe(10_000 - 970);
  });

  it("a limit sell fills at its price when a later bar's high reaches it, at the open on a gap above it", () => {
    // Limit 102. Bar 0 (high 103) is the placing bar; bar 1 high 101.5 misses; bar 2 high 102.5 fills at 102.
    const a = accountOf(marketOf([[100, 103, 99, 100], [100, 101.5, 99, 101], [101, 102.5, 100, 102], flat(102)]));
    a.beginBar(0);
    const r = place(a, 0, "sell", 5, { limit: 102 });
    a.beginBar(1);
    expect(r.state).toBe("open");
    a.beginBar(2);
    expect(r).toMatchObject({ state: "filled", averagePrice: 102, filledBar: 2 });
    expect(a.positions[0]).toBe(-5);

    // Gap: bar 1 opens at 104, above the limit 102: filled at 104.
    const g = accountOf(marketOf([flat(100), [104, 105, 103, 104], flat(104)]));
    g.beginBar(0);
    const s = place(g, 0, "sell", 5, { limit: 102 });
    g.beginBar(1);
    expect(s).toMatchObject({ state: "filled", averagePrice: 104, filledBar: 1 });
    // A short of 5 @ 104 adds 520 to cash.
    expect(g.cash).toBe(10_520);
  });

  it('with fill "close" a marketable limit still waits for a later bar', () => {
    // Close 100, limit buy 101: not filled at bar 0's close; bar 1 opens at 100 <= 101, so it fills at 100.
    const a = accountOf(marketOf([[100, 100, 99, 100], [100, 100, 100, 100]]), { fill: "close" });
    a.beginBar(0);
    const r = place(a, 0, "buy", 1, { limit: 101 });
    expect(r.state).toBe("open");
    a.beginBar(1);
    expect(r).toMatchObject({ state: "filled", averagePrice: 100, filledBar: 1 });
  });

  it("a cancelled limit never fills", () => {
    const a = accountOf(marketOf([flat(100), [100, 100, 90, 95]]));
    a.beginBar(0);
    const r = place(a, 0, "buy", 1, { limit: 99 });
    expect(a.cancel(r.id)).toBe(true);
    expect(a.cancel(r.id)).toBe(false);
    a.beginBar(1);
    expect(r.state).toBe("cancelled");
    expect(a.positions[0]).toBe(0);
  });
});

describe("stops and targets", () => {
  // Entry 10 @ bar 1's open 100, stop 5% -> 95, target 10% -> 110.
  function entered(rows: Row[], settings: Partial<AccountSettings> = {}, side: Side = "buy") {
    const a = accountOf(marketOf([flat(100), ...rows]), { stopLossPct: 5, takeProfitPct: 10, ...settings });
    a.beginBar(0);
    place(a, 0, side, 10);
    return a;
  }

  it("are not checked on the entry bar itself", () => {
    // Bar 1: entry at its open 100; its low 94 and high 111 reach both levels, but they apply from bar 2.
    const a = entered([[100, 111, 94, 100], flat(100)]);
    a.beginBar(1);
    expect(a.positions[0]).toBe(10);
    expect(a.trades).toHaveLength(0);
  });

  it("when one bar reaches both, the stop wins", () => {
    // Bar 2: low 94 <= 95 and high 111 >= 110: exit at the stop 95. pnl 10 x (95 - 100) = -50.
    const a = entered([flat(100), [100, 111, 94, 100]]);
    a.beginBar(1);
    a.beginBar(2);
    expect(a.positions[0]).toBe(0);
    expect(a.trades).toHaveLength(1);
    expect(a.trades[0]).toMatchObject({ size: 10, entry_price: 100, exit_price: 95, entry_bar: 1, exit_bar: 2, pnl: -50 });
    expect(a.trades[0]!.return_pct).toBeCloseTo(-0.05, 12);
    expect(a.cash).toBe(10_000 - 1_000 + 950);
  });

  it("a target alone exits at the target", () => {
    // Bar 2: high 111 >= 110, low 99 > 95: exit at 110, pnl 10 x 10 = 100.
    const a = entered([flat(100), [100, 111, 99, 105]]);
    a.beginBar(1);
    a.beginBar(2);
    // 100 x 1.1 is 110.00000000000001 in floating point.
    expect(a.trades[0]!.exit_price).toBeCloseTo(110, 9);
    expect(a.trades[0]!.pnl).toBeCloseTo(100, 9);
  });

  it("a gap through the stop fills at the open", () => {
    // Bar 2 opens at 90, below the stop 95: exit at 90, pnl 10 x (90 - 100) = -100.
    const a = entered([flat(100), [90, 92, 88, 91]]);
    a.beginBar(1);
    a.beginBar(2);
    expect(a.trades[0]).toMatchObject({ exit_price: 90, pnl: -100, exit_bar: 2 });
    expect(a.cash).toBe(10_000 - 1_000 + 900);
  });

  it("a short's stop is above and its target below; the stop wins here too", () => {
    // Short 10 @ 100: stop 105, target 90. Bar 2: high 106, low 89 -> stop at 105, pnl -10 x 5 = -50.
    const a = entered([flat(100), [100, 106, 89, 100]], {}, "sell");
    a.beginBar(1);
    expect(a.positions[0]).toBe(-10);
    a.beginBar(2);
    expect(a.trades[0]).toMatchObject({ size: -10, exit_price: 105, pnl: -50 });
    expect(a.positions[0]).toBe(0);
    // A short that gaps up through its stop: bar 2 opens 108 -> exit at 108, pnl -10 x 8 = -80.
    const g = entered([flat(100), [108, 109, 107, 108]], {}, "sell");
    g.beginBar(1);
    g.beginBar(2);
    expect(g.trades[0]).toMatchObject({ exit_price: 108, pnl: -80 });
  });
});

describe("fees, trades and returns", () => {
  it("a percent fee is paid on both fills and counted in the trade's pnl and return", () => {
    // 0.1%. Buy 10 @ 100: fee 1, cash 10,000 - 1,000 - 1 = 8,999.
    // Sell 10 @ 110: fee 1.1, cash 8,999 + 1,100 - 1.1 = 10,097.9.
    // pnl = 10 x 10 - 1 - 1.1 = 97.9; return = 110/100 - 1 - 2.1/1,000 = 0.0979.
    const a = accountOf(marketOf([flat(100), flat(100), flat(110), flat(110)], { fee: pctFee(0.1) }));
    a.beginBar(0);
    const buy = place(a, 0, "buy", 10);
    a.beginBar(1);
    expect(buy.fee).toBeCloseTo(1, 12);
    expect(a.cash).toBeCloseTo(8_999, 10);
    // Equity at bar 1's close: 8,999 + 10 x 100 = 9,999 (the entry fee is gone).
    expect(a.equityAt(1)).toBeCloseTo(9_999, 10);
    const sell = place(a, 1, "sell", 10);
    a.beginBar(2);
    expect(sell.fee).toBeCloseTo(1.1, 12);
    expect(a.cash).toBeCloseTo(10_097.9, 10);
    expect(a.commissions).toBeCloseTo(2.1, 12);
    const tr = a.trades[0]!;
    expect(tr.pnl).toBeCloseTo(97.9, 10);
    expect(tr.return_pct).toBeCloseTo(0.0979, 12);
    expect(tr.commission).toBeCloseTo(2.1, 12);
    expect(tr).toMatchObject({ size: 10, entry_bar: 1, exit_bar: 2, entry_price: 100, exit_price: 110, entry_time: T0 + HOUR, exit_time: T0 + 2 * HOUR, market: "binance:BTCUSDT" });
  });

  it("closes trades first in, first out; a partial close splits a trade and its entry fee", () => {
    // 0.1% fee. Buy 2 @ 100 (fee 0.2), buy 3 @ 110 (fee 0.33), sell 4 @ 120 (fee 0.48, 0.24 per 2 units).
    // Trade A: 2 x (120 - 100) - 0.2 - 0.24 = 39.56.
    // Trade B (2 of the 3 @ 110): 2 x 10 - 0.22 - 0.24 = 19.54; 1 @ 110 stays open with 0.11 of entry fee.
    // End of data at bar 4's open 130: 1 x 20 - 0.11 - 0.13 = 19.76.
    const a = accountOf(marketOf([flat(100), flat(100), flat(110), flat(120), [130, 131, 129, 130]], { fee: pctFee(0.1) }));
    a.beginBar(0);
    place(a, 0, "buy", 2);
    a.beginBar(1);
    place(a, 1, "buy", 3);
    a.beginBar(2);
    expect(a.openTradeCount()).toBe(2);
    // 2 @ 100 and 3 @ 110: (200 + 330) / 5 = 106.
    expect(a.averagePrice(0)).toBeCloseTo(106, 12);
    place(a, 2, "sell", 4);
    a.beginBar(3);
    expect(a.trades.map((t) => [t.size, t.entry_price, t.exit_price])).toEqual([
      [2, 100, 120],
      [2, 110, 120],
    ]);
    expect(a.trades[0]!.pnl).toBeCloseTo(39.56, 10);
    expect(a.trades[1]!.pnl).toBeCloseTo(19.54, 10);
    expect(a.trades[1]!.commission).toBeCloseTo(0.46, 12);
    expect(a.positions[0]).toBe(1);
    expect(a.openTradeCount()).toBe(1);
    expect(a.averagePrice(0)).toBe(110);
    a.beginBar(4);
    a.closeAll(4);
    expect(a.trades).toHaveLength(3);
    expect(a.trades[2]).toMatchObject({ size: 1, entry_price: 110, exit_price: 130, entry_bar: 2, exit_bar: 4 });
    expect(a.trades[2]!.pnl).toBeCloseTo(19.76, 10);
    // Fees: 0.2 + 0.33 + 0.48 + 0.13 = 1.14; the pnl of the trades adds up to cash minus the start.
    expect(a.commissions).toBeCloseTo(1.14, 12);
    expect(a.cash - 10_000).toBeCloseTo(39.56 + 19.54 + 19.76, 10);
  });
});

describe("target_percent: reversal and rounding", () => {
  it("100% at 3,000 with 10,000 is 3 units; a reversal closes first, then opens at the same price", () => {
    const a = accountOf(marketOf([flat(3_000), flat(3_000), [3_200, 3_250, 3_050, 3_100], [2_800, 2_850, 2_750, 2_800], flat(2_900)]));
    a.beginBar(0);
    const up = place(a, 0, "buy", { unit: "target_percent", value: 100 }, { rounding: "whole" });
    expect(up.kind).toBe("target");
    a.beginBar(1);
    // floor(10,000 / 3,000) = 3 units; cash 10,000 - 9,000 = 1,000.
    expect(up).toMatchObject({ state: "filled", filledQuantity: 3, averagePrice: 3_000 });
    expect(a.positions[0]).toBe(3);
    expect(a.cash).toBe(1_000);

    const down = place(a, 1, "sell", { unit: "target_percent", value: -100 }, { rounding: "whole" });
    a.beginBar(2);
    // Close 3 @ 3,200: cash 1,000 + 9,600 = 10,600 (equity after the close).
    // Short floor(10,600 / 3,200) = floor(3.3125) = 3 (toward zero, not -4): cash 10,600 + 9,600 = 20,200.
    expect(down).toMatchObject({ state: "filled", filledQuantity: 6, averagePrice: 3_200, filledBar: 2 });
    expect(a.positions[0]).toBe(-3);
    expect(a.cash).toBe(20_200);
    expect(a.trades).toHaveLength(1);
    expect(a.trades[0]).toMatchObject({ size: 3, entry_price: 3_000, exit_price: 3_200, exit_bar: 2, pnl: 600 });
    // Equity at bar 2's close 3,100: 20,200 - 3 x 3,100 = 10,900.
    expect(a.equityAt(2)).toBe(10_900);

    const back = place(a, 2, "buy", { unit: "target_percent", value: 100 }, { rounding: "whole" });
    a.beginBar(3);
    // Cover 3 @ 2,800: cash 20,200 - 8,400 = 11,800; long floor(11,800 / 2,800) = floor(4.21) = 4: cash 600.
    expect(back).toMatchObject({ state: "filled", filledQuantity: 7, averagePrice: 2_800 });
    expect(a.trades[1]).toMatchObject({ size: -3, entry_price: 3_200, exit_price: 2_800, entry_bar: 2, exit_bar: 3, pnl: 1_200 });
    expect(a.positions[0]).toBe(4);
    expect(a.cash).toBe(600);
  });

  it("sizes the new side on the equity after the closing fill's fee", () => {
    // 0.1% fee. Cash 9,030; 100% at 3,000: floor(9,030 / 3,003) = 3 units, fee 9, cash 9,030 - 9,009 = 21.
    // -100% at 4,000: close 3: cash 21 + 12,000 - 12 = 12,009. Short floor(12,009 / 4,004) = floor(2.9993) = 2
    // (the equity before that fee, 12,021, would give floor(3.0022) = 3). Cash 12,009 + 8,000 - 8 = 20,001.
    const a = accountOf(marketOf([flat(3_000), flat(3_000), flat(4_000), flat(4_000)], { fee: pctFee(0.1) }), { cash: 9_030 });
    a.beginBar(0);
    place(a, 0, "buy", { unit: "target_percent", value: 100 }, { rounding: "whole" });
    a.beginBar(1);
    expect(a.positions[0]).toBe(3);
    expect(a.cash).toBeCloseTo(21, 9);
    const r = place(a, 1, "sell", { unit: "target_percent", value: -100 }, { rounding: "whole" });
    a.beginBar(2);
    expect(a.positions[0]).toBe(-2);
    expect(a.cash).toBeCloseTo(20_001, 9);
    expect(r).toMatchObject({ state: "filled", filledQuantity: 5, averagePrice: 4_000 });
    // Fee 12 + 8 = 20.
    expect(r.fee).toBeCloseTo(20, 9);
    // Long trade: 3 x 1,000 - 9 - 12 = 2,979.
    expect(a.trades[0]!.pnl).toBeCloseTo(2_979, 9);
  });

  it("0% closes the position; a target already held trades nothing", () => {
    const a = accountOf(marketOf([flat(100), flat(100), flat(100), flat(120)]));
    a.beginBar(0);
    place(a, 0, "buy", { unit: "target_percent", value: 50 }, { rounding: "whole" });
    a.beginBar(1);
    // 50% of 10,000 at 100 = 50 units.
    expect(a.positions[0]).toBe(50);
    const same = place(a, 1, "buy", { unit: "target_percent", value: 50 }, { rounding: "whole" });
    a.beginBar(2);
    // Equity 10,000 at 100: still 50 units, nothing to trade.
    expect(same).toMatchObject({ state: "filled", filledQuantity: 0 });
    expect(a.positions[0]).toBe(50);
    const out = place(a, 2, "sell", { unit: "target_percent", value: 0 }, { rounding: "whole" });
    a.beginBar(3);
    // Sold 50 @ 120: cash 5,000 + 6,000 = 11,000.
    expect(out).toMatchObject({ state: "filled", filledQuantity: 50, averagePrice: 120 });
    expect(a.positions[0]).toBe(0);
    expect(a.cash).toBe(11_000);
  });
});

describe("quote and percent-of-equity sizing", () => {
  it("quote: value / (price + fee per unit), rounded down to the step", () => {
    // 1,000 at 300, step 0.01: 3.333... -> 3.33; cost 999.
    const a = accountOf(marketOf([flat(300), flat(300)], { stepSize: 0.01 }));
    a.beginBar(0);
    const r = place(a, 0, "buy", { unit: "quote", value: 1_000 });
    a.beginBar(1);
    expect(r.filledQuantity).toBeCloseTo(3.33, 12);
    expect(a.cash).toBeCloseTo(9_001, 9);
    // With a 1% fee a unit costs 303: 1,000 / 303 = 3.30033 -> 3.3; fee 3.3 x 300 x 1% = 9.9.
    const f = accountOf(marketOf([flat(300), flat(300)], { stepSize: 0.01, fee: pctFee(1) }));
    f.beginBar(0);
    const q = place(f, 0, "buy", { unit: "quote", value: 1_000 });
    f.beginBar(1);
    expect(q.filledQuantity).toBeCloseTo(3.3, 12);
    expect(f.cash).toBeCloseTo(10_000 - 990 - 9.9, 9);
  });

  it("percent of equity counts the position at the fill price", () => {
    // Buy 10 @ 100: cash 9,000. At bar 2's open 200 equity = 9,000 + 10 x 200 = 11,000.
    // 50% -> 5,500 / 200 = 27.5 -> whole units 27; cash 9,000 - 5,400 = 3,600.
    const a = accountOf(marketOf([flat(100), flat(100), [200, 200, 200, 250], flat(250)]));
    a.beginBar(0);
    place(a, 0, "buy", 10);
    a.beginBar(1);
    const r = place(a, 1, "buy", { unit: "percent_equity", value: 50 }, { rounding: "whole" });
    a.beginBar(2);
    expect(r).toMatchObject({ state: "filled", quantity: 27, filledQuantity: 27, averagePrice: 200 });
    expect(a.cash).toBe(3_600);
    expect(a.positions[0]).toBe(37);
    // With step rounding (step 0) it is 27.5.
    const s = accountOf(marketOf([flat(400), flat(400)]));
    s.beginBar(0);
    const h = place(s, 0, "buy", { unit: "percent_equity", value: 50 });
    s.beginBar(1);
    // 5,000 / 400 = 12.5.
    expect(h.filledQuantity).toBe(12.5);
  });

  it("percent of equity at the open values the other markets at that open, not at the bar's close", () => {
    // Market B: 10 units bought @ 100 (cash 9,000). Bar 2: B opens at 100 and closes at 200.
    // A buy of A for 50% of equity filling at bar 2's open sees equity 9,000 + 10 x 100 = 10,000 -> 5,000 / 100 = 50.
    // (Bar 2's close of B, 200, is not known at its open: 9,000 + 2,000 = 11,000 would give 55.)
    const a = accountOf([marketOf([flat(100), flat(100), flat(100), flat(100)]), { ...marketOf([flat(100), flat(100), [100, 200, 100, 200], flat(200)]), key: "binance:ETHUSDT" }]);
    a.beginBar(0);
    place(a, 0, "buy", 10, { market: 1 });
    a.beginBar(1);
    const r = place(a, 1, "buy", { unit: "percent_equity", value: 50 }, { market: 0, rounding: "whole" });
    a.beginBar(2);
    expect(r.filledQuantity).toBe(50);
    // Equity at bar 2's close: 4,000 + 50 x 100 + 10 x 200 = 11,000.
    expect(a.equityAt(2)).toBe(11_000);
  });

  it("a size that rounds to zero at the fill price is rejected", () => {
    const a = accountOf(marketOf([flat(100), flat(2_000)]));
    a.beginBar(0);
    const r = place(a, 0, "buy", { unit: "quote", value: 1_000 }, { rounding: "whole" });
    a.beginBar(1);
    // 1,000 / 2,000 = 0.5 -> 0 whole units.
    expect(r).toMatchObject({ state: "rejected", reason: "size rounds to zero at the fill price" });
  });
});

describe("long-only markets and cash", () => {
  it("a sell beyond the position is cut to the position; a sell from flat is rejected", () => {
    const a = accountOf(marketOf([flat(100), flat(100), flat(110), flat(110)], { allowShort: false }));
    a.beginBar(0);
    place(a, 0, "buy", 2);
    a.beginBar(1);
    const sell = place(a, 1, "sell", 5);
    a.beginBar(2);
    // Cut to the 2 held @ 110: cash 10,000 - 200 + 220 = 10,020.
    expect(sell).toMatchObject({ state: "filled", quantity: 5, filledQuantity: 2, averagePrice: 110 });
    expect(a.positions[0]).toBe(0);
    expect(a.cash).toBe(10_020);
    const again = place(a, 2, "sell", 1);
    a.beginBar(3);
    expect(again).toMatchObject({ state: "rejected", reason: "cannot sell short on this market", filledQuantity: 0 });
    expect(a.positions[0]).toBe(0);
    expect(a.cash).toBe(10_020);
  });

  it("target -100% on a long-only market closes the long and opens no short", () => {
    const a = accountOf(marketOf([flat(100), flat(100), flat(100)], { allowShort: false }));
    a.beginBar(0);
    place(a, 0, "buy", 10);
    a.beginBar(1);
    place(a, 1, "sell", { unit: "target_percent", value: -100 }, { rounding: "whole" });
    a.beginBar(2);
    expect(a.positions[0]).toBe(0);
    expect(a.cash).toBe(10_000);
    expect(a.trades).toHaveLength(1);
  });

  it("a buy costing more than the cash is rejected, fee included", () => {
    const a = accountOf(marketOf([flat(100), flat(100)], { fee: pctFee(0.1) }), { cash: 1_000 });
    a.beginBar(0);
    // 10 @ 100 = 1,000 + fee 1 = 1,001 > 1,000.
    const r = place(a, 0, "buy", 10);
    // 9 @ 100 = 900 + 0.9 fits.
    const ok = place(a, 0, "buy", 9);
    a.beginBar(1);
    expect(r).toMatchObject({ state: "rejected", reason: "insufficient cash: needs 1001.00, 1000.00 available" });
    expect(ok.state).toBe("filled");
    expect(a.cash).toBeCloseTo(99.1, 10);
  });

  it("a short larger than the equity is rejected", () => {
    // Equity 10,000; a short of 101 @ 100 = 10,100 exceeds it; 100 does not.
    const a = accountOf(marketOf([flat(100), flat(100)]));
    a.beginBar(0);
    const big = place(a, 0, "sell", 101);
    a.beginBar(1);
    expect(big).toMatchObject({ state: "rejected", reason: "insufficient margin: a short of 10100.00 exceeds the equity" });
  });
});

describe("funding on perpetuals", () => {
  // Funding 0.01% at bar 2's open time, and -0.02% half way between bars 3 and 4.
  const funding = { time: Float64Array.from([T0 + 2 * HOUR, T0 + 3.5 * HOUR]), rate: Float64Array.from([0.0001, -0.0002]) };
  const rows: Row[] = [flat(100), flat(100), flat(200), flat(250), flat(300), flat(300)];

  it("a long pays q x price x rate at each funding time; a negative rate pays it", () => {
    const a = accountOf(marketOf(rows, { key: "binance:BTCUSDT-PERP", funding }));
    a.beginBar(0);
    place(a, 0, "buy", 2);
    a.beginBar(1);
    expect(a.cash).toBe(9_800);
    a.beginBar(2);
    // 2 x 200 (bar 2's open) x 0.0001 = 0.04 paid.
    expect(a.cash).toBeCloseTo(9_799.96, 10);
    a.beginBar(3);
    expect(a.cash).toBeCloseTo(9_799.96, 10);
    a.beginBar(4);
    // Funding at 3.5 h is paid at the next bar's open, 300: 2 x 300 x -0.0002 = -0.12, so 0.12 received.
    expect(a.cash).toBeCloseTo(9_800.08, 10);
    expect(a.equityAt(4)).toBeCloseTo(9_800.08 + 600, 10);
  });

  it("a short receives a positive rate", () => {
    const a = accountOf(marketOf(rows, { key: "binance:BTCUSDT-PERP", funding }));
    a.beginBar(0);
    place(a, 0, "sell", 2);
    a.beginBar(1);
    // Short 2 @ 100: cash 10,200.
    a.beginBar(2);
    // -2 x 200 x 0.0001 = -0.04 paid, i.e. 0.04 received.
    expect(a.cash).toBeCloseTo(10_200.04, 10);
    a.beginBar(3);
    a.beginBar(4);
    // -2 x 300 x -0.0002 = 0.12 paid.
    expect(a.cash).toBeCloseTo(10_199.92, 10);
  });

  it("no funding is due while flat or before the position opens", () => {
    // The order placed on bar 1 fills at bar 2's open, the funding time itself: funding is settled before the fill.
    const a = accountOf(marketOf(rows, { key: "binance:BTCUSDT-PERP", funding }));
    a.beginBar(0);
    a.beginBar(1);
    place(a, 1, "buy", 1);
    a.beginBar(2);
    expect(a.cash).toBe(9_800);
  });
});

describe("end of data and equity", () => {
  it("closeAll exits at the last bar's open and cancels what has not filled", () => {
    const a = accountOf(marketOf([flat(100), flat(100), [105, 120, 101, 118]], { fee: pctFee(0.1) }));
    a.beginBar(0);
    place(a, 0, "buy", 10);
    a.beginBar(1);
    const late = place(a, 1, "buy", 1, { limit: 50 });
    a.beginBar(2);
    const last = place(a, 2, "buy", 1);
    a.closeAll(2);
    // Exit 10 @ bar 2's open 105, not its close 118: pnl 10 x 5 - 1 - 1.05 = 47.95.
    expect(a.trades).toHaveLength(1);
    expect(a.trades[0]).toMatchObject({ exit_price: 105, exit_bar: 2 });
    expect(a.trades[0]!.pnl).toBeCloseTo(47.95, 10);
    expect(a.positions[0]).toBe(0);
    expect(late).toMatchObject({ state: "cancelled", reason: "end of data" });
    expect(last).toMatchObject({ state: "cancelled", reason: "end of data" });
    // Cash 10,000 - 1,001 + 1,050 - 1.05 = 10,047.95 = equity (flat).
    expect(a.equityAt(2)).toBeCloseTo(10_047.95, 10);
  });

  it("closeAll closes shorts too", () => {
    const a = accountOf(marketOf([flat(100), flat(100), [90, 95, 85, 88]]));
    a.beginBar(0);
    place(a, 0, "sell", 4);
    a.beginBar(1);
    a.beginBar(2);
    a.closeAll(2);
    // Short 4 @ 100 covered @ 90: pnl 40.
    expect(a.trades[0]).toMatchObject({ size: -4, exit_price: 90, pnl: 40 });
    expect(a.cash).toBe(10_040);
  });

  it("equityAt is cash plus every position at its market's close", () => {
    const a = accountOf([marketOf([flat(100), [100, 100, 100, 120]]), { ...marketOf([flat(50), [50, 50, 50, 40]]), key: "binance:ETHUSDT" }]);
    a.beginBar(0);
    place(a, 0, "buy", 10, { market: 0 });
    place(a, 0, "sell", 20, { market: 1 });
    a.beginBar(1);
    // Cash 10,000 - 1,000 + 1,000 = 10,000; long 10 at 120 = 1,200; short 20 at 40 = -800: 10,400.
    expect(a.cash).toBe(10_000);
    expect(a.equityAt(1)).toBe(10_400);
    // At bar 0's closes: 10,000 + 1,000 - 1,000 = 10,000.
    expect(a.equityAt(0)).toBe(10_000);
  });
});
