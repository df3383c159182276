import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest, params } from "@/test/http";
import { MockVenue, type MockRequest } from "@/test/mock-venue";
import { createProfile } from "@/lib/db/credential-profiles";
import { getRun } from "@/lib/db/runs";
import * as collection from "../../route";
import * as one from "../route";
import * as runs from "../runs/route";
import * as arm from "./route";

/**
 * Live trading end to end against a mock Binance: refused until armed for the saved version with a
 * live-capable profile; once armed, orders go out signed, through the server-side pre-trade check.
 */

const API_KEY = "live-key-123";
const API_SECRET = "live-secret-very-private-456";
const venue = new MockVenue();
let dbFile = "";

const now = () => Date.now();
function binance(mock: MockVenue) {
  mock.on("GET", "/api/v3/ticker/bookTicker", { json: { symbol: "BTCUSDT", bidPrice: "99.90000000", bidQty: "5.00000000", askPrice: "100.10000000", askQty: "5.00000000" } });
  mock.on("GET", "/api/v3/depth", () => ({ json: { lastUpdateId: 1, bids: [["99.90000000", "5.00000000"]], asks: [["100.10000000", "5.00000000"]] } }));
  mock.on("GET", "/api/v3/exchangeInfo", {
    json: {
      symbols: [
        {
          symbol: "BTCUSDT",
          status: "TRADING",
          baseAsset: "BTC",
          quoteAsset: "USDT",
          filters: [
            { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
            { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000.00000000", stepSize: "0.00001" },
            { filterType: "NOTIONAL", minNotional: "5.00000000" },
          ],
        },
      ],
    },
  });
  mock.on("GET", "/api/v3/account", { json: { accountType: "SPOT", balances: [{ asset: "USDT", free: "1000.00000000", locked: "0.00000000" }] } });
  mock.on("GET", "/fapi/v3/positionRisk", { json: [] });
  mock.on("POST", "/api/v3/order", (req) => {
    const qty = req.query.get("quantity") ?? "0";
    return {
      json: {
        symbol: "BTCUSDT",
        orderId: 28,
        orderListId: -1,
        clientOrderId: req.query.get("newClientOrderId"),
        transactTime: now(),
        price: "0.00000000",
        origQty: qty,
        executedQty: qty,
        cummulativeQuoteQty: String(Number(qty) * 100.1),
        status: "FILLED",
        timeInForce: "GTC",
        type: "MARKET",
        side: "BUY",
        fills: [{ price: "100.10000000", qty, commission: "0.00000000", commissionAsset: "USDT", tradeId: 56 }],
      },
    };
  });
}

beforeAll(async () => {
  dbFile = useThrowawayDatabase().file;
  const url = await venue.start();
  process.env.BINANCE_BASE_URL = `${url}`;
  process.env.BINANCE_FUTURES_BASE_URL = `${url}`;
  binance(venue);
});
afterAll(async () => {
  await venue.close();
  delete process.env.BINANCE_BASE_URL;
  delete process.env.BINANCE_FUTURES_BASE_URL;
});

const block = (id: string, type: string, category: string, properties: Record<string, unknown> = {}) => ({ id, category, type, properties });
function strategy(profileId: string | null) {
  return {
    blocks: [
      block("btc", "binance", "providers", { profile_id: profileId, symbol: "BTCUSDT" }),
      block("go", "threshold", "conditions", { min: 0 }),
      block("small", "buy", "actions", { venue: "binance", symbol: "BTCUSDT", amount: 0.3 }),
      block("big", "buy", "actions", { venue: "binance", symbol: "BTCUSDT", amount: 1 }),
    ],
    connections: [
      { from: { blockId: "btc", index: 0 }, to: { blockId: "go", index: 0 } },
      { from: { blockId: "go", index: 0 }, to: { blockId: "small", index: 0 } },
      { from: { blockId: "go", index: 0 }, to: { blockId: "big", index: 0 } },
    ],
  };
}
async function saved(workflow: unknown): Promise<string> {
  const res = await collection.POST(jsonRequest("POST", "/api/workflows", { name: "Live BTC", workflow }), undefined);
  return ((await res.json()) as { id: string }).id;
}
const armBody = { venue: "binance", max_order_value: 50, max_position_value: 200, confirm_venue: "binance" };
const putArm = (id: string, body: unknown) => arm.PUT(jsonRequest("PUT", "/", body), params({ id }));
const runLive = (id: string) => runs.POST(jsonRequest("POST", "/", { mode: "live" }), params({ id }));
const orderPosts = () => venue.calls("POST", "/api/v3/order");

describe("live trading: refused until armed", () => {
  it("a live run of a workflow that is not armed is refused, and no order is sent", async () => {
    const profile = await createProfile({ name: "main", provider: "binance", credentials: { api_key: API_KEY, api_secret: API_SECRET }, liveCapable: true });
    const id = await saved(strategy(profile.id));
    const res = await runLive(id);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "live trading is not armed for this workflow" });
    expect(orderPosts()).toHaveLength(0);
  });

  it("arming needs the venue typed to confirm, a profile on the node, and a live-capable profile", async () => {
    const capable = await createProfile({ name: "capable", provider: "binance", credentials: { api_key: API_KEY, api_secret: API_SECRET }, liveCapable: true });
    const readOnly = await createProfile({ name: "read only", provider: "binance", credentials: { api_key: API_KEY, api_secret: API_SECRET } });
    const id = await saved(strategy(capable.id));
    const typo = await putArm(id, { ...armBody, confirm_venue: "binanc" });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(await typo.json())).toContain("type the venue's name to confirm live trading");
    const tooSmall = await putArm(id, { ...armBody, max_order_value: 0 });
    expect(tooSmall.status).toBe(400);

    const noProfile = await putArm(await saved(strategy(null)), armBody);
    expect(noProfile.status).toBe(400);
    expect(await noProfile.json()).toMatchObject({ error: "the workflow has no binance node with a credential profile" });

    const notCapable = await putArm(await saved(strategy(readOnly.id)), armBody);
    expect(notCapable.status).toBe(403);
    expect(await notCapable.json()).toMatchObject({ error: 'credential profile "read only" is not marked live-capable' });

    const stale = await putArm(id, { ...armBody, version: 7 });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ error: "version 7 was reviewed, but the saved workflow is now version 1" });

    const wrongVenue = await putArm(id, { ...armBody, venue: "kalshi", confirm_venue: "kalshi" });
    expect(wrongVenue.status).toBe(400);
    expect(orderPosts()).toHaveLength(0);
  });
});

describe("live trading: armed", () => {
  it("sends signed orders within the armed limits, refuses the rest, and records the run as live", async () => {
    const profile = await createProfile({ name: "desk", provider: "binance", credentials: { api_key: API_KEY, api_secret: API_SECRET }, liveCapable: true });
    const id = await saved(strategy(profile.id));
    const armed = await putArm(id, armBody);
    expect(armed.status).toBe(200);
    expect(await armed.json()).toMatchObject({ armed: true, current: true, venue: "binance", version: 1, max_order_value: 50, max_position_value: 200 });

    const before = orderPosts().length;
    const res = await runLive(id);
    expect(res.status).toBe(201);
    const result = (await res.json()) as { runId: string; mode: string; results: { nodeId: string; status: string; output?: { order?: Record<string, unknown> }; error?: string }[] };
    expect(result.mode).toBe("live");
    const byId = Object.fromEntries(result.results.map((r) => [r.nodeId, r]));
    expect(byId.small).toMatchObject({ status: "succeeded", output: { order: { status: "filled", broker: "live", filledQuantity: 0.3, averagePrice: 100.1 } } });
    expect(byId.big!.status).toBe("failed");
    // A market order is valued at the worst price it may fill at: the mid (100) plus the 5% collar.
    expect(byId.big!.error).toBe("pre-trade check (order value): order value 105.00 exceeds the armed maximum 50");

    // Exactly one order reached the venue, signed with the profile's key: HMAC-SHA256 over the query.
    const posts = orderPosts().slice(before);
    expect(posts).toHaveLength(1);
    const post = posts[0] as MockRequest;
    expect(post.headers["x-mbx-apikey"]).toBe(API_KEY);
    const query = new URLSearchParams(post.query);
    const signature = query.get("signature");
    query.delete("signature");
    expect(signature).toBe(createHmac("sha256", API_SECRET).update(query.toString()).digest("hex"));
    expect(query.get("quantity")).toBe("0.3");
    expect(query.get("side")).toBe("BUY");
    // The market buy goes out immediate-or-cancel, no worse than the collar.
    expect(query.get("type")).toBe("LIMIT");
    expect(query.get("timeInForce")).toBe("IOC");
    expect(query.get("price")).toBe("105");
    expect(query.get("newClientOrderId")).toMatch(/^[.A-Za-z0-9:/_-]{1,36}$/);

    // The stored run says live, and nothing stored or returned holds the secret.
    const stored = await getRun(result.runId);
    expect(stored?.mode).toBe("live");
    expect(JSON.stringify(stored)).not.toContain(API_SECRET);
    expect(JSON.stringify(result)).not.toContain(API_SECRET);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(dbFile).includes(Buffer.from(API_SECRET))).toBe(false);
  });

  it("saving a new version disarms: the next live run is refused until armed again", async () => {
    const profile = await createProfile({ name: "desk 2", provider: "binance", credentials: { api_key: API_KEY, api_secret: API_SECRET }, liveCapable: true });
    const id = await saved(strategy(profile.id));
    await putArm(id, armBody);
    const changed = strategy(profile.id);
    changed.blocks[2]!.properties.amount = 0.2;
    await one.PUT(jsonRequest("PUT", "/", { workflow: changed }), params({ id }));
    const state = await (await arm.GET(jsonRequest("GET", "/"), params({ id }))).json();
    expect(state).toMatchObject({ armed: true, current: false, version: 1 });
    const before = orderPosts().length;
    const res = await runLive(id);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "live trading was armed for version 1, but the workflow is now version 2" });
    expect(orderPosts().length).toBe(before);

    const disarmed = await arm.DELETE(jsonRequest("DELETE", "/"), params({ id }));
    expect(await disarmed.json()).toMatchObject({ armed: false });
  });

  it("a deleted profile is a clear error on the node that needed it, and nothing is sent", async () => {
    const profile = await createProfile({ name: "gone", provider: "binance", credentials: { api_key: API_KEY, api_secret: API_SECRET }, liveCapable: true });
    const id = await saved(strategy(profile.id));
    await putArm(id, armBody);
    const { deleteProfile } = await import("@/lib/db/credential-profiles");
    await deleteProfile(profile.id);
    const before = orderPosts().length;
    const result = (await (await runLive(id)).json()) as { results: { nodeId: string; status: string; error?: string }[] };
    const small = result.results.find((r) => r.nodeId === "small");
    expect(small).toMatchObject({ status: "failed", error: `credential profile "${profile.id}" does not exist` });
    expect(orderPosts().length).toBe(before);
  });

  it("an unknown workflow is a 404", async () => {
    expect((await arm.GET(jsonRequest("GET", "/"), params({ id: "nope" }))).status).toBe(404);
    expect((await putArm("nope", armBody)).status).toBe(404);
  });
});
