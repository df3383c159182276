import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest, params } from "@/test/http";
import { MockVenue, ccxtResponses } from "@/test/mock-venue";
import * as execute from "@/app/api/workflow/execute/route";
import * as collection from "../../route";
import * as runs from "../runs/route";
import * as paper from "./route";

/**
 * Paper trading on venue data: the provider reads a mock Binance/Polymarket, orders fill against the
 * venue's book on the workflow's paper account, which is kept in SQLite from run to run.
 */

const venue = new MockVenue();
let asks: [string, string][] = [];

beforeAll(async () => {
  useThrowawayDatabase();
  const url = await venue.start();
  process.env.BINANCE_BASE_URL = url;
  process.env.BINANCE_FUTURES_BASE_URL = url;
  process.env.POLYMARKET_CLOB_URL = url;
  venue.on("GET", "/api/v3/ticker/bookTicker", () => ({ json: { symbol: "BTCUSDT", bidPrice: "99.90", bidQty: "5", askPrice: asks[0]![0], askQty: asks[0]![1] } }));
  venue.on("GET", "/api/v3/depth", () => ({ json: { lastUpdateId: 1, bids: [["99.90", "5"], ["99.00", "5"]], asks } }));
  venue.on("GET", "/api/v3/exchangeInfo", {
    json: { symbols: [{ symbol: "BTCUSDT", status: "TRADING", baseAsset: "BTC", quoteAsset: "USDT", filters: [{ filterType: "PRICE_FILTER", tickSize: "0.01" }, { filterType: "LOT_SIZE", stepSize: "0.001", minQty: "0.001" }, { filterType: "NOTIONAL", minNotional: "5" }] }] },
  });
});
afterAll(async () => {
  await venue.close();
  for (const k of ["BINANCE_BASE_URL", "BINANCE_FUTURES_BASE_URL", "POLYMARKET_CLOB_URL"]) delete process.env[k];
});
beforeEach(() => {
  asks = [
    ["100.10", "0.2"],
    ["100.50", "5"],
  ];
});

const block = (id: string, type: string, category: string, properties: Record<string, unknown> = {}) => ({ id, category, type, properties });
function strategy(buy: Record<string, unknown>) {
  return {
    blocks: [block("btc", "binance", "providers", { symbol: "BTCUSDT" }), block("go", "threshold", "conditions", { min: 0 }), block("buy", "buy", "actions", { venue: "binance", symbol: "BTCUSDT", ...buy })],
    connections: [
      { from: { blockId: "btc", index: 0 }, to: { blockId: "go", index: 0 } },
      { from: { blockId: "go", index: 0 }, to: { blockId: "buy", index: 0 } },
    ],
  };
}
async function saved(workflow: unknown): Promise<string> {
  const res = await collection.POST(jsonRequest("POST", "/api/workflows", { name: "Paper BTC", workflow }), undefined);
  return ((await res.json()) as { id: string }).id;
}
type Result = { mode: string; status: string; results: { nodeId: string; status: string; output?: Record<string, unknown>; error?: string }[] };
const runPaper = async (id: string) => (await (await runs.POST(jsonRequest("POST", "/", { mode: "paper" }), params({ id }))).json()) as Result;
const account = async (id: string) => (await (await paper.GET(jsonRequest("GET", "/"), params({ id }))).json()) as {
  balances: { venue: string; available: number }[];
  positions: { symbol: string; quantity: number; average_price: number }[];
  orders: { status: string; filled_quantity: number; average_price: number | null; fee: number }[];
};
const binanceBalance = async (id: string) => (await account(id)).balances.find((b) => b.venue === "binance")!.available;

describe("paper runs", () => {
  it("fill against the venue's book, walking its levels, and continue one account from run to run", async () => {
    const id = await saved(strategy({ amount: 0.5 }));
    const first = await runPaper(id);
    expect(first.mode).toBe("paper");
    const order = first.results.find((r) => r.nodeId === "buy")!.output!.order as Record<string, number | string>;
    // 0.2 at 100.10, 0.3 at 100.50; Binance's 0.1% taker fee.
    const cost = 0.2 * 100.1 + 0.3 * 100.5;
    expect(order).toMatchObject({ status: "filled", broker: "paper", filledQuantity: 0.5 });
    expect(order.averagePrice).toBeCloseTo(cost / 0.5, 8);
    expect(order.fee).toBeCloseTo(cost * 0.001, 8);
    expect(await binanceBalance(id)).toBeCloseTo(10_000 - cost * 1.001, 6);

    await runPaper(id);
    const after = await account(id);
    expect(after.balances.find((b) => b.venue === "binance")!.available).toBeCloseTo(10_000 - 2 * cost * 1.001, 6);
    expect(after.positions).toEqual([expect.objectContaining({ symbol: "BTCUSDT", quantity: 1 })]);
    expect(after.orders).toHaveLength(2);

    const reset = await (await paper.DELETE(jsonRequest("DELETE", "/"), params({ id }))).json();
    expect(reset).toMatchObject({ positions: [], orders: [] });
    expect(await binanceBalance(id)).toBe(10_000);
  });

  it("round to the venue's step and refuse what is below its minimum", async () => {
    const id = await saved(strategy({ amount: 0.0523456 }));
    const order = (await runPaper(id)).results.find((r) => r.nodeId === "buy")!.output!.order as Record<string, unknown>;
    expect(order).toMatchObject({ status: "filled", quantity: 0.052, filledQuantity: 0.052 });
    const tiny = await saved(strategy({ amount: 0.03 }));
    // 0.03 x 100.1 = 3.00 < the 5 USDT minimum order value.
    const refused = (await runPaper(tiny)).results.find((r) => r.nodeId === "buy")!.output!.order as Record<string, unknown>;
    expect(refused).toMatchObject({ status: "rejected", reason: "order value 3.003 is below the venue's minimum 5" });
  });

  it("keep a limit order resting, and fill it on a later run once the market comes to it", async () => {
    const id = await saved(strategy({ amount: 0.1, order_type: "limit", price: 99.5 }));
    const first = (await runPaper(id)).results.find((r) => r.nodeId === "buy")!.output!.order as Record<string, unknown>;
    expect(first).toMatchObject({ status: "open", filledQuantity: 0 });
    expect(await binanceBalance(id)).toBe(10_000);
    asks = [["99.40", "5"]];
    await runPaper(id);
    const orders = (await account(id)).orders;
    expect(orders.map((o) => o.status)).toEqual(["filled", "filled"]);
    expect(orders.every((o) => o.average_price === 99.4)).toBe(true);
  });

  it("read the venues now: a seed or an instant is refused", async () => {
    const id = await saved(strategy({ amount: 0.1 }));
    const res = await runs.POST(jsonRequest("POST", "/", { mode: "paper", seed: 7 }), params({ id }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "seed and at pin the simulated market; a paper run reads the venues now" });
  });

  it("need a saved workflow", async () => {
    const res = await execute.POST(jsonRequest("POST", "/api/workflow/execute", { workflow: strategy({}), mode: "paper" }), undefined);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "a paper run needs a saved workflow" });
  });

  it("treat a stale live quote as an error that blocks the order downstream", async () => {
    const book = ccxtResponses("polymarket").fetchOrderBook![0]!.httpResponse as Record<string, unknown>;
    const token = book.asset_id as string;
    // The recorded book as recorded: its timestamp is months old.
    venue.on("GET", "/book", { json: book });
    venue.on("GET", "/midpoint", { json: { mid: "0.1515" } });
    const id = await saved({
      blocks: [block("pm", "polymarket", "providers", { symbol: token, max_age_seconds: 60 }), block("go", "threshold", "conditions", { min: 0 }), block("buy", "buy", "actions", { venue: "polymarket", symbol: token, amount: 5 })],
      connections: [
        { from: { blockId: "pm", index: 0 }, to: { blockId: "go", index: 0 } },
        { from: { blockId: "go", index: 0 }, to: { blockId: "buy", index: 0 } },
      ],
    });
    const result = await runPaper(id);
    const pm = result.results.find((r) => r.nodeId === "pm")!;
    expect(pm.status).toBe("failed");
    expect(pm.error).toMatch(new RegExp(`^stale quote for ${token}: \\d+ s old, the limit is 60 s$`));
    expect(result.results.find((r) => r.nodeId === "buy")!.status).toBe("skipped");
    expect((await account(id)).orders).toHaveLength(0);
  });

  it("an unknown workflow has no paper account", async () => {
    expect((await paper.GET(jsonRequest("GET", "/"), params({ id: "nope" }))).status).toBe(404);
  });
});
