import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import { executeWorkflow } from "../workflow/executor";
import type { RunResult } from "../workflow/events";
import { withDefaults } from "../workflow/properties";
import { PaperBroker, newPaperAccount, type PaperAccountState } from "../providers/paper-broker";
import { SimulatedMarket } from "../providers/simulated-market";
import type { NodeServices } from "../providers/types";
import { ScriptedMarket } from "../providers/scripted-market";
import { NOW, type TestBlock, type Wire, compile, outputOf } from "./test-kit";

interface TestServices extends NodeServices {
  broker: PaperBroker;
  market: ScriptedMarket;
}

/** A fake polymarket SIM-YES market (asks at 0.50) and a paper broker on it. */
function fakeServices(account?: PaperAccountState): TestServices {
  const market = new ScriptedMarket(NOW).setBook("polymarket", "SIM-YES", [[0.49, 100_000]], [[0.5, 100_000]]);
  market.setBook("polymarket", "OTHER", [[0.49, 100_000]], [[0.5, 100_000]]);
  const broker = new PaperBroker(market, { now: () => NOW.getTime(), ...(account ? { account } : {}) });
  return { market, broker, notifier: { notify: () => {} } };
}

async function buy(services: TestServices, quantity: number, symbol = "SIM-YES", id = `setup_${symbol}_${quantity}`) {
  const order = await services.broker.placeOrder({ venue: "polymarket", symbol, side: "buy", quantity, clientOrderId: id });
  expect(order.status).toBe("filled");
  return order;
}

function run(blocks: TestBlock[], wires: Wire[], services: NodeServices): Promise<RunResult> {
  return executeWorkflow(compile(blocks, wires), { services, now: NOW, runId: "run_risk" });
}

const manual: TestBlock = { id: "go", category: "triggers", type: "manual" };
const constant = (id: string, value: number): TestBlock => ({ id, category: "values", type: "constant", properties: { value } });
const riskBlock = (type: string, properties: Record<string, unknown> = {}): TestBlock => ({ id: "r", category: "risk", type, properties });

/**
 * Runs a gate in a workflow: manual.fired -> signal (input 0), constant -> amount (input 1).
 * Gate outputs: 0 signal, 1 amount, 2 reason.
 */
async function gate(type: string, amount: number, properties: Record<string, unknown>, services: NodeServices, extra: { block: TestBlock; wire: Wire }[] = []) {
  const result = await run(
    [manual, constant("amt", amount), riskBlock(type, properties), ...extra.map((e) => e.block)],
    [["go", 0, "r", 0], ["amt", 0, "r", 1], ...extra.map((e) => e.wire)],
    services,
  );
  return outputOf(result, "r") as { signal: boolean; amount: number; reason: string };
}

/** Runs a definition directly with exact inputs. */
async function runNode(type: string, inputs: Record<string, unknown>, props: Record<string, unknown>, services: NodeServices) {
  const def = catalog.get("risk", type)!;
  return (await def.run({
    inputs,
    props: withDefaults(def.properties, props),
    signal: new AbortController().signal,
    services,
    block: { id: type, name: def.label },
    run: { id: "run_risk", mode: "simulated", now: NOW, clock: () => NOW.getTime() },
  })) as Record<string, unknown>;
}

describe("risk gates: common behaviour", () => {
  it("every gate has inputs signal, amount and outputs signal, amount, reason", () => {
    for (const type of ["max_position", "max_order_value", "daily_loss_limit", "kill_switch"]) {
      const wf = compile([riskBlock(type)]);
      expect(wf.blocks[0]!.inputs.slice(0, 2).map((p) => p.name), type).toEqual(["signal", "amount"]);
      expect(wf.blocks[0]!.outputs.map((p) => p.name), type).toEqual(["signal", "amount", "reason"]);
    }
  });

  it("blocks with reason 'no signal' when the signal is false or unconnected", async () => {
    const services = fakeServices();
    for (const type of ["max_position", "max_order_value", "daily_loss_limit", "kill_switch"]) {
      expect(await runNode(type, { signal: false, amount: 5 }, {}, services)).toEqual({ signal: false, amount: 0, reason: "no signal" });
      expect(await runNode(type, { amount: 5 }, {}, services)).toEqual({ signal: false, amount: 0, reason: "no signal" });
    }
    const result = await run([constant("amt", 5), riskBlock("kill_switch")], [["amt", 0, "r", 1]], services);
    expect(outputOf(result, "r")).toEqual({ signal: false, amount: 0, reason: "no signal" });
  });

  it("fails for a negative amount", async () => {
    await expect(runNode("kill_switch", { signal: true, amount: -1 }, {}, fakeServices())).rejects.toThrow(/"amount" must not be negative/);
  });

  it("feeds a buy: a blocked gate places no order", async () => {
    const services = fakeServices();
    const result = await run(
      [manual, constant("amt", 10), riskBlock("kill_switch", { engaged: true }), { id: "buy", category: "actions", type: "buy" }],
      [["go", 0, "r", 0], ["amt", 0, "r", 1], ["r", 0, "buy", 0], ["r", 1, "buy", 1]],
      services,
    );
    expect(outputOf(result, "buy")).toEqual({ order: null });
    expect(Object.keys(services.broker.account.orders)).toHaveLength(0);
  });
});

describe("max_position", () => {
  it("passes an order that fits, unchanged, with an empty reason", async () => {
    expect(await gate("max_position", 30, { max_position: 100 }, fakeServices())).toEqual({ signal: true, amount: 30, reason: "" });
  });

  it("shrinks the amount to the room left", async () => {
    const services = fakeServices();
    await buy(services, 80);
    const out = await gate("max_position", 50, { max_position: 100 }, services);
    expect(out.signal).toBe(true);
    expect(out.amount).toBe(20);
    expect(out.reason).toContain("position limit 100");
    expect(out.reason).toContain("80 held");
    // exactly the room left passes unchanged
    expect(await gate("max_position", 20, { max_position: 100 }, services)).toEqual({ signal: true, amount: 20, reason: "" });
  });

  it("blocks at (and beyond) the limit", async () => {
    const services = fakeServices();
    await buy(services, 100);
    const out = await gate("max_position", 1, { max_position: 100 }, services);
    expect(out).toMatchObject({ signal: false, amount: 0 });
    expect(out.reason).toContain("position limit 100");
    const beyond = await gate("max_position", 5, { max_position: 60 }, services);
    expect(beyond).toMatchObject({ signal: false, amount: 0 });
  });

  it("counts only the position in its own market", async () => {
    const services = fakeServices();
    await buy(services, 100, "OTHER");
    expect(await gate("max_position", 40, { max_position: 50 }, services)).toEqual({ signal: true, amount: 40, reason: "" });
    expect(await gate("max_position", 40, { max_position: 50, symbol: "OTHER" }, services)).toMatchObject({ signal: false, amount: 0 });
  });
});

describe("max_order_value", () => {
  it("shrinks the amount to max_value / price", async () => {
    const out = await gate("max_order_value", 500, { max_value: 100, price: 0.5 }, fakeServices());
    expect(out.signal).toBe(true);
    expect(out.amount).toBe(200);
    expect(out.reason).toBe("order value limit 100 at price 0.5");
  });

  it("passes an order within the limit unchanged", async () => {
    expect(await gate("max_order_value", 150, { max_value: 100, price: 0.5 }, fakeServices())).toEqual({ signal: true, amount: 150, reason: "" });
  });

  it("takes the price from a connected input over the property", async () => {
    const out = await gate("max_order_value", 500, { max_value: 100, price: 0.5 }, fakeServices(), [{ block: constant("px", 0.25), wire: ["px", 0, "r", 2] }]);
    expect(out.amount).toBe(400);
  });

  it("reads the venue's quote when no price is given", async () => {
    const services = fakeServices();
    services.market.setMid("polymarket", "SIM-YES", 0.4);
    const out = await gate("max_order_value", 1_000, { max_value: 100 }, services);
    expect(out.amount).toBeCloseTo(250, 9);
    expect(out.signal).toBe(true);
  });

  it("blocks when the price is not positive", async () => {
    const out = await runNode("max_order_value", { signal: true, amount: 10, price: 0 }, { max_value: 100 }, fakeServices());
    expect(out).toEqual({ signal: false, amount: 0, reason: "price 0 is not positive" });
  });
});

describe("daily_loss_limit", () => {
  it("passes while there is no loss", async () => {
    expect(await gate("daily_loss_limit", 10, { max_daily_loss: 20 }, fakeServices())).toEqual({ signal: true, amount: 10, reason: "" });
  });

  it("blocks once an unrealised loss reaches the limit", async () => {
    const services = fakeServices();
    await buy(services, 100); // at 0.50
    services.market.setMid("polymarket", "SIM-YES", 0.3); // the price drops: -20 unrealised
    expect(await services.broker.getDailyPnl("polymarket")).toBeCloseTo(-20, 9);
    const blocked = await gate("daily_loss_limit", 10, { max_daily_loss: 20 }, services);
    expect(blocked).toMatchObject({ signal: false, amount: 0 });
    expect(blocked.reason).toContain("reached the limit 20");
    expect(await gate("daily_loss_limit", 10, { max_daily_loss: 25 }, services)).toEqual({ signal: true, amount: 10, reason: "" });
  });

  it("blocks on a realised loss from the account state", async () => {
    const account = newPaperAccount();
    account.realizedToday.polymarket = -150;
    const services = fakeServices(account);
    const out = await gate("daily_loss_limit", 10, { max_daily_loss: 100 }, services);
    expect(out).toMatchObject({ signal: false, amount: 0 });
    expect(out.reason).toBe("daily loss 150 reached the limit 100");
    // another venue's loss does not count
    expect(await gate("daily_loss_limit", 10, { max_daily_loss: 100, venue: "kalshi" }, services)).toEqual({ signal: true, amount: 10, reason: "" });
  });

  it("does not block on a profit", async () => {
    const account = newPaperAccount();
    account.realizedToday.polymarket = 500;
    expect(await gate("daily_loss_limit", 10, { max_daily_loss: 1 }, fakeServices(account))).toEqual({ signal: true, amount: 10, reason: "" });
  });
});

describe("kill_switch", () => {
  it("passes when disengaged", async () => {
    expect(await gate("kill_switch", 7, {}, fakeServices())).toEqual({ signal: true, amount: 7, reason: "" });
  });

  it("blocks when the property is engaged", async () => {
    expect(await gate("kill_switch", 7, { engaged: true }, fakeServices())).toEqual({ signal: false, amount: 0, reason: "kill switch engaged" });
  });

  it("blocks when the engaged input is true, overriding the property", async () => {
    // engaged input (2) <- a true signal from a second manual trigger
    const on = await gate("kill_switch", 7, { engaged: false }, fakeServices(), [{ block: { id: "go2", category: "triggers", type: "manual" }, wire: ["go2", 0, "r", 2] }]);
    expect(on).toEqual({ signal: false, amount: 0, reason: "kill switch engaged" });
    // engaged input <- false (0 > 1) over a property that says engaged
    const off = await gate("kill_switch", 7, { engaged: true }, fakeServices(), [
      { block: { id: "no", category: "conditions", type: "compare", properties: { operator: ">", value2: 1 } }, wire: ["no", 0, "r", 2] },
      { block: constant("zero", 0), wire: ["zero", 0, "no", 0] },
    ]);
    expect(off).toEqual({ signal: true, amount: 7, reason: "" });
  });
});

describe("risk gates never enlarge an order or turn a false signal true", () => {
  /** mulberry32: a small seeded PRNG so the property test is reproducible. */
  function prng(seed: number) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("holds for many random inputs, properties and account states", async () => {
    const random = prng(20261125);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    let checked = 0;
    let passedThrough = 0;
    let blockedOrShrunk = 0;
    for (let i = 0; i < 400; i++) {
      const account = newPaperAccount();
      const held = pick([0, 0, 1, 50, 99.5, 100, 250]) * (random() < 0.5 ? 1 : random());
      if (held > 0) account.positions["polymarket:SIM-YES"] = { venue: "polymarket", symbol: "SIM-YES", quantity: held, averagePrice: 0.5, realizedPnl: 0 };
      account.realizedToday.polymarket = (random() - 0.6) * 300;
      const services = fakeServices(account);
      services.market.setMid("polymarket", "SIM-YES", 0.05 + 0.9 * random());

      const signal = pick([true, true, false, undefined]);
      const amount = pick([0, 1e-9, 0.5, 1, 10, 100, 1e6]) * (random() < 0.5 ? 1 : random());
      const inputs: Record<string, unknown> = { signal, amount };
      const type = pick(["max_position", "max_order_value", "daily_loss_limit", "kill_switch"] as const);
      const props: Record<string, unknown> = {
        max_position: pick([0, 1, 100, 1e9]) * random(),
        max_value: pick([0, 10, 1000]) * random(),
        max_daily_loss: pick([0, 50, 1000]) * random(),
        engaged: random() < 0.3,
      };
      if (type === "max_order_value" && random() < 0.5) inputs.price = pick([0, 0.01, 0.5, 100]);
      if (type === "kill_switch") inputs.engaged = pick([true, false, undefined]);

      const out = await runNode(type, inputs, props, services);
      const label = JSON.stringify({ type, inputs, props, held });
      expect(typeof out.amount, label).toBe("number");
      const outAmount = out.amount as number;
      expect(outAmount, label).toBeLessThanOrEqual(amount);
      expect(outAmount, label).toBeGreaterThanOrEqual(0);
      if (signal !== true) expect(out.signal, label).toBe(false);
      expect(out.signal, label).toBe(outAmount > 0);
      if (outAmount === amount && amount > 0) passedThrough++;
      else if (signal === true && amount > 0) blockedOrShrunk++;
      checked++;
    }
    expect(checked).toBe(400);
    // the sample exercised both outcomes, so the invariant was tested on real decisions
    expect(passedThrough).toBeGreaterThan(20);
    expect(blockedOrShrunk).toBeGreaterThan(20);
  });
});

describe("stop_loss / take_profit", () => {
  // exit rule inputs: 0 price, 1 entry_price; outputs: 0 exit, 1 amount
  async function exitRule(type: "stop_loss" | "take_profit", properties: Record<string, unknown>, services: NodeServices, price?: number, entry?: number) {
    const blocks: TestBlock[] = [riskBlock(type, properties)];
    const wires: Wire[] = [];
    if (price !== undefined) {
      blocks.push(constant("px", price));
      wires.push(["px", 0, "r", 0]);
    }
    if (entry !== undefined) {
      blocks.push(constant("entry", entry));
      wires.push(["entry", 0, "r", 1]);
    }
    return outputOf(await run(blocks, wires, services), "r");
  }

  it("do not exit without a position, whatever the price", async () => {
    const services = fakeServices();
    expect(await exitRule("stop_loss", { percent: 5 }, services, 0.0001)).toEqual({ exit: false, amount: 0 });
    expect(await exitRule("take_profit", { percent: 5 }, services, 0.9999)).toEqual({ exit: false, amount: 0 });
    // a position in another market does not count
    await buy(services, 10, "OTHER");
    expect(await exitRule("stop_loss", { percent: 5 }, services, 0.0001)).toEqual({ exit: false, amount: 0 });
  });

  it("stop_loss exits the whole position at or below entry x (1 - percent)", async () => {
    const services = fakeServices();
    await buy(services, 40); // entry 0.50
    // 10% stop: level 0.45
    expect(await exitRule("stop_loss", { percent: 10 }, services, 0.45)).toEqual({ exit: true, amount: 40 });
    expect(await exitRule("stop_loss", { percent: 10 }, services, 0.3)).toEqual({ exit: true, amount: 40 });
    expect(await exitRule("stop_loss", { percent: 10 }, services, 0.4501)).toEqual({ exit: false, amount: 0 });
    expect(await exitRule("stop_loss", { percent: 10 }, services, 0.6)).toEqual({ exit: false, amount: 0 });
  });

  it("take_profit exits the whole position at or above entry x (1 + percent)", async () => {
    const services = fakeServices();
    await buy(services, 25); // entry 0.50
    // 20% target: level 0.60
    expect(await exitRule("take_profit", { percent: 20 }, services, 0.6)).toEqual({ exit: true, amount: 25 });
    expect(await exitRule("take_profit", { percent: 20 }, services, 0.7)).toEqual({ exit: true, amount: 25 });
    expect(await exitRule("take_profit", { percent: 20 }, services, 0.5999)).toEqual({ exit: false, amount: 0 });
    expect(await exitRule("take_profit", { percent: 20 }, services, 0.4)).toEqual({ exit: false, amount: 0 });
  });

  it("exit exactly at the level even when the level is not exact in floating point", async () => {
    const services = fakeServices();
    await buy(services, 10);
    // 0.4 x 1.1 = 0.44000000000000006 and 0.7 x 0.95 = 0.6649999999999999 in binary floating point
    expect(await exitRule("take_profit", { percent: 10 }, services, 0.44, 0.4)).toEqual({ exit: true, amount: 10 });
    expect(await exitRule("stop_loss", { percent: 5 }, services, 0.665, 0.7)).toEqual({ exit: true, amount: 10 });
    expect(await exitRule("take_profit", { percent: 10 }, services, 0.4399, 0.4)).toEqual({ exit: false, amount: 0 });
    expect(await exitRule("stop_loss", { percent: 5 }, services, 0.6651, 0.7)).toEqual({ exit: false, amount: 0 });
  });

  it("use a connected entry price over the position's average", async () => {
    const services = fakeServices();
    await buy(services, 10); // average 0.50
    // entry 0.80, 10% stop -> level 0.72: price 0.70 exits though it is above the 0.45 level from the average
    expect(await exitRule("stop_loss", { percent: 10 }, services, 0.7, 0.8)).toEqual({ exit: true, amount: 10 });
    expect(await exitRule("stop_loss", { percent: 10 }, services, 0.7)).toEqual({ exit: false, amount: 0 });
  });

  it("read the venue's quote when the price is unconnected", async () => {
    const services = fakeServices();
    await buy(services, 12); // entry 0.50
    services.market.setMid("polymarket", "SIM-YES", 0.3);
    expect(await exitRule("stop_loss", { percent: 10 }, services)).toEqual({ exit: true, amount: 12 });
    expect(await exitRule("take_profit", { percent: 10 }, services)).toEqual({ exit: false, amount: 0 });
    services.market.setMid("polymarket", "SIM-YES", 0.8);
    expect(await exitRule("stop_loss", { percent: 10 }, services)).toEqual({ exit: false, amount: 0 });
    expect(await exitRule("take_profit", { percent: 10 }, services)).toEqual({ exit: true, amount: 12 });
  });

  it("feed a sell that closes the position", async () => {
    const services = fakeServices();
    await buy(services, 15);
    const result = await run(
      [riskBlock("stop_loss", { percent: 10 }), constant("px", 0.2), { id: "sell", category: "actions", type: "sell" }],
      [["px", 0, "r", 0], ["r", 0, "sell", 0], ["r", 1, "sell", 1]],
      services,
    );
    expect(outputOf(result, "sell").order).toMatchObject({ status: "filled", side: "sell", filledQuantity: 15 });
    expect(await services.broker.getPositions("polymarket")).toEqual([]);
  });

  it("work on the simulated market with a position bought there", async () => {
    const market = new SimulatedMarket({ now: NOW.getTime(), seed: 1 });
    const broker = new PaperBroker(market, { now: () => NOW.getTime() });
    const order = await broker.placeOrder({ venue: "binance", symbol: "BTCUSDT", side: "buy", quantity: 0.01, clientOrderId: "setup" });
    const services: NodeServices = { market, broker, notifier: { notify: () => {} } };
    const entry = order.averagePrice!;
    const props = { venue: "binance", symbol: "BTCUSDT", percent: 5 };
    expect(outputOf(await run([riskBlock("stop_loss", props), constant("px", entry * 0.94)], [["px", 0, "r", 0]], services), "r")).toEqual({ exit: true, amount: 0.01 });
    expect(outputOf(await run([riskBlock("stop_loss", props), constant("px", entry * 0.96)], [["px", 0, "r", 0]], services), "r")).toEqual({ exit: false, amount: 0 });
  });
});
