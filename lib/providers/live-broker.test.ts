import { describe, expect, it } from "vitest";
import { LiveBroker, PreTradeError, type PreTradeLimits } from "./live-broker";
import { ScriptedMarket } from "./scripted-market";
import type { MarketRef, MarketRules, Order, OrderRequest, Position } from "./types";
import type { VenueAccountClient } from "../venues/types";
import { VenueError } from "../venues/errors";
import { rejection } from "@/test/rejection";

const NOW = Date.parse("2026-11-25T12:00:00Z");

/** A venue account that records what it is sent; its behaviour per call is set by the test. */
class FakeAccount implements VenueAccountClient {
  readonly venue = "binance" as const;
  placed: OrderRequest[] = [];
  lookups: string[] = [];
  positions: Position[] = [];
  onPlace: (r: OrderRequest) => Order | Promise<Order> = (r) => filled(r);
  onFind: (clientOrderId: string) => Order | null | Promise<Order | null> = () => null;
  async getBalance() {
    return { venue: this.venue, currency: "USDT", available: 1_000 };
  }
  async getPositions() {
    return this.positions;
  }
  async placeOrder(r: OrderRequest) {
    this.placed.push(r);
    return this.onPlace(r);
  }
  async cancelOrder(symbol: string, orderId: string): Promise<Order> {
    return { ...filled({ venue: "binance", symbol, side: "buy", quantity: 1, clientOrderId: "x" }), id: orderId, status: "cancelled" };
  }
  async findOrder(_symbol: string, clientOrderId: string) {
    this.lookups.push(clientOrderId);
    return this.onFind(clientOrderId);
  }
}

function filled(r: OrderRequest): Order {
  return {
    id: `b-${r.clientOrderId}`,
    clientOrderId: r.clientOrderId,
    venue: r.venue,
    symbol: r.symbol,
    side: r.side,
    type: r.limitPrice === undefined ? "market" : "limit",
    quantity: r.quantity,
    filledQuantity: r.quantity,
    limitPrice: r.limitPrice ?? null,
    averagePrice: 100,
    fee: 0,
    status: "filled",
    broker: "live",
    at: new Date(NOW).toISOString(),
  };
}

class RulesMarket extends ScriptedMarket {
  rules: MarketRules = { tickSize: 0.01, stepSize: 0.001, minQuantity: 0.001, minNotional: 5 };
  quoteAt = NOW;
  async getRules(_m: MarketRef) {
    return this.rules;
  }
  override async getQuote(m: MarketRef) {
    return { ...(await super.getQuote(m)), at: new Date(this.quoteAt).toISOString() };
  }
}

function setup(limits: Partial<PreTradeLimits> = {}) {
  const market = new RulesMarket(NOW).setBook("binance", "BTCUSDT", [[99.9, 5]], [[100.1, 5]]);
  const account = new FakeAccount();
  const broker = new LiveBroker({
    limits: { venue: "binance", maxOrderValue: 50, maxPositionValue: 120, priceCollar: 0.05, maxQuoteAgeMs: 10_000, ...limits },
    market,
    account: async () => account,
    now: () => NOW,
    lookupDelays: [0, 0, 0],
  });
  return { market, account, broker };
}

let n = 0;
const req = (over: Partial<OrderRequest> = {}): OrderRequest => ({ venue: "binance", symbol: "BTCUSDT", side: "buy", quantity: 0.3, clientOrderId: `run_1:buy_${++n}`, ...over });

const refusal = (p: Promise<unknown>) => rejection(p, PreTradeError);

describe("LiveBroker: the pre-trade check", () => {
  it("sends an order that passes every check, rounded to the venue's step, a market order bounded by the collar", async () => {
    const { broker, account } = setup();
    const order = await broker.placeOrder(req({ quantity: 0.30049 }));
    expect(order.status).toBe("filled");
    expect(account.placed).toHaveLength(1);
    expect(account.placed[0]).toMatchObject({ quantity: 0.3, protectPrice: 105 });
    expect(account.placed[0]!.limitPrice).toBeUndefined();
    // A limit price goes to the tick, buys down and sells up.
    await broker.placeOrder(req({ limitPrice: 100.0349, quantity: 0.1 }));
    await broker.placeOrder(req({ side: "sell", limitPrice: 99.9911, quantity: 0.1 }));
    expect(account.placed.slice(1).map((r) => r.limitPrice)).toEqual([100.03, 100]);
  });

  it("counts this run's resting orders and any spelling of the market towards the position limit", async () => {
    const { broker, account } = setup();
    account.onPlace = (r) => ({ ...filled(r), status: "open", filledQuantity: 0 });
    account.positions = [{ venue: "binance", symbol: "btcusdt", quantity: 0.5, averagePrice: 100 }];
    // 0.5 held + 0.4 + 0.4 resting at 99.5 = 129 > 120 on the third order.
    await broker.placeOrder(req({ limitPrice: 99.5, quantity: 0.4 }));
    await broker.placeOrder(req({ limitPrice: 99.5, quantity: 0.2 }));
    const e = await refusal(broker.placeOrder(req({ symbol: "BTCUSDT", limitPrice: 99.5, quantity: 0.2 })));
    expect(e.check).toBe("position limit");
    expect(account.placed).toHaveLength(2);
  });

  it("values a Kalshi sell that opens a NO position at what it costs, 1 - price", async () => {
    const market = new RulesMarket(NOW).setBook("kalshi", "KX", [[0.04, 1_000]], [[0.06, 1_000]]);
    market.rules = { tickSize: 0.01, stepSize: 1, minQuantity: 1, minNotional: 0 };
    const account = new FakeAccount();
    const broker = new LiveBroker({ limits: { venue: "kalshi", maxOrderValue: 50, maxPositionValue: 500, priceCollar: 0.5, maxQuoteAgeMs: 10_000 }, market, account: async () => account, now: () => NOW, lookupDelays: [0] });
    // Selling 100 YES at 0.05 that are not held buys 100 NO at 0.95: 95, not 5.
    const e = await refusal(broker.placeOrder({ venue: "kalshi", symbol: "KX", side: "sell", quantity: 100, limitPrice: 0.05, clientOrderId: "k1" }));
    expect(e.message).toBe("pre-trade check (order value): order value 95.00 exceeds the armed maximum 50");
    expect(account.placed).toHaveLength(0);
  });

  it("checks the arming again before every order", async () => {
    const market = new RulesMarket(NOW).setBook("binance", "BTCUSDT", [[99.9, 5]], [[100.1, 5]]);
    const account = new FakeAccount();
    let armed = true;
    const broker = new LiveBroker({
      limits: { venue: "binance", maxOrderValue: 50, maxPositionValue: 120, priceCollar: 0.05, maxQuoteAgeMs: 10_000 },
      market,
      account: async () => account,
      now: () => NOW,
      stillArmed: async () => {
        if (!armed) throw new PreTradeError("armed", "live trading was disarmed");
      },
    });
    await broker.placeOrder(req());
    armed = false;
    await expect(broker.placeOrder(req())).rejects.toThrow("pre-trade check (armed): live trading was disarmed");
    expect(account.placed).toHaveLength(1);
  });

  it("refuses an order worth more than the armed maximum, before anything reaches the venue", async () => {
    const { broker, account } = setup();
    // A market buy is valued at the worst price it may fill at: the mid (100) plus the 5% collar.
    const e = await refusal(broker.placeOrder(req({ quantity: 0.6 })));
    expect(e.check).toBe("order value");
    expect(e.message).toBe("pre-trade check (order value): order value 63.00 exceeds the armed maximum 50");
    expect(account.placed).toHaveLength(0);
  });

  it("refuses a venue other than the armed one", async () => {
    const { broker, account } = setup();
    const e = await refusal(broker.placeOrder(req({ venue: "kalshi", symbol: "KX" })));
    expect(e.message).toContain("armed for binance only, not kalshi");
    expect(account.placed).toHaveLength(0);
  });

  it("refuses a limit price outside the collar around a fresh quote", async () => {
    const { broker, account } = setup();
    const e = await refusal(broker.placeOrder(req({ limitPrice: 120, quantity: 0.1 })));
    expect(e.check).toBe("price collar");
    expect(account.placed).toHaveLength(0);
    await expect(broker.placeOrder(req({ limitPrice: 103, quantity: 0.1 }))).resolves.toMatchObject({ status: "filled" });
  });

  it("refuses when the quote is older than the limit", async () => {
    const { broker, market, account } = setup();
    market.quoteAt = NOW - 30_000;
    const e = await refusal(broker.placeOrder(req()));
    expect(e.message).toBe("pre-trade check (quote age): the BTCUSDT quote is 30 s old; the limit is 10 s");
    expect(account.placed).toHaveLength(0);
  });

  it("refuses an order that would take the position past its limit, but lets one that reduces it through", async () => {
    const { broker, account } = setup();
    account.positions = [{ venue: "binance", symbol: "BTCUSDT", quantity: 1, averagePrice: 90 }];
    const e = await refusal(broker.placeOrder(req({ quantity: 0.3 })));
    expect(e.check).toBe("position limit");
    await expect(broker.placeOrder(req({ side: "sell", quantity: 0.3 }))).resolves.toMatchObject({ status: "filled" });
  });

  it("refuses a market order with no price to trade at, and an order below the venue's minimum", async () => {
    const { broker, market } = setup();
    // A quote with no ask (the venue clients refuse such a quote themselves; this is the broker's own guard).
    market.setBook("binance", "EMPTY", [[1, 1]], [[Number.NaN, 0]]);
    expect((await refusal(broker.placeOrder(req({ symbol: "EMPTY" })))).check).toBe("market");
    expect((await refusal(broker.placeOrder(req({ quantity: 0.0004 })))).check).toBe("quantity");
    expect((await refusal(broker.placeOrder(req({ quantity: 0.01 })))).message).toContain("below the venue's minimum 5");
  });
});

describe("LiveBroker: no duplicate orders", () => {
  it("the same client order id is sent once", async () => {
    const { broker, account } = setup();
    const r = req();
    const [a, b] = await Promise.all([broker.placeOrder(r), broker.placeOrder(r)]);
    expect(a).toBe(b);
    expect(account.placed).toHaveLength(1);
  });

  it("an order whose answer was lost is looked up by its client order id, not sent again", async () => {
    const { broker, account } = setup();
    account.onPlace = () => {
      throw new VenueError({ venue: "binance", status: 503, message: "POST /api/v3/order: service unavailable", statusUnknown: true });
    };
    account.onFind = (id) => (account.lookups.length < 2 ? Promise.reject(new Error("still down")) : filled({ ...req(), clientOrderId: id }));
    const r = req();
    const order = await broker.placeOrder(r);
    expect(order).toMatchObject({ status: "filled", clientOrderId: r.clientOrderId });
    expect(account.placed).toHaveLength(1);
    expect(account.lookups).toEqual([r.clientOrderId, r.clientOrderId]);
  });

  it("an order the venue does not find stays 'status unknown': the node fails and nothing is resent", async () => {
    const { broker, account } = setup();
    account.onPlace = () => {
      throw new VenueError({ venue: "binance", message: "POST /api/v3/order timed out after 5000 ms", statusUnknown: true });
    };
    await expect(broker.placeOrder(req())).rejects.toThrow(/status unknown .*after 3 lookups the venue did not know it\. It was not sent again/);
    expect(account.placed).toHaveLength(1);
    expect(account.lookups).toHaveLength(3);
  });

  it("when the venue cannot be asked either, the node fails with 'status unknown' and nothing is resent", async () => {
    const { broker, account } = setup();
    account.onPlace = () => {
      throw new VenueError({ venue: "binance", status: 500, message: "internal error", statusUnknown: true });
    };
    account.onFind = () => Promise.reject(new Error("connection refused"));
    await expect(broker.placeOrder(req())).rejects.toThrow(/status unknown .*It was not sent again/);
    expect(account.placed).toHaveLength(1);
    expect(account.lookups).toHaveLength(3);
  });

  it("a definite venue refusal is passed on as is", async () => {
    const { broker, account } = setup();
    account.onPlace = () => {
      throw new VenueError({ venue: "binance", status: 400, code: -2010, message: "Account has insufficient balance" });
    };
    await expect(broker.placeOrder(req())).rejects.toThrow("binance: Account has insufficient balance (HTTP 400, code -2010)");
    expect(account.lookups).toHaveLength(0);
  });
});
