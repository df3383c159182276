import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import { ENDPOINTS } from "./providers";
import { validateWorkflow } from "../workflow/validate";
import { executeWorkflow } from "../workflow/executor";
import type { RunResult } from "../workflow/events";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import { INTERVAL_MINUTES } from "../providers/simulated-market";
import type { Candle, NodeServices, Position, Venue } from "../providers/types";
import { NOW, type TestBlock, type Wire, documentOf, compile } from "./test-kit";

function simServices(seed = 1, now = NOW): NodeServices & { broker: PaperBroker } {
  const market = new SimulatedMarket({ now: now.getTime(), seed });
  const broker = new PaperBroker(market, { now: () => now.getTime() });
  return { market, broker, notifier: { notify: () => {} } };
}

function run(blocks: TestBlock[], wires: Wire[] = [], services: NodeServices = simServices(), now = NOW): Promise<RunResult> {
  return executeWorkflow(compile(blocks, wires), { services, now, runId: "run_providers" });
}

function outputOf(result: RunResult, id: string): Record<string, unknown> {
  const r = result.results.find((x) => x.nodeId === id);
  if (!r) throw new Error(`no result for ${id}`);
  if (r.status !== "succeeded") throw new Error(`${id} ${r.status}: ${r.error ?? ""}`);
  return r.output as Record<string, unknown>;
}

const provider = (venue: Venue, properties: Record<string, unknown> = {}, id = "p"): TestBlock => ({ id, category: "providers", type: venue, properties });

async function runProvider(venue: Venue, properties: Record<string, unknown>, services: NodeServices = simServices(), now = NOW) {
  return outputOf(await run([provider(venue, properties)], [], services, now), "p");
}

type Book = { bids: [number, number][]; asks: [number, number][] };

function expectBookInvariants(book: Book, prediction: boolean) {
  expect(book.bids.length).toBeGreaterThan(0);
  expect(book.asks.length).toBeGreaterThan(0);
  for (let i = 1; i < book.bids.length; i++) expect(book.bids[i]![0]).toBeLessThan(book.bids[i - 1]![0]);
  for (let i = 1; i < book.asks.length; i++) expect(book.asks[i]![0]).toBeGreaterThan(book.asks[i - 1]![0]);
  expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
  for (const [price, size] of [...book.bids, ...book.asks]) {
    expect(size).toBeGreaterThan(0);
    expect(price).toBeGreaterThan(0);
    if (prediction) expect(price).toBeLessThan(1);
  }
}

function expectCandleInvariants(candles: Candle[], count: number, widthMs: number, now: Date) {
  expect(candles).toHaveLength(count);
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i]!;
    expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
    expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
    expect(c.volume).toBeGreaterThan(0);
    if (i > 0) expect(c.time - candles[i - 1]!.time).toBe(widthMs); // oldest first, contiguous
  }
  const last = candles[candles.length - 1]!;
  expect(last.time).toBeLessThanOrEqual(now.getTime());
  expect(last.time + widthMs).toBeGreaterThan(now.getTime());
}

describe("provider nodes: ports", () => {
  it("registers one provider per venue", () => {
    for (const venue of ["polymarket", "binance", "kalshi"]) expect(catalog.get("providers", venue)).toBeDefined();
    expect(catalog.get("providers", "coinbase")).toBeUndefined();
  });

  it("has price_feed as its only output by default", async () => {
    const wf = compile([provider("polymarket")]);
    expect(wf.blocks[0]!.outputs.map((p) => p.name)).toEqual(["price_feed"]);
    const out = await runProvider("polymarket", {});
    expect(Object.keys(out)).toEqual(["price_feed"]);
  });

  it("orders outputs price_feed, balance, positions, orderbook, candles, then the newer ones, whatever order they are listed in", async () => {
    const props = { enabled_endpoints: ["mark_price", "candles", "positions", "funding_rate", "orderbook", "price_feed", "balance"], candle_limit: 3 };
    const wf = compile([provider("binance", props)]);
    expect(wf.blocks[0]!.outputs.map((p) => p.name)).toEqual([...ENDPOINTS]);
    expect([...ENDPOINTS]).toEqual(["price_feed", "balance", "positions", "orderbook", "candles", "funding_rate", "mark_price"]);
    const out = await runProvider("binance", props);
    expect(Object.keys(out)).toEqual(["price_feed", "balance", "positions", "orderbook", "candles", "funding_rate", "mark_price"]);
    expect(Math.abs(out.funding_rate as number)).toBeLessThan(0.01);
    expect(Math.abs((out.mark_price as number) / (out.price_feed as number) - 1)).toBeLessThan(0.01);
  });

  it("offers perpetual funding on Binance only", () => {
    const r = validateWorkflow({ blocks: [provider("polymarket", { enabled_endpoints: ["funding_rate"] })], connections: [] }, catalog);
    expect(r.ok).toBe(false);
  });

  it("has outputs only for the enabled endpoints", async () => {
    const props = { enabled_endpoints: ["candles", "balance"], candle_limit: 2 };
    const wf = compile([provider("kalshi", props)]);
    expect(wf.blocks[0]!.outputs.map((p) => p.name)).toEqual(["balance", "candles"]);
    expect(wf.blocks[0]!.outputs.map((p) => p.type)).toEqual(["number", "candles"]);
    const out = await runProvider("kalshi", props);
    expect(Object.keys(out)).toEqual(["balance", "candles"]);
    expect(out).not.toHaveProperty("price_feed");
    expect(out).not.toHaveProperty("orderbook");
  });

  it("reads a connection's output index in the fixed order, not the listed order", async () => {
    // Listed balance first, but output 0 is price_feed: a price in (0,1) passes max 1, a 10,000 balance would not.
    const result = await run(
      [provider("polymarket", { enabled_endpoints: ["balance", "price_feed"] }), { id: "t", category: "conditions", type: "threshold", properties: { min: 0, max: 1 } }],
      [["p", 0, "t", 0]],
    );
    expect(outputOf(result, "t")).toEqual({ pass: true });
    const result2 = await run(
      [provider("polymarket", { enabled_endpoints: ["balance", "price_feed"] }), { id: "t", category: "conditions", type: "threshold", properties: { min: 0, max: 1 } }],
      [["p", 1, "t", 0]],
    );
    expect(outputOf(result2, "t")).toEqual({ pass: false });
  });

  it("reports an unknown endpoint in enabled_endpoints as a validation problem on that property", () => {
    const v = validateWorkflow(documentOf([provider("polymarket", { enabled_endpoints: ["price_feed", "funding_rate"] })]), catalog);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const problem = v.problems.find((p) => p.code === "bad-property");
    expect(problem).toMatchObject({ code: "bad-property", blockId: "p", property: "enabled_endpoints" });
    expect(problem?.message).toContain("enabled_endpoints");
  });

  it("rejects a repeated endpoint and out-of-range candle_limit / book_depth", () => {
    const repeated = validateWorkflow(documentOf([provider("binance", { enabled_endpoints: ["price_feed", "price_feed"] })]), catalog);
    expect(repeated.ok).toBe(false);
    for (const properties of [{ candle_limit: 0 }, { candle_limit: 1001 }, { candle_limit: 2.5 }, { book_depth: 0 }, { book_depth: 101 }]) {
      const v = validateWorkflow(documentOf([provider("binance", properties)]), catalog);
      expect(v.ok, JSON.stringify(properties)).toBe(false);
      if (!v.ok) expect(v.problems[0]).toMatchObject({ code: "bad-property", property: Object.keys(properties)[0] });
    }
  });

  it("rejects a connection to an output that is not enabled", () => {
    const v = validateWorkflow(
      documentOf(
        [provider("polymarket", { enabled_endpoints: ["price_feed"] }), { id: "t", category: "conditions", type: "threshold" }],
        [["p", 1, "t", 0]],
      ),
      catalog,
    );
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems[0]).toMatchObject({ code: "port-out-of-range", blockId: "p", end: "from" });
  });
});

describe("provider nodes: values", () => {
  it("quotes prediction-market prices strictly between 0 and 1 across a day", async () => {
    for (const venue of ["polymarket", "kalshi"] as const) {
      for (let hour = 0; hour < 24; hour += 3) {
        for (const seed of [1, 2, 3]) {
          const at = new Date(NOW.getTime() + hour * 3_600_000);
          const out = await runProvider(venue, {}, simServices(seed, at), at);
          const price = out.price_feed as number;
          expect(typeof price).toBe("number");
          expect(price).toBeGreaterThan(0);
          expect(price).toBeLessThan(1);
        }
      }
    }
  });

  it("quotes binance BTCUSDT in a plausible range", async () => {
    for (const seed of [1, 2, 3, 4]) {
      const out = await runProvider("binance", { symbol: "BTCUSDT" }, simServices(seed));
      expect(out.price_feed).toBeGreaterThan(30_000);
      expect(out.price_feed).toBeLessThan(120_000);
    }
  });

  it("uses the venue's demo symbol when the symbol is empty", async () => {
    const empty = await runProvider("polymarket", { symbol: "  " });
    const demo = await runProvider("polymarket", { symbol: "SIM-YES" });
    expect(empty.price_feed).toBe(demo.price_feed);
    const services = simServices();
    const direct = await services.market.getQuote({ venue: "polymarket", symbol: "SIM-YES" });
    expect(demo.price_feed).toBe(direct.price);
  });

  it("returns the same output for the same seed and time", async () => {
    const props = { enabled_endpoints: ["price_feed", "orderbook", "candles"], candle_limit: 20, candle_interval: "15m" };
    for (const venue of ["polymarket", "binance", "kalshi"] as const) {
      const a = await runProvider(venue, props, simServices(7));
      const b = await runProvider(venue, props, simServices(7));
      expect(a).toEqual(b);
    }
  });

  it("gives a different price for a different seed", async () => {
    for (const venue of ["polymarket", "binance", "kalshi"] as const) {
      const a = await runProvider(venue, {}, simServices(1));
      const b = await runProvider(venue, {}, simServices(2));
      expect(a.price_feed).not.toBe(b.price_feed);
    }
  });

  it("returns an order book with bids descending, asks ascending and best bid below best ask", async () => {
    for (const venue of ["polymarket", "binance", "kalshi"] as const) {
      for (const seed of [1, 2, 3]) {
        const out = await runProvider(venue, { enabled_endpoints: ["orderbook"], book_depth: 8 }, simServices(seed));
        const book = out.orderbook as Book;
        expect(Object.keys(book).sort()).toEqual(["asks", "bids"]);
        expectBookInvariants(book, venue !== "binance");
        expect(book.bids.length).toBeLessThanOrEqual(8);
        expect(book.asks.length).toBeLessThanOrEqual(8);
        if (venue === "binance") {
          expect(book.bids).toHaveLength(8);
          expect(book.asks).toHaveLength(8);
        }
      }
    }
  });

  it("centres price_feed between the best bid and ask", async () => {
    const out = await runProvider("binance", { enabled_endpoints: ["price_feed", "orderbook"], book_depth: 1 });
    const book = out.orderbook as Book;
    expect(out.price_feed).toBeCloseTo((book.bids[0]![0] + book.asks[0]![0]) / 2, 6);
  });

  it("returns candle_limit candles, oldest first, with consistent highs and lows", async () => {
    for (const venue of ["polymarket", "binance", "kalshi"] as const) {
      for (const [interval, limit] of [["1m", 1], ["1h", 24], ["5m", 50], ["1d", 7]] as const) {
        const out = await runProvider(venue, { enabled_endpoints: ["candles"], candle_interval: interval, candle_limit: limit });
        expectCandleInvariants(out.candles as Candle[], limit, INTERVAL_MINUTES[interval] * 60_000, NOW);
      }
    }
  });

  it("reads balance and positions from the broker", async () => {
    const services = simServices();
    const order = await services.broker.placeOrder({ venue: "kalshi", symbol: "SIM-KALSHI", side: "buy", quantity: 5, clientOrderId: "setup" });
    expect(order.status).toBe("filled");
    const out = await runProvider("kalshi", { enabled_endpoints: ["balance", "positions"] }, services);
    const balance = await services.broker.getBalance("kalshi");
    expect(balance.available).toBeLessThan(10_000);
    expect(out.balance).toBe(balance.available);
    const positions = out.positions as Position[];
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ venue: "kalshi", symbol: "SIM-KALSHI", quantity: 5 });
    // Other venues' accounts are untouched.
    const other = await runProvider("polymarket", { enabled_endpoints: ["balance", "positions"] }, services);
    expect(other).toEqual({ balance: 10_000, positions: [] });
  });
});
