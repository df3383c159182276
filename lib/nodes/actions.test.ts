import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import { clientOrderId } from "./actions";
import { executeWorkflow } from "../workflow/executor";
import type { RunResult } from "../workflow/events";
import { withDefaults } from "../workflow/properties";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import type { MarketData, NodeServices, Notification, Order } from "../providers/types";
import { ScriptedMarket } from "../providers/scripted-market";
import { NOW, type TestBlock, type Wire, compile, resultOf, outputOf } from "./test-kit";

const RUN_ID = "run_actions";

interface TestServices extends NodeServices {
  broker: PaperBroker;
  sent: Notification[];
}

function servicesFor(market: MarketData): TestServices {
  const sent: Notification[] = [];
  const broker = new PaperBroker(market, { now: () => NOW.getTime() });
  return { market, broker, sent, notifier: { notify: (n) => void sent.push(n) } };
}

const simServices = (seed = 1) => servicesFor(new SimulatedMarket({ now: NOW.getTime(), seed }));

function run(blocks: TestBlock[], wires: Wire[], services: NodeServices, runId = RUN_ID): Promise<RunResult> {
  return executeWorkflow(compile(blocks, wires), { services, now: NOW, runId });
}

function orderOf(result: RunResult, id: string): Order {
  const order = outputOf(result, id).order as Order | null;
  if (!order) throw new Error(`${id} placed no order`);
  return order;
}

const manual: TestBlock = { id: "go", category: "triggers", type: "manual" };
const constant = (id: string, value: number): TestBlock => ({ id, category: "values", type: "constant", properties: { value } });
const action = (id: string, type: string, properties: Record<string, unknown> = {}): TestBlock => ({ id, category: "actions", type, properties });
/** A false signal: compare 0 > 1. */
const falseSignal: TestBlock = { id: "no", category: "conditions", type: "compare", properties: { operator: ">", value2: 1 } };
const zero = constant("zero", 0);

// Port indexes: manual out 0 fired; buy/sell in 0 signal, 1 amount, 2 price, out 0 order;
// cancel in 0 signal, 1 order; notify in 0 signal, 1 message, 2 value.

/** Runs a definition directly with exact inputs. */
async function runNode(type: string, inputs: Record<string, unknown>, props: Record<string, unknown>, services: NodeServices) {
  const def = catalog.get("actions", type)!;
  return def.run({
    inputs,
    props: withDefaults(def.properties, props),
    signal: new AbortController().signal,
    services,
    block: { id: type, name: def.label },
    run: { id: RUN_ID, mode: "simulated", now: NOW, clock: () => NOW.getTime() },
  });
}

describe("buy / sell: signal gating", () => {
  it("places nothing when the signal is unconnected", async () => {
    const services = simServices();
    const result = await run([action("buy", "buy"), action("sell", "sell")], [], services);
    expect(outputOf(result, "buy")).toEqual({ order: null });
    expect(outputOf(result, "sell")).toEqual({ order: null });
    expect(Object.keys(services.broker.account.orders)).toHaveLength(0);
  });

  it("places nothing when the signal is false", async () => {
    const services = simServices();
    const result = await run([zero, falseSignal, action("buy", "buy")], [["zero", 0, "no", 0], ["no", 0, "buy", 0]], services);
    expect(outputOf(result, "no")).toEqual({ result: false });
    expect(outputOf(result, "buy")).toEqual({ order: null });
    expect(Object.keys(services.broker.account.orders)).toHaveLength(0);
    expect(await services.broker.getPositions("polymarket")).toEqual([]);
  });

  it("places nothing for an amount of 0 and fails for a negative one", async () => {
    const services = simServices();
    const result = await run([manual, zero, action("buy", "buy")], [["go", 0, "buy", 0], ["zero", 0, "buy", 1]], services);
    expect(outputOf(result, "buy")).toEqual({ order: null });
    await expect(runNode("buy", { signal: true, amount: -1 }, {}, services)).rejects.toThrow(/"amount" must not be negative/);
    await expect(runNode("buy", { signal: true }, {}, services)).rejects.toThrow(/"amount" has no value/);
    await expect(runNode("buy", { signal: "yes", amount: 1 }, {}, services)).rejects.toThrow(/"signal" must be true or false/);
    expect(Object.keys(services.broker.account.orders)).toHaveLength(0);
  });
});

describe("buy / sell: paper fills", () => {
  it("buys a small amount at the best ask of the simulated book", async () => {
    const services = simServices();
    const book = await services.market.getOrderBook({ venue: "polymarket", symbol: "SIM-YES" }, 5);
    const bestAsk = book.asks[0]!;
    expect(bestAsk[1]).toBeGreaterThan(10); // the first level holds the whole order
    const result = await run([manual, action("buy", "buy", { venue: "polymarket", amount: 10 })], [["go", 0, "buy", 0]], services);
    const order = orderOf(result, "buy");
    expect(order).toMatchObject({
      status: "filled",
      side: "buy",
      type: "market",
      venue: "polymarket",
      symbol: "SIM-YES",
      quantity: 10,
      filledQuantity: 10,
      averagePrice: bestAsk[0],
      fee: 0,
      broker: "paper",
      at: NOW.toISOString(),
    });
    expect(await services.broker.getPositions("polymarket")).toEqual([{ venue: "polymarket", symbol: "SIM-YES", quantity: 10, averagePrice: bestAsk[0] }]);
    expect((await services.broker.getBalance("polymarket")).available).toBeCloseTo(10_000 - 10 * bestAsk[0], 8);
  });

  it("uses the amount input over the property and the symbol property", async () => {
    const services = servicesFor(new ScriptedMarket(NOW).setBook("binance", "ETHUSDT", [[2_999, 5]], [[3_001, 5]]));
    const result = await run(
      [manual, constant("amt", 0.5), action("buy", "buy", { venue: "binance", symbol: "ETHUSDT", amount: 3 })],
      [["go", 0, "buy", 0], ["amt", 0, "buy", 1]],
      services,
    );
    expect(orderOf(result, "buy")).toMatchObject({ status: "filled", symbol: "ETHUSDT", filledQuantity: 0.5, averagePrice: 3_001 });
  });

  it("charges binance 0.1% of notional", async () => {
    const sim = simServices();
    const simOrder = orderOf(await run([manual, action("buy", "buy", { venue: "binance", amount: 0.01 })], [["go", 0, "buy", 0]], sim), "buy");
    expect(simOrder.status).toBe("filled");
    expect(simOrder.symbol).toBe("BTCUSDT");
    expect(simOrder.fee).toBeCloseTo(0.01 * simOrder.averagePrice! * 0.001, 8);
    expect(simOrder.fee).toBeGreaterThan(0);

    const fake = servicesFor(new ScriptedMarket(NOW).setBook("binance", "BTCUSDT", [[99, 10]], [[100, 10]]));
    const order = orderOf(await run([manual, action("buy", "buy", { venue: "binance", amount: 2 })], [["go", 0, "buy", 0]], fake), "buy");
    expect(order).toMatchObject({ status: "filled", averagePrice: 100, fee: 0.2 });
    expect((await fake.broker.getBalance("binance")).available).toBeCloseTo(10_000 - 200 - 0.2, 8);
  });

  it("charges kalshi ceil(0.07 x q x p x (1 - p)) to the cent", async () => {
    const cases: [number, number, number][] = [
      // [quantity, price, fee]
      [10, 0.4, 0.17], // 0.168 -> 0.17
      [100, 0.5, 1.75], // exactly 1.75 stays 1.75
      [1, 0.01, 0.01], // 0.000693 -> 0.01
      [3, 0.9, 0.02], // 0.0189 -> 0.02
    ];
    for (const [quantity, price, fee] of cases) {
      const services = servicesFor(new ScriptedMarket(NOW).setBook("kalshi", "SIM-KALSHI", [[price - 0.01, 1_000]], [[price, 1_000]]));
      const order = orderOf(await run([manual, action("buy", "buy", { venue: "kalshi", amount: quantity })], [["go", 0, "buy", 0]], services), "buy");
      expect(order, `${quantity} @ ${price}`).toMatchObject({ status: "filled", averagePrice: price, fee });
    }
    // and on the simulated market, a whole-cent fee
    const sim = simServices();
    const order = orderOf(await run([manual, action("buy", "buy", { venue: "kalshi", amount: 7 })], [["go", 0, "buy", 0]], sim), "buy");
    const p = order.averagePrice!;
    expect(order.fee).toBe(Math.ceil(Number((0.07 * 7 * p * (1 - p) * 100).toFixed(6))) / 100);
    expect(Number.isInteger(Math.round(order.fee * 100))).toBe(true);
  });

  it("charges polymarket nothing", async () => {
    const services = servicesFor(new ScriptedMarket(NOW).setBook("polymarket", "SIM-YES", [[0.49, 1_000]], [[0.5, 1_000]]));
    const order = orderOf(await run([manual, action("buy", "buy", { venue: "polymarket", amount: 100 })], [["go", 0, "buy", 0]], services), "buy");
    expect(order).toMatchObject({ status: "filled", averagePrice: 0.5, fee: 0 });
    expect((await services.broker.getBalance("polymarket")).available).toBe(9_950);
  });

  it("sets clientOrderId to runId:nodeId", async () => {
    const services = simServices();
    const result = await run([manual, action("buyA", "buy", { amount: 1 }), action("buyB", "buy", { amount: 2 })], [["go", 0, "buyA", 0], ["go", 0, "buyB", 0]], services, "run_42");
    expect(orderOf(result, "buyA").clientOrderId).toBe("run_42:buyA");
    expect(orderOf(result, "buyB").clientOrderId).toBe("run_42:buyB");
    expect(clientOrderId("run_42", "buyA")).toBe("run_42:buyA");
    expect((await services.broker.getPositions("polymarket"))[0]!.quantity).toBe(3);
  });

  it("does not place the same node's order twice when a run is repeated with the same run id", async () => {
    const services = simServices();
    const blocks = [manual, action("buy", "buy", { amount: 5 })];
    const first = orderOf(await run(blocks, [["go", 0, "buy", 0]], services, "run_same"), "buy");
    const second = orderOf(await run(blocks, [["go", 0, "buy", 0]], services, "run_same"), "buy");
    expect(second.id).toBe(first.id);
    expect((await services.broker.getPositions("polymarket"))[0]!.quantity).toBe(5);
    const third = orderOf(await run(blocks, [["go", 0, "buy", 0]], services, "run_other"), "buy");
    expect(third.id).not.toBe(first.id);
    expect((await services.broker.getPositions("polymarket"))[0]!.quantity).toBe(10);
  });

  it("rejects a sell without a position, with a reason", async () => {
    const services = simServices();
    const result = await run([manual, action("sell", "sell", { amount: 5 })], [["go", 0, "sell", 0]], services);
    const order = orderOf(result, "sell");
    expect(order.status).toBe("rejected");
    expect(order.filledQuantity).toBe(0);
    expect(order.reason).toMatch(/cannot sell 5: 0 held/);
    expect((await services.broker.getBalance("polymarket")).available).toBe(10_000);
  });

  it("sells part of a position bought in an earlier run at the best bid", async () => {
    const market = new ScriptedMarket(NOW).setBook("polymarket", "SIM-YES", [[0.49, 1_000]], [[0.5, 1_000]]);
    const services = servicesFor(market);
    orderOf(await run([manual, action("buy", "buy", { amount: 10 })], [["go", 0, "buy", 0]], services, "run_1"), "buy");
    market.setBook("polymarket", "SIM-YES", [[0.6, 1_000]], [[0.61, 1_000]]); // the price rose
    const sell = orderOf(await run([manual, action("sell", "sell", { amount: 4 })], [["go", 0, "sell", 0]], services, "run_2"), "sell");
    expect(sell).toMatchObject({ status: "filled", side: "sell", filledQuantity: 4, averagePrice: 0.6 });
    expect((await services.broker.getPositions("polymarket"))[0]).toMatchObject({ quantity: 6, averagePrice: 0.5 });
  });

  it("fails a limit order without a price", async () => {
    const services = simServices();
    const result = await run([manual, action("buy", "buy", { order_type: "limit" })], [["go", 0, "buy", 0]], services);
    expect(resultOf(result, "buy").status).toBe("failed");
    expect(resultOf(result, "buy").error).toContain("a limit order needs a price");
    expect(Object.keys(services.broker.account.orders)).toHaveLength(0);
  });

  it("ignores the price for a market order", async () => {
    const services = servicesFor(new ScriptedMarket(NOW).setBook("polymarket", "SIM-YES", [[0.49, 1_000]], [[0.5, 1_000]]));
    const order = orderOf(await run([manual, action("buy", "buy", { order_type: "market", price: 0.1 })], [["go", 0, "buy", 0]], services), "buy");
    expect(order).toMatchObject({ type: "market", limitPrice: null, status: "filled", averagePrice: 0.5 });
  });
});

describe("limit orders and cancel", () => {
  it("rests a limit buy below the ask as open, and the cancel node cancels it", async () => {
    const services = simServices();
    const bestAsk = (await services.market.getOrderBook({ venue: "polymarket", symbol: "SIM-YES" }, 1)).asks[0]![0];
    const limit = Number((bestAsk - 0.1).toFixed(2));
    const result = await run(
      [manual, action("buy", "buy", { order_type: "limit", price: limit, amount: 10 }), action("cancel", "cancel")],
      [["go", 0, "buy", 0], ["go", 0, "cancel", 0], ["buy", 0, "cancel", 1]],
      services,
    );
    const order = orderOf(result, "buy");
    expect(order).toMatchObject({ status: "open", type: "limit", limitPrice: limit, filledQuantity: 0 });
    expect(outputOf(result, "cancel")).toEqual({ cancelled: true });
    expect(services.broker.account.orders[order.id]!.status).toBe("cancelled");
    expect(await services.broker.getPositions("polymarket")).toEqual([]);
    expect((await services.broker.getBalance("polymarket")).available).toBe(10_000);
  });

  it("takes the limit price from a connected input", async () => {
    const services = simServices();
    const result = await run(
      [manual, constant("px", 0.02), action("buy", "buy", { order_type: "limit", amount: 10 })],
      [["go", 0, "buy", 0], ["px", 0, "buy", 2]],
      services,
    );
    expect(orderOf(result, "buy")).toMatchObject({ status: "open", limitPrice: 0.02 });
  });

  it("does not cancel when its signal is false", async () => {
    const services = simServices();
    const result = await run(
      [manual, zero, falseSignal, action("buy", "buy", { order_type: "limit", price: 0.02 }), action("cancel", "cancel")],
      [["go", 0, "buy", 0], ["zero", 0, "no", 0], ["no", 0, "cancel", 0], ["buy", 0, "cancel", 1]],
      services,
    );
    const order = orderOf(result, "buy");
    expect(outputOf(result, "cancel")).toEqual({ cancelled: false });
    expect(services.broker.account.orders[order.id]!.status).toBe("open");
  });

  it("does not cancel an order that already filled", async () => {
    const services = simServices();
    const result = await run(
      [manual, action("buy", "buy", { amount: 1 }), action("cancel", "cancel")],
      [["go", 0, "buy", 0], ["go", 0, "cancel", 0], ["buy", 0, "cancel", 1]],
      services,
    );
    const order = orderOf(result, "buy");
    expect(order.status).toBe("filled");
    expect(outputOf(result, "cancel")).toEqual({ cancelled: false });
    expect(services.broker.account.orders[order.id]!.status).toBe("filled");
  });

  it("cancels by the order_id property, and fails for an unknown id", async () => {
    const services = simServices();
    const open = await services.broker.placeOrder({ venue: "polymarket", symbol: "SIM-YES", side: "buy", quantity: 5, limitPrice: 0.02, clientOrderId: "setup" });
    expect(open.status).toBe("open");
    const result = await run([manual, action("cancel", "cancel", { venue: "polymarket", order_id: ` ${open.id} ` })], [["go", 0, "cancel", 0]], services);
    expect(outputOf(result, "cancel")).toEqual({ cancelled: true });
    expect(services.broker.account.orders[open.id]!.status).toBe("cancelled");

    const unknown = await run([manual, action("cancel", "cancel", { order_id: "nope" })], [["go", 0, "cancel", 0]], services);
    expect(resultOf(unknown, "cancel").status).toBe("failed");
    expect(resultOf(unknown, "cancel").error).toContain('no paper order "nope"');

    const empty = await run([manual, action("cancel", "cancel")], [["go", 0, "cancel", 0]], services);
    expect(outputOf(empty, "cancel")).toEqual({ cancelled: false });
  });

  it("rejects a connected value that is not an order", async () => {
    await expect(runNode("cancel", { signal: true, order: { foo: 1 } }, {}, simServices())).rejects.toThrow(/"order" must be an order/);
  });
});

describe("notify", () => {
  it("sends the message with {value} replaced", async () => {
    const services = simServices();
    const result = await run(
      [manual, constant("v", 0.42), action("n", "notify", { message: "Price is {value} (was {value})" })],
      [["go", 0, "n", 0], ["v", 0, "n", 2]],
      services,
    );
    expect(outputOf(result, "n")).toEqual({ sent: true });
    expect(services.sent).toEqual([{ nodeId: "n", message: "Price is 0.42 (was 0.42)", at: NOW.toISOString() }]);
  });

  it("inserts text values unquoted, objects as JSON, and nothing for an unconnected value", async () => {
    const services = simServices();
    await runNode("notify", { signal: true, message: "side={value}", value: "buy" }, {}, services);
    await runNode("notify", { signal: true, message: "order={value}", value: { id: "x" } }, {}, services);
    await runNode("notify", { signal: true, message: "empty={value}" }, {}, services);
    expect(services.sent.map((n) => n.message)).toEqual(["side=buy", 'order={"id":"x"}', "empty="]);
  });

  it("does not send when the signal is false or unconnected", async () => {
    const services = simServices();
    const result = await run(
      [zero, falseSignal, action("n", "notify", { message: "should not be sent" }), action("n2", "notify")],
      [["zero", 0, "no", 0], ["no", 0, "n", 0]],
      services,
    );
    expect(outputOf(result, "n")).toEqual({ sent: false });
    expect(outputOf(result, "n2")).toEqual({ sent: false });
    expect(services.sent).toEqual([]);
  });

  it("sends the default message", async () => {
    const services = simServices();
    await run([manual, action("n", "notify")], [["go", 0, "n", 0]], services);
    expect(services.sent.map((n) => n.message)).toEqual(["Signal fired"]);
  });
});
