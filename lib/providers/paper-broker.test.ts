import { describe, expect, it } from "vitest";
import { PaperBroker, QUANTITY_STEP, VENUE_FEES, newPaperAccount } from "./paper-broker";
import { SimulatedMarket } from "./simulated-market";
import type { OrderRequest, Venue } from "./types";
import { ScriptedMarket } from "./scripted-market";

const NOW = new Date("2026-11-25T12:00:00Z").getTime();


let ids = 0;
function request(venue: Venue, symbol: string, side: "buy" | "sell", quantity: number, extra: Partial<OrderRequest> = {}): OrderRequest {
  return { venue, symbol, side, quantity, clientOrderId: `test_${++ids}`, ...extra };
}

function setup(start?: number) {
  const market = new ScriptedMarket(NOW)
    .setBook("polymarket", "YES", [[0.48, 10], [0.47, 10], [0.45, 100]], [[0.5, 10], [0.52, 10], [0.55, 100]])
    .setBook("binance", "BTCUSDT", [[99, 5], [98, 5]], [[100, 5], [101, 5]])
    .setBook("kalshi", "KX", [[0.39, 1_000]], [[0.4, 1_000]]);
  const broker = new PaperBroker(market, { now: () => NOW, ...(start !== undefined ? { account: newPaperAccount(start) } : {}) });
  return { market, broker };
}

describe("PaperBroker: filling against the book", () => {
  it("fills a small buy at the best ask", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("polymarket", "YES", "buy", 4));
    expect(order).toMatchObject({
      status: "filled",
      type: "market",
      side: "buy",
      quantity: 4,
      filledQuantity: 4,
      averagePrice: 0.5,
      limitPrice: null,
      fee: 0,
      broker: "paper",
      at: new Date(NOW).toISOString(),
    });
    expect(order.reason).toBeUndefined();
  });

  it("walks the book: a buy larger than the first level averages above the best ask", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("polymarket", "YES", "buy", 15));
    expect(order.status).toBe("filled");
    expect(order.filledQuantity).toBe(15);
    expect(order.averagePrice!).toBeGreaterThan(0.5);
    expect(order.averagePrice).toBeCloseTo((10 * 0.5 + 5 * 0.52) / 15, 8);
    expect((await broker.getBalance("polymarket")).available).toBeCloseTo(10_000 - (10 * 0.5 + 5 * 0.52), 8);
    const deeper = await setup().broker.placeOrder(request("polymarket", "YES", "buy", 50));
    expect(deeper.averagePrice).toBeCloseTo((10 * 0.5 + 10 * 0.52 + 30 * 0.55) / 50, 8);
  });

  it("walks the bids for a sell", async () => {
    const { broker } = setup();
    await broker.placeOrder(request("polymarket", "YES", "buy", 30));
    const sell = await broker.placeOrder(request("polymarket", "YES", "sell", 25));
    expect(sell).toMatchObject({ status: "filled", filledQuantity: 25 });
    expect(sell.averagePrice).toBeCloseTo((10 * 0.48 + 10 * 0.47 + 5 * 0.45) / 25, 8);
  });

  it("fills what the book holds and cancels the rest of a market order, saying so", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("binance", "BTCUSDT", "buy", 12));
    expect(order).toMatchObject({ status: "filled", quantity: 12, filledQuantity: 10 });
    expect(order.reason).toBe("book depth filled 10 of 12; the rest was cancelled");
    expect((await broker.getPositions("binance"))[0]!.quantity).toBe(10);
  });

  it("rejects a market order against an empty side", async () => {
    const { market, broker } = setup();
    market.setBook("polymarket", "EMPTY", [], []);
    const order = await broker.placeOrder(request("polymarket", "EMPTY", "buy", 1));
    expect(order.status).toBe("rejected");
    expect(order.reason).toContain("no asks");
    expect(await broker.getPositions("polymarket")).toEqual([]);
  });
});

describe("PaperBroker: limit orders", () => {
  it("rests a buy below the ask as open, without touching the account", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { limitPrice: 0.45 }));
    expect(order).toMatchObject({ status: "open", type: "limit", limitPrice: 0.45, filledQuantity: 0, averagePrice: null });
    expect((await broker.getBalance("polymarket")).available).toBe(10_000);
    expect(await broker.getPositions("polymarket")).toEqual([]);
  });

  it("fills only the levels within the limit and leaves the remainder open", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("polymarket", "YES", "buy", 25, { limitPrice: 0.52 }));
    expect(order).toMatchObject({ status: "open", filledQuantity: 20 });
    expect(order.averagePrice).toBeCloseTo(0.51, 8);
    expect(order.reason).toBeUndefined();
  });

  it("fills a marketable limit in full", async () => {
    const { broker } = setup();
    expect(await broker.placeOrder(request("polymarket", "YES", "buy", 10, { limitPrice: 0.5 }))).toMatchObject({ status: "filled", filledQuantity: 10, averagePrice: 0.5 });
  });

  it("rests a sell above the bid", async () => {
    const { broker } = setup();
    await broker.placeOrder(request("polymarket", "YES", "buy", 10));
    expect(await broker.placeOrder(request("polymarket", "YES", "sell", 10, { limitPrice: 0.6 }))).toMatchObject({ status: "open", filledQuantity: 0 });
    expect((await broker.getPositions("polymarket"))[0]!.quantity).toBe(10);
  });

  it("rejects a non-positive limit price", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { limitPrice: 0 }));
    expect(order.status).toBe("rejected");
    expect(order.reason).toBe("limit price must be positive");
  });

  it("cancels an open order once, and refuses to cancel anything else", async () => {
    const { broker } = setup();
    const open = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { limitPrice: 0.4 }));
    const cancelled = await broker.cancelOrder("polymarket", open.id);
    expect(cancelled).toMatchObject({ id: open.id, status: "cancelled" });
    expect(broker.account.orders[open.id]!.status).toBe("cancelled");
    await expect(broker.cancelOrder("polymarket", open.id)).rejects.toThrow(/is cancelled, so it cannot be cancelled/);
    const filled = await broker.placeOrder(request("polymarket", "YES", "buy", 1));
    await expect(broker.cancelOrder("polymarket", filled.id)).rejects.toThrow(/is filled/);
    await expect(broker.cancelOrder("polymarket", "paper_nope")).rejects.toThrow(/no paper order "paper_nope" on polymarket/);
    const other = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { limitPrice: 0.4 }));
    await expect(broker.cancelOrder("kalshi", other.id)).rejects.toThrow(/no paper order/);
    expect(broker.account.orders[other.id]!.status).toBe("open");
  });
});

describe("PaperBroker: account", () => {
  it("starts every venue with 10,000 in its currency", async () => {
    const { broker } = setup();
    expect(await broker.getBalance("binance")).toEqual({ venue: "binance", currency: "USDT", available: 10_000 });
    expect(await broker.getBalance("polymarket")).toEqual({ venue: "polymarket", currency: "USDC", available: 10_000 });
    expect(await broker.getBalance("kalshi")).toEqual({ venue: "kalshi", currency: "USD", available: 10_000 });
  });

  it("rejects a buy the balance cannot pay for, fee included, and changes nothing", async () => {
    const { broker } = setup(100);
    const order = await broker.placeOrder(request("binance", "BTCUSDT", "buy", 1)); // 100 + 0.1 fee > 100
    expect(order.status).toBe("rejected");
    expect(order.reason).toBe("insufficient balance: needs 100.1 USDT, 100 available");
    expect((await broker.getBalance("binance")).available).toBe(100);
    expect(await broker.getPositions("binance")).toEqual([]);
    const smaller = await broker.placeOrder(request("binance", "BTCUSDT", "buy", 0.99));
    expect(smaller.status).toBe("filled");
  });

  it("updates balance and position on a buy, then realises PnL on a sell", async () => {
    const { market, broker } = setup();
    await broker.placeOrder(request("polymarket", "YES", "buy", 10)); // 10 @ 0.50
    expect((await broker.getBalance("polymarket")).available).toBe(9_995);
    expect(await broker.getPositions("polymarket")).toEqual([{ venue: "polymarket", symbol: "YES", quantity: 10, averagePrice: 0.5 }]);

    market.setBook("polymarket", "YES", [[0.6, 100]], [[0.61, 100]]);
    await broker.placeOrder(request("polymarket", "YES", "buy", 10)); // 10 @ 0.61 -> average 0.555
    expect((await broker.getPositions("polymarket"))[0]).toMatchObject({ quantity: 20, averagePrice: 0.555 });

    const sell = await broker.placeOrder(request("polymarket", "YES", "sell", 8)); // 8 @ 0.60
    expect(sell).toMatchObject({ status: "filled", averagePrice: 0.6, filledQuantity: 8 });
    expect((await broker.getPositions("polymarket"))[0]).toMatchObject({ quantity: 12, averagePrice: 0.555 });
    expect(broker.account.positions["polymarket:YES"]!.realizedPnl).toBeCloseTo(8 * (0.6 - 0.555), 8);
    expect(broker.account.realizedToday.polymarket).toBeCloseTo(0.36, 8);
    expect((await broker.getBalance("polymarket")).available).toBeCloseTo(10_000 - 5 - 6.1 + 4.8, 8);

    await broker.placeOrder(request("polymarket", "YES", "sell", 12));
    expect(await broker.getPositions("polymarket")).toEqual([]);
    expect(broker.account.realizedToday.polymarket).toBeCloseTo(20 * (0.6 - 0.555), 8);
  });

  it("counts every fee paid in realised PnL: a closed round trip realises exactly the cash it made", async () => {
    const { market, broker } = setup();
    const bought = await broker.placeOrder(request("binance", "BTCUSDT", "buy", 2)); // 2 @ 100, fee 0.2
    expect(bought.fee).toBeCloseTo(0.2, 10);
    market.setBook("binance", "BTCUSDT", [[110, 5]], [[111, 5]]);
    const sold = await broker.placeOrder(request("binance", "BTCUSDT", "sell", 2)); // 2 @ 110, fee 0.22
    expect(sold.fee).toBeCloseTo(0.22, 10);
    const cash = (await broker.getBalance("binance")).available - 10_000;
    expect(cash).toBeCloseTo(20 - 0.2 - 0.22, 8);
    expect(broker.account.realizedToday.binance).toBeCloseTo(cash, 8);
    expect(await broker.getDailyPnl("binance")).toBeCloseTo(cash, 8);
  });

  it("refuses to sell more than is held: no shorting", async () => {
    const { broker } = setup();
    const none = await broker.placeOrder(request("polymarket", "YES", "sell", 1));
    expect(none.status).toBe("rejected");
    expect(none.reason).toBe('cannot sell 1: 0 held (spot and prediction markets cannot go short; perpetuals, "<SYMBOL>-PERP", can)');
    await broker.placeOrder(request("polymarket", "YES", "buy", 3));
    const tooMany = await broker.placeOrder(request("polymarket", "YES", "sell", 4));
    expect(tooMany.status).toBe("rejected");
    expect(tooMany.reason).toContain("3 held");
    expect((await broker.getPositions("polymarket"))[0]!.quantity).toBe(3);
  });

  it("lets a perpetual go short, realises profit when the short is bought back lower, and flips sides at the fill price", async () => {
    const market = new ScriptedMarket(NOW).setMid("binance", "BTCUSDT-PERP", 60_000, 5, 10);
    const broker = new PaperBroker(market, { now: () => NOW, fees: { binance: { fee: () => 0 } } });
    const short = await broker.placeOrder(request("binance", "BTCUSDT-PERP", "sell", 0.1));
    expect(short).toMatchObject({ status: "filled", averagePrice: 59_995 });
    expect((await broker.getPositions("binance"))[0]).toMatchObject({ quantity: -0.1, averagePrice: 59_995 });
    market.setMid("binance", "BTCUSDT-PERP", 59_000, 5, 10);
    const flip = await broker.placeOrder({ ...request("binance", "BTCUSDT-PERP", "buy", 0.16), clientOrderId: "flip" });
    expect(flip.status).toBe("filled");
    // 0.1 closed at 59,005: (59,005 - 59,995) x 0.1 x (-1) = +99 realised; 0.06 long opened at 59,005.
    expect(broker.account.realizedToday.binance).toBeCloseTo(99, 6);
    expect((await broker.getPositions("binance"))[0]).toMatchObject({ quantity: 0.06, averagePrice: 59_005 });
  });

  it("keeps venues and symbols apart", async () => {
    const { market, broker } = setup();
    market.setBook("polymarket", "NO", [[0.3, 100]], [[0.31, 100]]);
    await broker.placeOrder(request("polymarket", "YES", "buy", 2));
    await broker.placeOrder(request("polymarket", "NO", "buy", 3));
    await broker.placeOrder(request("kalshi", "KX", "buy", 4));
    expect((await broker.getPositions("polymarket")).map((p) => [p.symbol, p.quantity])).toEqual([["YES", 2], ["NO", 3]]);
    expect((await broker.getPositions("kalshi")).map((p) => [p.symbol, p.quantity])).toEqual([["KX", 4]]);
    expect(await broker.getPositions("binance")).toEqual([]);
    expect((await broker.getBalance("binance")).available).toBe(10_000);
  });

  it("shares state through an account passed in", async () => {
    const account = newPaperAccount(500);
    const market = new ScriptedMarket(NOW).setBook("polymarket", "YES", [[0.49, 100]], [[0.5, 100]]);
    await new PaperBroker(market, { account, now: () => NOW }).placeOrder(request("polymarket", "YES", "buy", 10));
    const second = new PaperBroker(market, { account, now: () => NOW });
    expect((await second.getBalance("polymarket")).available).toBe(495);
    expect((await second.getPositions("polymarket"))[0]!.quantity).toBe(10);
  });

  it("uses fee models passed in over the venue's", async () => {
    const market = new ScriptedMarket(NOW).setBook("polymarket", "YES", [[0.49, 100]], [[0.5, 100]]);
    const broker = new PaperBroker(market, { now: () => NOW, fees: { polymarket: { fee: (q) => q * 0.01 } } });
    expect((await broker.placeOrder(request("polymarket", "YES", "buy", 10))).fee).toBeCloseTo(0.1, 10);
  });
});

describe("PaperBroker: idempotency", () => {
  it("returns the same order for the same clientOrderId and does not double the position", async () => {
    const { market, broker } = setup();
    const first = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { clientOrderId: "run_1:buy" }));
    const requestsAfterFirst = market.bookRequests;
    const again = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { clientOrderId: "run_1:buy" }));
    expect(again).toEqual(first);
    expect(market.bookRequests).toBe(requestsAfterFirst); // not even re-priced
    expect((await broker.getPositions("polymarket"))[0]!.quantity).toBe(5);
    expect((await broker.getBalance("polymarket")).available).toBe(9_997.5);
    expect(Object.keys(broker.account.orders)).toHaveLength(1);
    const other = await broker.placeOrder(request("polymarket", "YES", "buy", 5, { clientOrderId: "run_2:buy" }));
    expect(other.id).not.toBe(first.id);
    expect((await broker.getPositions("polymarket"))[0]!.quantity).toBe(10);
  });

  it("also returns a rejected order as it was", async () => {
    const { broker } = setup();
    const rejected = await broker.placeOrder(request("polymarket", "YES", "sell", 5, { clientOrderId: "same" }));
    await broker.placeOrder(request("polymarket", "YES", "buy", 10, { clientOrderId: "buy" }));
    const again = await broker.placeOrder(request("polymarket", "YES", "sell", 5, { clientOrderId: "same" }));
    expect(again).toEqual(rejected);
    expect((await broker.getPositions("polymarket"))[0]!.quantity).toBe(10);
  });

  it("gives distinct orders distinct ids", async () => {
    const { broker } = setup();
    const a = await broker.placeOrder(request("polymarket", "YES", "buy", 1));
    const b = await broker.placeOrder(request("polymarket", "YES", "buy", 1));
    expect(a.id).not.toBe(b.id);
    expect(a.id).toContain(a.clientOrderId);
  });
});

describe("PaperBroker: quantity steps", () => {
  it("rounds down to whole contracts on kalshi", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("kalshi", "KX", "buy", 10.7));
    expect(order).toMatchObject({ status: "filled", quantity: 10, filledQuantity: 10 });
    expect((await broker.getPositions("kalshi"))[0]!.quantity).toBe(10);
  });

  it("rounds down to cents of a share on polymarket and 0.00001 on binance", async () => {
    const { broker } = setup();
    expect(await broker.placeOrder(request("polymarket", "YES", "buy", 3.456))).toMatchObject({ quantity: 3.45, filledQuantity: 3.45 });
    expect(await broker.placeOrder(request("polymarket", "YES", "buy", 0.29))).toMatchObject({ quantity: 0.29 }); // 0.29 / 0.01 is 28.999...
    expect(await broker.placeOrder(request("binance", "BTCUSDT", "buy", 0.123456789))).toMatchObject({ quantity: 0.12345, filledQuantity: 0.12345 });
    expect(QUANTITY_STEP).toEqual({ binance: 0.00001, polymarket: 0.01, kalshi: 1 });
  });

  it("rejects a quantity below the venue's step", async () => {
    const { broker } = setup();
    const order = await broker.placeOrder(request("kalshi", "KX", "buy", 0.9));
    expect(order.status).toBe("rejected");
    expect(order.reason).toBe("quantity 0.9 is below the venue's minimum step 1");
    expect((await broker.placeOrder(request("polymarket", "YES", "buy", 0.004))).status).toBe("rejected");
    expect((await broker.placeOrder(request("polymarket", "YES", "buy", -1))).status).toBe("rejected");
  });
});

describe("PaperBroker: fees", () => {
  it("charges the venue's fee on each fill", async () => {
    const { broker } = setup();
    expect((await broker.placeOrder(request("binance", "BTCUSDT", "buy", 3))).fee).toBeCloseTo(0.3, 10); // 0.1% of 300
    expect((await broker.placeOrder(request("kalshi", "KX", "buy", 10))).fee).toBe(0.17); // ceil(0.168) to the cent
    expect((await broker.placeOrder(request("polymarket", "YES", "buy", 10))).fee).toBe(0);
    expect((await broker.getBalance("kalshi")).available).toBeCloseTo(10_000 - 4 - 0.17, 8);
  });

  it("rounds kalshi fees up to the cent but leaves exact cents alone", () => {
    expect(VENUE_FEES.kalshi.fee(100, 0.5)).toBe(1.75);
    expect(VENUE_FEES.kalshi.fee(10, 0.4)).toBe(0.17);
    expect(VENUE_FEES.kalshi.fee(1, 0.5)).toBe(0.02); // 0.0175
    expect(VENUE_FEES.kalshi.fee(1, 0.01)).toBe(0.01);
    expect(VENUE_FEES.binance.fee(2, 50)).toBeCloseTo(0.1, 12);
    expect(VENUE_FEES.polymarket.fee(1_000, 0.5)).toBe(0);
  });
});

describe("PaperBroker: daily PnL", () => {
  it("is zero for a fresh account", async () => {
    expect(await setup().broker.getDailyPnl("polymarket")).toBe(0);
  });

  it("marks open positions at the quote's mid", async () => {
    const { market, broker } = setup();
    await broker.placeOrder(request("polymarket", "YES", "buy", 10)); // 10 @ 0.50
    expect(await broker.getDailyPnl("polymarket")).toBeCloseTo((0.49 - 0.5) * 10, 8); // mid of 0.48 / 0.50
    market.setBook("polymarket", "YES", [[0.69, 100]], [[0.71, 100]]);
    expect(await broker.getDailyPnl("polymarket")).toBeCloseTo(2, 8);
    market.setBook("polymarket", "YES", [[0.29, 100]], [[0.31, 100]]);
    expect(await broker.getDailyPnl("polymarket")).toBeCloseTo(-2, 8);
  });

  it("counts a buy's fee as soon as it is paid", async () => {
    const { broker } = setup();
    await broker.placeOrder(request("binance", "BTCUSDT", "buy", 2)); // 2 @ 100, fee 0.2; mid 99.5
    expect(await broker.getDailyPnl("binance")).toBeCloseTo(2 * (99.5 - 100) - 0.2, 8);
  });

  it("adds realised to unrealised, per venue", async () => {
    const { market, broker } = setup();
    await broker.placeOrder(request("polymarket", "YES", "buy", 10)); // @ 0.50
    market.setBook("polymarket", "YES", [[0.6, 100]], [[0.62, 100]]);
    await broker.placeOrder(request("polymarket", "YES", "sell", 4)); // realise 4 x 0.10 = 0.4
    // unrealised: 6 x (0.61 - 0.50) = 0.66
    expect(await broker.getDailyPnl("polymarket")).toBeCloseTo(0.4 + 0.66, 8);
    expect(await broker.getDailyPnl("kalshi")).toBe(0);
  });

  it("starts from the realised PnL held in the account state", async () => {
    const account = newPaperAccount();
    account.realizedToday.kalshi = -42.5;
    const broker = new PaperBroker(new ScriptedMarket(NOW), { account, now: () => NOW });
    expect(await broker.getDailyPnl("kalshi")).toBe(-42.5);
    expect(await broker.getDailyPnl("binance")).toBe(0);
  });
});

describe("PaperBroker on the simulated market", () => {
  it("fills at the simulated book and is reproducible", async () => {
    const place = async () => {
      const market = new SimulatedMarket({ now: NOW, seed: 5 });
      const broker = new PaperBroker(market, { now: () => NOW });
      const book = await market.getOrderBook({ venue: "binance", symbol: "BTCUSDT" }, 1);
      const order = await broker.placeOrder({ venue: "binance", symbol: "BTCUSDT", side: "buy", quantity: 0.001, clientOrderId: "sim" });
      return { order, bestAsk: book.asks[0]![0] };
    };
    const a = await place();
    const b = await place();
    expect(a.order.status).toBe("filled");
    expect(a.order.averagePrice).toBe(a.bestAsk);
    expect(a.order).toEqual(b.order);
  });
});
