import { describe, expect, it } from "vitest";
import { catalog } from "../nodes";
import { ema, macd, stable } from "../indicators/ta";
import { PaperBroker, newPaperAccount } from "../providers/paper-broker";
import { ScriptedMarket } from "../providers/scripted-market";
import { SimulatedMarket } from "../providers/simulated-market";
import type { MarketData, Order, Venue } from "../providers/types";
import { executeWorkflow } from "../workflow/executor";
import { validateWorkflow } from "../workflow/validate";
import { TEMPLATES, getTemplate } from ".";

const NOW = new Date("2026-11-25T12:00:00Z");

async function run(id: string, market: MarketData, holdings: [Venue, string, number, number][] = [], patch?: (props: Record<string, Record<string, unknown>>) => void) {
  const t = getTemplate(id)!;
  const doc = structuredClone(t.workflow);
  if (patch) {
    const props = Object.fromEntries(doc.blocks.map((b) => [b.id, (b.properties ??= {})]));
    patch(props as Record<string, Record<string, unknown>>);
  }
  const compiled = validateWorkflow(doc, catalog);
  if (!compiled.ok) throw new Error(compiled.problems[0]!.message);
  const account = newPaperAccount(100_000);
  for (const [venue, symbol, quantity, averagePrice] of holdings) account.positions[`${venue}:${symbol}`] = { venue, symbol, quantity, averagePrice, realizedPnl: 0 };
  const broker = new PaperBroker(market, { account, now: () => NOW.getTime() });
  const result = await executeWorkflow(compiled.workflow, { services: { market, broker, notifier: { notify() {} } }, now: NOW, runId: "t" });
  const failed = result.results.filter((r) => r.status !== "succeeded");
  expect(failed, JSON.stringify(failed)).toEqual([]);
  const out = (node: string) => result.results.find((r) => r.nodeId === node)!.output as Record<string, unknown>;
  const order = (node: string) => out(node).order as Order | null;
  return { out, order, broker };
}

describe("every template", () => {
  it("there are eleven, with the names the product promises", () => {
    expect(TEMPLATES.map((t) => t.name)).toEqual([
      "Cross Exchange Arbitrage", "Funding Rate Arbitrage", "Grid Trading", "RSI Mean Reversion", "MACD Crossover",
      "Bollinger Bands", "EMA Cross", "Volume Spike", "Support/Resistance", "Delta Neutral", "Market Making",
    ]);
  });

  it.each(TEMPLATES.map((t) => [t.name, t] as const))("%s: valid, positioned, a risk node before every order, parameters that exist", (_n, t) => {
    const compiled = validateWorkflow(t.workflow, catalog);
    if (!compiled.ok) throw new Error(compiled.problems[0]!.message);
    expect(t.workflow.blocks.every((b) => b.position)).toBe(true);
    const byId = new Map(compiled.workflow.blocks.map((b) => [b.id, b]));
    const orderNodes = compiled.workflow.blocks.filter((b) => ["buy", "sell", "ladder", "quote"].includes(b.type));
    expect(orderNodes.length).toBeGreaterThan(0);
    for (const node of orderNodes) {
      const signalSource = compiled.workflow.inputSources[node.index]![0];
      expect(signalSource, `${t.id}: ${node.id} has its signal connected`).toBeDefined();
      expect(compiled.workflow.blocks[signalSource!.block]!.category, `${t.id}: ${node.id}'s signal comes from a risk node`).toBe("risk");
    }
    for (const p of t.parameters) expect(byId.get(p.block)?.def.properties.some((s) => s.name === p.property), `${t.id}: ${p.block}.${p.property}`).toBe(true);
  });

  it.each(TEMPLATES.map((t) => [t.name, t] as const))("%s: runs without error on the simulated market at several instants", async (_n, t) => {
    const compiled = validateWorkflow(t.workflow, catalog);
    if (!compiled.ok) throw new Error("invalid");
    for (const at of ["2026-11-25T12:00:00Z", "2026-11-26T03:17:00Z", "2026-12-01T20:45:00Z"]) {
      const now = new Date(at);
      const market = new SimulatedMarket({ now: now.getTime(), seed: 3 });
      const r = await executeWorkflow(compiled.workflow, { services: { market, broker: new PaperBroker(market, { now: () => now.getTime() }), notifier: { notify() {} } }, now });
      expect(r.errors).toEqual([]);
      expect(r.status).toBe("completed");
    }
  });
});

const BTC = ["binance", "BTCUSDT"] as const;
const closes = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => Number(f(i).toFixed(4)));

describe("RSI Mean Reversion", () => {
  it("buys below the lower band", async () => {
    const m = new ScriptedMarket(NOW).setCloses(...BTC, closes(100, (i) => 200 - i - (i % 3 === 0 ? 0.5 : 0)));
    const { out, order } = await run("rsi-mean-reversion", m);
    expect(out("rsi").value as number).toBeLessThan(30);
    expect(order("buy")).toMatchObject({ side: "buy", quantity: 0.01, status: "filled" });
    expect(order("sell")).toBeNull();
  });
  it("sells the whole position above the upper band", async () => {
    const m = new ScriptedMarket(NOW).setCloses(...BTC, closes(100, (i) => 100 + i + (i % 3 === 0 ? -0.5 : 0)));
    const { out, order } = await run("rsi-mean-reversion", m, [["binance", "BTCUSDT", 0.03, 150]]);
    expect(out("rsi").value as number).toBeGreaterThan(70);
    expect(order("sell")).toMatchObject({ side: "sell", quantity: 0.03, status: "filled" });
    expect(order("buy")).toBeNull();
  });
  it("does nothing in between, and the position limit shrinks a buy", async () => {
    const flat = new ScriptedMarket(NOW).setCloses(...BTC, closes(100, (i) => 100 + (i % 2 ? 1 : -1)));
    const a = await run("rsi-mean-reversion", flat, [["binance", "BTCUSDT", 0.02, 100]]);
    expect(a.order("buy")).toBeNull();
    expect(a.order("sell")).toBeNull();
    const falling = new ScriptedMarket(NOW).setCloses(...BTC, closes(100, (i) => 200 - i));
    const b = await run("rsi-mean-reversion", falling, [["binance", "BTCUSDT", 0.045, 150]]);
    expect(b.order("buy")).toMatchObject({ quantity: 0.005 });
  });
});

/** A close series whose last bar is the first on which `fast` crosses above (or below) `slow`. */
function crossingSeries(direction: "above" | "below", lines: (values: number[]) => [number[], number[]]): number[] {
  const sign = direction === "above" ? 1 : -1;
  const base = closes(160, (i) => (i < 100 ? 100 - sign * i * 0.4 : 100 - sign * 40 + sign * (i - 100) * 1.5));
  for (let n = 60; n <= base.length; n++) {
    const [a, b] = lines(base.slice(0, n));
    const crossed = sign * (a.at(-2)! - b.at(-2)!) <= 0 && sign * (a.at(-1)! - b.at(-1)!) > 0;
    if (crossed) return base.slice(0, n);
  }
  throw new Error("no crossing found");
}

const emaLines = (v: number[]): [number[], number[]] => {
  const f = stable(ema(v, 9));
  const s = stable(ema(v, 21));
  return [f.slice(-s.length), s];
};
const macdLines = (v: number[]): [number[], number[]] => {
  const m = macd(v, 12, 26, 9);
  return [stable(m.macd), stable(m.signal)];
};

describe.each([
  ["EMA Cross", "ema-cross", emaLines],
  ["MACD Crossover", "macd-crossover", macdLines],
] as const)("%s", (_name, id, lines) => {
  it("buys on the bar where the fast line crosses above", async () => {
    const series = crossingSeries("above", lines);
    const { order } = await run(id, new ScriptedMarket(NOW).setCloses(...BTC, series));
    expect(order("buy")).toMatchObject({ side: "buy", status: "filled" });
  });
  it("does nothing on the next bar, when it is still above: only on crossings", async () => {
    const series = crossingSeries("above", lines);
    const next = [...series, series.at(-1)! + 1.5];
    const [a, b] = lines(next);
    expect(a.at(-1)!).toBeGreaterThan(b.at(-1)!);
    const { order } = await run(id, new ScriptedMarket(NOW).setCloses(...BTC, next));
    expect(order("buy")).toBeNull();
  });
  it("sells the position on the bar where it crosses below", async () => {
    const series = crossingSeries("below", lines);
    const { order } = await run(id, new ScriptedMarket(NOW).setCloses(...BTC, series), [["binance", "BTCUSDT", 0.02, 90]]);
    expect(order("sell")).toMatchObject({ side: "sell", quantity: 0.02 });
    expect(order("buy")).toBeNull();
  });
});

describe("Bollinger Bands", () => {
  const wobble = (last: number) => [...closes(59, (i) => 100 + Math.sin(i) * 2), last];
  it("buys a close below the lower band", async () => {
    const { out, order } = await run("bollinger-bands", new ScriptedMarket(NOW).setCloses(...BTC, wobble(92)));
    expect(out("bands").lower as number).toBeGreaterThan(92);
    expect(order("buy")).toMatchObject({ side: "buy" });
  });
  it("sells the position on a close above the upper band", async () => {
    const { order } = await run("bollinger-bands", new ScriptedMarket(NOW).setCloses(...BTC, wobble(108)), [["binance", "BTCUSDT", 0.01, 100]]);
    expect(order("sell")).toMatchObject({ side: "sell", quantity: 0.01 });
  });
  it("does nothing inside the bands", async () => {
    const { order } = await run("bollinger-bands", new ScriptedMarket(NOW).setCloses(...BTC, wobble(100)), [["binance", "BTCUSDT", 0.01, 100]]);
    expect(order("buy")).toBeNull();
    expect(order("sell")).toBeNull();
  });
});

describe("Volume Spike", () => {
  const rising = closes(60, (i) => 100 + i * 0.2);
  const volumes = (last: number) => [...Array.from({ length: 59 }, (_, i) => 100 + (i % 5) * 4), last];
  it("buys a 3x volume spike on a close above its average", async () => {
    const { out, order } = await run("volume-spike", new ScriptedMarket(NOW).setCloses(...BTC, rising, volumes(400)));
    expect(out("ratio").ratio as number).toBeGreaterThanOrEqual(3);
    expect(order("buy")).toMatchObject({ side: "buy", quantity: 0.01 });
  });
  it("ignores ordinary volume, and a spike on the way down", async () => {
    expect((await run("volume-spike", new ScriptedMarket(NOW).setCloses(...BTC, rising, volumes(180)))).order("buy")).toBeNull();
    const falling = closes(60, (i) => 120 - i * 0.2);
    expect((await run("volume-spike", new ScriptedMarket(NOW).setCloses(...BTC, falling, volumes(400)))).order("buy")).toBeNull();
  });
  it("the order value limit shrinks the buy", async () => {
    const expensive = closes(60, (i) => 150_000 + i * 20);
    const { order } = await run("volume-spike", new ScriptedMarket(NOW).setCloses(...BTC, expensive, volumes(400)));
    expect(order("buy")!.quantity).toBeCloseTo(0.0066, 4); // 1,000 USDT / ~151,180
  });
});

describe("Support/Resistance", () => {
  const range = closes(40, (i) => 100 + 5 * Math.sin(i / 2));
  it("buys a break above the previous 20-bar high", async () => {
    const { out, order } = await run("support-resistance", new ScriptedMarket(NOW).setCloses(...BTC, [...range, 107]));
    expect(out("resistance").value as number).toBeLessThan(107);
    expect(order("buy")).toMatchObject({ side: "buy" });
  });
  it("sells the position on a break below support, and does nothing inside the range", async () => {
    expect((await run("support-resistance", new ScriptedMarket(NOW).setCloses(...BTC, [...range, 93]), [["binance", "BTCUSDT", 0.01, 100]])).order("sell")).toMatchObject({ quantity: 0.01 });
    const inside = await run("support-resistance", new ScriptedMarket(NOW).setCloses(...BTC, [...range, 100]), [["binance", "BTCUSDT", 0.01, 100]]);
    expect(inside.order("buy")).toBeNull();
    expect(inside.order("sell")).toBeNull();
  });
});

describe("Cross Exchange Arbitrage", () => {
  const market = (a: number, b: number) => new ScriptedMarket(NOW).setMid("polymarket", "SIM-YES", a, 0.005).setMid("kalshi", "SIM-KALSHI", b, 0.005);
  it("trades when the spread beats both fees and the edge: buys on A, sells held inventory on B", async () => {
    const { out, order } = await run("cross-exchange-arbitrage", market(0.5, 0.53), [["kalshi", "SIM-KALSHI", 30, 0.5]]);
    expect(out("spread").net_pct as number).toBeCloseTo(6 - 1.75, 6);
    expect(order("buy_a")).toMatchObject({ venue: "polymarket", side: "buy", quantity: 50 });
    expect(order("sell_b")).toMatchObject({ venue: "kalshi", side: "sell", quantity: 30 });
  });
  it("does not trade when the spread does not cover the fees", async () => {
    const { out, order } = await run("cross-exchange-arbitrage", market(0.5, 0.508), [["kalshi", "SIM-KALSHI", 30, 0.5]]);
    expect(out("spread").spread_pct as number).toBeGreaterThan(1.5);
    expect(out("spread").net_pct as number).toBeLessThan(0.5);
    expect(order("buy_a")).toBeNull();
    expect(order("sell_b")).toBeNull();
  });
});

describe("Funding Rate Arbitrage", () => {
  const market = (rate: number) =>
    new ScriptedMarket(NOW).setMid("binance", "BTCUSDT", 60_000, 5, 10).setMid("binance", "BTCUSDT-PERP", 60_050, 5, 10).setFunding("binance", "BTCUSDT", rate, 60_050);
  it("buys spot and shorts the same amount of the perpetual when funding is rich", async () => {
    const { order } = await run("funding-rate-arbitrage", market(0.0005));
    expect(order("buy_spot")).toMatchObject({ symbol: "BTCUSDT", side: "buy", quantity: 0.01, status: "filled" });
    expect(order("short_perp")).toMatchObject({ symbol: "BTCUSDT-PERP", side: "sell", quantity: 0.01, status: "filled" });
  });
  it("stays out when funding is ordinary or negative", async () => {
    for (const rate of [0.0001, -0.0004]) {
      const { order } = await run("funding-rate-arbitrage", market(rate));
      expect(order("buy_spot")).toBeNull();
      expect(order("short_perp")).toBeNull();
    }
  });
});

describe("Delta Neutral", () => {
  const market = () => new ScriptedMarket(NOW).setMid("binance", "BTCUSDT", 20_000, 5, 10).setMid("binance", "BTCUSDT-PERP", 20_010, 5, 10);
  it("shorts the perpetual by the excess when net long", async () => {
    const { out, order } = await run("delta-neutral", market(), [["binance", "BTCUSDT", 0.5, 20_000], ["binance", "BTCUSDT-PERP", -0.3, 20_000]]);
    expect(out("delta").result as number).toBeCloseTo(0.2, 9);
    expect(order("short_more")).toMatchObject({ side: "sell", symbol: "BTCUSDT-PERP", quantity: 0.2 });
    expect(order("buy_back")).toBeNull();
  });
  it("buys the perpetual back when net short, and does nothing when hedged", async () => {
    const short = await run("delta-neutral", market(), [["binance", "BTCUSDT", 0.3, 20_000], ["binance", "BTCUSDT-PERP", -0.5, 20_000]]);
    expect(short.order("buy_back")).toMatchObject({ side: "buy", quantity: 0.2 });
    const hedged = await run("delta-neutral", market(), [["binance", "BTCUSDT", 0.5, 20_000], ["binance", "BTCUSDT-PERP", -0.5, 20_000]]);
    expect(hedged.order("short_more")).toBeNull();
    expect(hedged.order("buy_back")).toBeNull();
  });
});

describe("Grid Trading", () => {
  const market = (mid: number) => new ScriptedMarket(NOW).setMid("polymarket", "SIM-YES", mid, 0.005);
  it("places its buy ladder at the grid levels below the price, resting as open limit orders", async () => {
    const { out } = await run("grid-trading", market(0.52));
    const buys = out("buy_ladder").orders as Order[];
    expect(buys.map((o) => o.limitPrice)).toEqual([0.5, 0.45, 0.4, 0.35]);
    expect(buys.every((o) => o.side === "buy" && o.status === "open" && o.quantity === 10)).toBe(true);
    expect(out("sell_ladder").orders).toEqual([]);
  });
  it("places sells above the price only for inventory it holds", async () => {
    const { out } = await run("grid-trading", market(0.52), [["polymarket", "SIM-YES", 20, 0.45]]);
    const sells = out("sell_ladder").orders as Order[];
    expect(sells.map((o) => [o.limitPrice, o.quantity, o.status])).toEqual([
      [0.55, 5, "open"],
      [0.6, 5, "open"],
      [0.65, 5, "open"],
      [0.7, 5, "open"],
    ]);
  });
  it("does nothing when the price has left the grid", async () => {
    const { out } = await run("grid-trading", market(0.85), [["polymarket", "SIM-YES", 20, 0.45]]);
    expect(out("buy_ladder").placed).toBe(0);
    expect(out("sell_ladder").placed).toBe(0);
  });
});

describe("Market Making", () => {
  const market = () => new ScriptedMarket(NOW).setMid("polymarket", "SIM-YES", 0.5, 0.005);
  const quote = async (held: number, engaged = false) => {
    const holdings: [Venue, string, number, number][] = held ? [["polymarket", "SIM-YES", held, 0.5]] : [];
    const r = await run("market-making", market(), holdings, (p) => (p.guard!.engaged = engaged));
    return r.out("quote") as { bid: Order | null; ask: Order | null };
  };
  it("quotes both sides around the mid", async () => {
    const { bid, ask } = await quote(50);
    expect(bid).toMatchObject({ side: "buy", limitPrice: 0.49, quantity: 20, status: "open" });
    expect(ask).toMatchObject({ side: "sell", limitPrice: 0.51, quantity: 20, status: "open" });
  });
  it("keeps inventory within its limit: no ask without inventory, no bid at the limit, sizes trimmed", async () => {
    expect(await quote(0)).toMatchObject({ ask: null, bid: { quantity: 20 } });
    expect(await quote(100)).toMatchObject({ bid: null, ask: { quantity: 20 } });
    expect(await quote(90)).toMatchObject({ bid: { quantity: 10 }, ask: { quantity: 20 } });
    expect(await quote(5)).toMatchObject({ bid: { quantity: 20 }, ask: { quantity: 5 } });
  });
  it("stops quoting when the kill switch is engaged", async () => {
    expect(await quote(50, true)).toEqual({ bid: null, ask: null });
  });
});
