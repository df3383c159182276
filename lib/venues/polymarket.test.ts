import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { hashTypedData, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ccxtResponses, MockVenue } from "../../test/mock-venue";
import { VenueError } from "./errors";
import { createPolymarketAccountClient, createPolymarketMarketClient, polymarketL2Signature, PRICES_HISTORY_WINDOW_S, type PolymarketClientOptions } from "./polymarket";

const ccxt = ccxtResponses("polymarket");
const ccxtRequests = (JSON.parse(readFileSync(path.join(__dirname, "../../test/fixtures/ccxt/request/polymarket.json"), "utf8")) as { methods: Record<string, { description: string; url: string; output?: string }[]> }).methods;
const first = <T>(list: T[] | undefined): T => {
  if (!list || list.length === 0) throw new Error("fixture missing");
  return list[0] as T;
};
const BOOK = first(ccxt.fetchOrderBook).httpResponse as Record<string, unknown> & { asset_id: string };
const TOKEN = BOOK.asset_id;
const NO_TOKEN = "94476829201604408463453426454480212459887267917122244941405244686637914508323";
const SLUG = "will-jd-vance-win-the-2028-us-presidential-election";
// A Gamma market in the documented shape (guide §1.2, "JSON-encoded strings"); token ids and slug from ccxt's
// fetchTrades fixture (Yes → 1604…, No → 9447…).
const GAMMA_MARKET = { id: "1", slug: SLUG, question: "Will JD Vance win the 2028 US Presidential Election?", outcomes: '["Yes", "No"]', clobTokenIds: JSON.stringify([TOKEN, NO_TOKEN]), negRisk: true, orderPriceMinTickSize: 0.001, orderMinSize: 5 };

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat account #1 test key
const account = privateKeyToAccount(KEY);
const SECRETS = { private_key: KEY, api_key: "11111111-2222-3333-4444-555555555555", api_secret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I-_w==", api_passphrase: "passphrase-passphrase-passphrase" };

const ORDER_TYPES = {
  Order: ["salt:uint256", "maker:address", "signer:address", "tokenId:uint256", "makerAmount:uint256", "takerAmount:uint256", "side:uint8", "signatureType:uint8", "timestamp:uint256", "metadata:bytes32", "builder:bytes32"].map((f) => ({ name: f.split(":")[0] as string, type: f.split(":")[1] as string })),
};
function typedData(order: Record<string, unknown>, negRisk: boolean) {
  return {
    domain: { name: "Polymarket CTF Exchange", version: "2", chainId: 137, verifyingContract: (negRisk ? "0xe2222d279d744050d28e00520010520000310F59" : "0xE111180000d2663C0091e4f400237545B87B996B") as `0x${string}` },
    types: ORDER_TYPES,
    primaryType: "Order" as const,
    message: { ...order, salt: BigInt(order.salt as number), tokenId: BigInt(order.tokenId as string), makerAmount: BigInt(order.makerAmount as string), takerAmount: BigInt(order.takerAmount as string), timestamp: BigInt(order.timestamp as string), side: order.side === "BUY" ? 0 : 1 },
  };
}

const mock = new MockVenue();
let opts: PolymarketClientOptions;
beforeAll(async () => {
  const url = await mock.start();
  opts = { gammaUrl: url, clobUrl: url, dataUrl: url, timeoutMs: 2_000, maxRetries: 2, backoffMs: 1, sleep: async () => {} };
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe("polymarket market data (ccxt recorded responses)", () => {
  it("parses every recorded /book into a best-first book", async () => {
    const market = createPolymarketMarketClient(opts);
    for (const c of ccxt.fetchOrderBook ?? []) {
      const http = c.httpResponse as { asset_id: string };
      const parsed = c.parsedResponse as { bids: [number, number][]; asks: [number, number][]; datetime: string };
      mock.reset();
      mock.on("GET", "/book", { json: http });
      const book = await market.getOrderBook(http.asset_id, 100);
      expect(book).toEqual({ bids: parsed.bids, asks: parsed.asks, at: parsed.datetime });
      expect(mock.calls("GET", "/book")[0]?.query.get("token_id")).toBe(http.asset_id);
      expect((await market.getOrderBook(http.asset_id, 2)).asks).toEqual(parsed.asks.slice(0, 2));
    }
  });

  it("parses every recorded ticker: best bid/ask from the book, price from /midpoint", async () => {
    const market = createPolymarketMarketClient(opts);
    for (const c of ccxt.fetchTicker ?? []) {
      const http = c.httpResponse as { asset_id: string; mid: string };
      const parsed = c.parsedResponse as { bid: number; ask: number; average: number; datetime: string };
      mock.reset();
      mock.on("GET", "/book", { json: http }).on("GET", "/midpoint", { json: { mid: http.mid } });
      expect(await market.getQuote(http.asset_id)).toEqual({ price: parsed.average, bid: parsed.bid, ask: parsed.ask, at: parsed.datetime });
      // Without a midpoint the book's own midpoint is used.
      mock.on("GET", "/midpoint", { status: 404, json: { error: "No orderbook exists for the requested token id" } });
      expect((await market.getQuote(http.asset_id)).price).toBeCloseTo((parsed.bid + parsed.ask) / 2, 12);
    }
  });

  it("builds every recorded prices-history series into the same candles ccxt parses", async () => {
    for (const c of ccxt.fetchOHLCV ?? []) {
      const http = c.httpResponse as { history: { t: string }[] };
      const [, interval, , limit] = c.input as [string, "1m", number, number];
      const last = Number(http.history[http.history.length - 1]?.t);
      const market = createPolymarketMarketClient({ ...opts, now: () => last * 1000 + 5_000 });
      mock.reset();
      mock.on("GET", "/prices-history", { json: http });
      const candles = await market.getCandles(TOKEN, interval, limit);
      const expected = (c.parsedResponse as number[][]).map(([time, open, high, low, close, volume]) => ({ time, open, high, low, close, volume }));
      expect(candles).toEqual(expected.slice(-limit));
      const q = mock.calls("GET", "/prices-history")[0]?.query;
      expect(q?.get("market")).toBe(TOKEN);
      expect(q?.get("fidelity")).toBe("1"); // as in ccxt's request fixture for 1m
    }
  });

  it("pages /prices-history in windows of at most 14 days and aggregates points into OHLC", async () => {
    const now = Date.UTC(2026, 5, 12, 12, 0, 0);
    const market = createPolymarketMarketClient({ ...opts, now: () => now });
    const day = 86_400;
    const d0 = now / 1000 - 12 * 3600; // today 00:00 UTC
    mock.on("GET", "/prices-history", (req) => {
      const from = Number(req.query.get("startTs"));
      const to = Number(req.query.get("endTs"));
      const points = [d0 + 60, d0 + 3600, d0 + 7200, d0 - day + 60].filter((t) => t >= from && t <= to);
      return { json: { history: points.map((t, i) => ({ t, p: [0.4, 0.6, 0.5, 0.3][i] })) } };
    });
    const candles = await market.getCandles(TOKEN, "1d", 40);
    const calls = mock.calls("GET", "/prices-history");
    expect(calls.length).toBe(3);
    for (const call of calls) {
      expect(Number(call.query.get("endTs")) - Number(call.query.get("startTs"))).toBeLessThanOrEqual(PRICES_HISTORY_WINDOW_S);
      expect(call.query.get("fidelity")).toBe("60");
    }
    expect(candles).toEqual([
      { time: (d0 - day) * 1000, open: 0.3, high: 0.3, low: 0.3, close: 0.3, volume: 0 },
      { time: d0 * 1000, open: 0.4, high: 0.6, low: 0.4, close: 0.5, volume: 0 },
    ]);
  });

  it("reads rules from the book and refuses funding", async () => {
    const market = createPolymarketMarketClient(opts);
    mock.on("GET", "/book", { json: BOOK });
    expect(await market.getRules(TOKEN)).toEqual({ tickSize: 0.001, stepSize: 0.01, minQuantity: 5, minNotional: 0 });
    await market.getRules(TOKEN);
    expect(mock.calls("GET", "/book").length).toBe(1); // cached
    await expect(market.getFunding(TOKEN)).rejects.toThrow("Polymarket has no perpetual funding");
  });

  it("resolves slug:YES / slug:NO / bare slug through Gamma and caches the token id", async () => {
    const market = createPolymarketMarketClient(opts);
    mock.on("GET", "/markets", (req) => ({ json: req.query.get("slug") === SLUG ? [GAMMA_MARKET] : [] }));
    mock.on("GET", "/book", (req) => ({ json: { ...BOOK, asset_id: req.query.get("token_id") } }));
    expect(await market.resolveToken(`${SLUG}:YES`)).toBe(TOKEN);
    expect(await market.resolveToken(`${SLUG}:no`)).toBe(NO_TOKEN);
    expect(await market.resolveToken(SLUG)).toBe(TOKEN);
    await market.getOrderBook(`${SLUG}:NO`, 5);
    expect(mock.calls("GET", "/book")[0]?.query.get("token_id")).toBe(NO_TOKEN);
    expect(mock.calls("GET", "/markets").length).toBe(3); // YES, NO, bare: then cached
    await expect(market.resolveToken("no-such-market-slug:YES")).rejects.toThrow('market "no-such-market-slug" does not exist on Polymarket');
    await expect(market.resolveToken(`${SLUG}:MAYBE`)).rejects.toThrow('has no outcome "MAYBE" (outcomes: Yes, No)');
  });
});

describe("polymarket faults", () => {
  it("names a token that has no order book", async () => {
    const market = createPolymarketMarketClient(opts);
    mock.on("GET", "/book", { status: 404, json: { error: "No orderbook exists for the requested token id" } });
    await expect(market.getOrderBook("123456789", 5)).rejects.toThrow('market "123456789" does not exist on Polymarket');
  });

  it("does not invent a price from a book without asks", async () => {
    const market = createPolymarketMarketClient(opts);
    mock.on("GET", "/book", { json: { ...BOOK, asks: [] } }).on("GET", "/midpoint", { json: { mid: "0.5" } });
    await expect(market.getQuote(TOKEN)).rejects.toThrow(`no asks in the book for "${TOKEN}"`);
    expect((await market.getOrderBook(TOKEN, 5)).asks).toEqual([]);
  });

  it("retries a read after 429 with Retry-After, and fails clearly when 429 persists", async () => {
    const market = createPolymarketMarketClient(opts);
    mock.on("GET", "/book", { json: BOOK });
    mock.once("GET", "/book", { status: 429, headers: { "retry-after": "1" }, json: { error: "Too Many Requests" } });
    expect((await market.getOrderBook(TOKEN, 1)).bids).toEqual([[0.005, 1000]]);
    expect(mock.calls("GET", "/book").length).toBe(2);
    mock.reset();
    mock.on("GET", "/book", { status: 429, json: { error: "Too Many Requests" } });
    await expect(market.getOrderBook(TOKEN, 1)).rejects.toThrow("rate limited on GET /book");
    expect(mock.calls("GET", "/book").length).toBe(3); // 1 + maxRetries 2
  });

  it("times out and reports malformed JSON", async () => {
    const market = createPolymarketMarketClient({ ...opts, timeoutMs: 100, maxRetries: 0 });
    mock.on("GET", "/book", { json: BOOK, delayMs: 400 });
    await expect(market.getOrderBook(TOKEN, 1)).rejects.toThrow("timed out after 100 ms");
    mock.reset();
    mock.on("GET", "/book", { text: "{not json" });
    await expect(market.getOrderBook(TOKEN, 1)).rejects.toThrow("GET /book returned malformed JSON");
  });
});

describe("polymarket account", () => {
  const orderResponse = first(ccxt.createOrder).httpResponse as { orderID: string; status: string };

  it("refuses incomplete credentials, naming the field and never the value", () => {
    expect(() => createPolymarketAccountClient({}, opts)).toThrow('missing the secret field "private_key"');
    expect(() => createPolymarketAccountClient({ private_key: "0x1234" }, opts)).toThrow('"private_key" is not a 32-byte hex key');
    expect(() => createPolymarketAccountClient({ private_key: KEY, api_key: "k" }, opts)).toThrow('"api_secret", "api_passphrase"');
    expect(() => createPolymarketAccountClient({ private_key: KEY, signature_type: "1" }, opts)).toThrow('needs the secret field "funder_address"');
    try {
      createPolymarketAccountClient({ private_key: KEY, api_key: "k", api_secret: "s" }, opts);
    } catch (error) {
      expect((error as Error).message).not.toContain(KEY);
    }
  });

  it("reads the balance with the request ccxt sends (balance-allowance, COLLATERAL, signature type)", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    // Shape of BalanceAllowanceResponse (clob-client-v2 src/types/clob.ts): 6-decimal integer string.
    mock.on("GET", "/balance-allowance", { json: { balance: "1234567890", allowances: { "0xE111180000d2663C0091e4f400237545B87B996B": "0" } } });
    expect(await client.getBalance()).toEqual({ venue: "polymarket", currency: "USDC", available: 1234.56789 });
    const req = mock.calls("GET", "/balance-allowance")[0];
    const expectedUrl = new URL(first(ccxtRequests.fetchBalance).url);
    expect(req?.query.toString()).toBe(expectedUrl.searchParams.toString());
    const ts = String(req?.headers.poly_timestamp);
    expect(req?.headers).toMatchObject({ poly_address: account.address, poly_api_key: SECRETS.api_key, poly_passphrase: SECRETS.api_passphrase });
    expect(req?.headers.poly_signature).toBe(polymarketL2Signature(SECRETS.api_secret, ts, "GET", "/balance-allowance"));
  });

  it("parses every recorded positions answer (Data API, user = funder or wallet)", async () => {
    for (const c of ccxt.fetchPositions ?? []) {
      const funder = "0xAb2B9833FC8B8f55F4De7C4A0FAb8577EF0F7b36";
      const client = createPolymarketAccountClient({ ...SECRETS, funder_address: funder }, opts);
      mock.reset();
      mock.on("GET", "/positions", { json: c.httpResponse });
      const positions = await client.getPositions();
      const parsed = c.parsedResponse as { contracts: number; entryPrice: number; info: { asset: string } }[];
      expect(positions).toEqual(parsed.map((p) => ({ venue: "polymarket", symbol: p.info.asset, quantity: p.contracts, averagePrice: p.entryPrice })));
      expect(mock.calls("GET", "/positions")[0]?.query.get("user")).toBe(funder);
    }
  });

  it("places a limit order: signed V2 order, L2 headers, recorded live response → open order", async () => {
    const client = createPolymarketAccountClient(SECRETS, { ...opts, now: () => 1_781_289_400_000 });
    mock.on("GET", "/book", { json: BOOK });
    mock.on("POST", "/order", { json: orderResponse });
    const order = await client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "buy", quantity: 5, limitPrice: 0.5, clientOrderId: "run_1:buy" });
    expect(order).toMatchObject({ id: orderResponse.orderID, clientOrderId: "run_1:buy", status: "open", type: "limit", limitPrice: 0.5, filledQuantity: 0, broker: "live", venue: "polymarket" });
    const post = mock.calls("POST", "/order")[0];
    const body = JSON.parse(post?.body ?? "{}") as { order: Record<string, unknown>; owner: string; orderType: string };
    // The same order fields and amounts ccxt sends for 5 @ 0.5 (its V2 body also carries a zero `taker`,
    // which the official V2 client omits).
    const ccxtBody = JSON.parse(first(ccxtRequests.createOrder).output ?? "{}") as { order: Record<string, unknown> };
    for (const k of ["tokenId", "makerAmount", "takerAmount", "side", "expiration", "metadata", "builder"]) expect(body.order[k]).toBe(ccxtBody.order[k]);
    expect(body).toMatchObject({ owner: SECRETS.api_key, orderType: "GTC", postOnly: false, deferExec: false });
    expect(body.order.timestamp).toBe("1781289400000");
    // neg_risk:true in the book → neg-risk exchange domain; the signature recovers to the wallet.
    const typed = typedData(body.order, true);
    expect(await recoverTypedDataAddress({ ...typed, signature: body.order.signature as `0x${string}` })).toBe(account.address);
    expect(client.orderHash("run_1:buy")).toBe(orderResponse.orderID);
    expect(post?.headers.poly_signature).toBe(polymarketL2Signature(SECRETS.api_secret, String(post?.headers.poly_timestamp), "POST", "/order", post?.body));
  });

  it("places a market order as FAK at best ask + 5 ticks (bounded) and parses a matched answer", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    mock.on("GET", "/book", { json: { ...BOOK, asks: [{ price: "0.52", size: "100" }, { price: "0.51", size: "100" }], tick_size: "0.01", neg_risk: false } });
    mock.on("POST", "/order", { json: { success: true, errorMsg: "", orderID: "0x01", status: "matched", takingAmount: "10", makingAmount: "5.1" } });
    const order = await client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "buy", quantity: 10, clientOrderId: "run_1:mkt" });
    expect(order).toMatchObject({ status: "filled", type: "market", filledQuantity: 10, limitPrice: null });
    expect(order.averagePrice).toBeCloseTo(0.51, 12);
    const body = JSON.parse(mock.calls("POST", "/order")[0]?.body ?? "{}") as { order: Record<string, string>; orderType: string };
    expect(body.orderType).toBe("FAK");
    expect(body.order.makerAmount).toBe("5100000"); // 10 × best ask 0.51 USDC
    // Worst price 0.51 + 5 × 0.01 = 0.56: at least 5.1 / 0.56 = 9.1071 shares (the package rounds to 4 decimals).
    expect(body.order.takerAmount).toBe("9107100");
    // A book with no asks: refused before anything is signed or sent.
    mock.reset();
    mock.on("GET", "/book", { json: { ...BOOK, asks: [] } });
    await expect(client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "buy", quantity: 10, clientOrderId: "run_1:mkt2" })).rejects.toThrow(`no asks in the book for "${TOKEN}"`);
    expect(mock.calls("POST", "/order").length).toBe(0);
  });

  it("maps success:false to a rejected order with the venue's reason", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    mock.on("GET", "/book", { json: BOOK });
    mock.on("POST", "/order", { json: { success: false, errorMsg: "not enough balance / allowance", orderID: "", status: "", takingAmount: "", makingAmount: "" } });
    const order = await client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "buy", quantity: 5, limitPrice: 0.2, clientOrderId: "run_2:buy" });
    expect(order).toMatchObject({ status: "rejected", reason: "not enough balance / allowance" });
  });

  it("5xx on POST /order: one POST only, statusUnknown, then findOrder resolves it by the precomputed order hash", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    mock.on("GET", "/book", { json: BOOK });
    mock.on("POST", "/order", { status: 502, text: "Bad Gateway" });
    const error = await client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "sell", quantity: 7, limitPrice: 0.3, clientOrderId: "run_3:sell" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VenueError);
    expect((error as VenueError).statusUnknown).toBe(true);
    expect(mock.calls("POST", "/order").length).toBe(1);
    const sent = JSON.parse(mock.calls("POST", "/order")[0]?.body ?? "{}") as { order: Record<string, unknown> };
    const hash = hashTypedData(typedData(sent.order, true));
    expect(client.orderHash("run_3:sell")).toBe(hash);
    mock.on("GET", /^\/data\/order\//, (req) => ({
      json: { id: req.path.split("/").pop(), status: "LIVE", asset_id: TOKEN, side: "SELL", original_size: "7", size_matched: "2", price: "0.3", order_type: "GTC", created_at: 1781289400 },
    }));
    const found = await client.findOrder(TOKEN, "run_3:sell");
    expect(found).toMatchObject({ id: hash, clientOrderId: "run_3:sell", status: "open", side: "sell", quantity: 7, filledQuantity: 2, limitPrice: 0.3 });
    expect(mock.calls("GET", `/data/order/${hash}`).length).toBe(1);
    expect(mock.calls("POST", "/order").length).toBe(1);
  });

  it("findOrder: a matched FAK order found through its trades, or null when the venue has neither", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    mock.on("GET", "/book", { json: BOOK });
    mock.on("POST", "/order", { status: 500, json: { error: "internal" } });
    await expect(client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "sell", quantity: 4, clientOrderId: "run_4:sell" })).rejects.toThrow();
    const hash = client.orderHash("run_4:sell") ?? "";
    mock.on("GET", /^\/data\/order\//, { json: null });
    mock.on("GET", "/data/trades", { json: { data: [], next_cursor: "LTE=" } });
    expect(await client.findOrder(TOKEN, "run_4:sell")).toBeNull();
    // Shape of Trade (clob-client-v2 src/types/clob.ts).
    mock.on("GET", "/data/trades", { json: { data: [{ id: "t1", taker_order_id: hash, asset_id: TOKEN, side: "SELL", size: "4", price: "0.004", status: "MATCHED", match_time: "1781289400", maker_orders: [] }], next_cursor: "LTE=" } });
    expect(await client.findOrder(TOKEN, "run_4:sell")).toMatchObject({ id: hash, status: "filled", filledQuantity: 4, averagePrice: 0.004, type: "market" });
    expect(mock.calls("GET", "/data/trades")[0]?.query.get("asset_id")).toBe(TOKEN);
    await expect(client.findOrder(TOKEN, "never-signed")).rejects.toThrow('no order with client order id "never-signed" was signed by this client');
  });

  it("re-placing the same client order id asks the venue, and never sends the order a second time", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    mock.on("GET", "/book", { json: BOOK });
    mock.on("POST", "/order", { status: 503, json: { error: "unavailable" } });
    const request = { venue: "polymarket" as const, symbol: TOKEN, side: "buy" as const, quantity: 5, limitPrice: 0.1, clientOrderId: "run_5:buy" };
    await expect(client.placeOrder(request)).rejects.toThrow();
    // The venue does not know it (yet): still status unknown, and no second POST.
    mock.on("GET", /^\/data\/order\//, { status: 404, json: { error: "not found" } });
    mock.on("GET", "/data/trades", { json: { data: [] } });
    const unknown = await client.placeOrder(request).then(
      () => null,
      (e: unknown) => e as { statusUnknown?: boolean; message: string },
    );
    expect(unknown?.statusUnknown).toBe(true);
    expect(unknown?.message).toContain("is not sent again");
    expect(mock.calls("POST", "/order")).toHaveLength(1);
    // Once the venue shows it, the same request answers with the venue's record of it.
    mock.on("GET", /^\/data\/order\//, { json: { id: client.orderHash("run_5:buy"), status: "LIVE", asset_id: TOKEN, side: "BUY", original_size: "5", size_matched: "0", price: "0.1", order_type: "GTC", created_at: 1781289400 } });
    expect(await client.placeOrder(request)).toMatchObject({ status: "open", quantity: 5 });
    expect(mock.calls("POST", "/order")).toHaveLength(1);
    await expect(client.placeOrder({ ...request, quantity: 6 })).rejects.toThrow('client order id "run_5:buy" was already used for a different order');
  });

  it("cancels with the recorded body and response", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    for (const c of ccxt.cancelOrder ?? []) {
      const http = c.httpResponse as { canceled: string[] };
      const id = http.canceled[0] ?? "";
      mock.reset();
      mock.on("DELETE", "/order", { json: http });
      mock.on("GET", /^\/data\/order\//, { json: { id, status: "CANCELED", asset_id: TOKEN, side: "BUY", original_size: "5", size_matched: "0", price: "0.5", order_type: "GTC", created_at: 1781289400 } });
      expect(await client.cancelOrder(TOKEN, id)).toMatchObject({ id, status: "cancelled", side: "buy", quantity: 5, limitPrice: 0.5 });
      expect(mock.calls("DELETE", "/order")[0]?.body).toBe(JSON.stringify({ orderID: id }));
    }
    const cancelRequest = first(ccxtRequests.cancelOrder);
    mock.reset();
    mock.on("DELETE", "/order", { json: { canceled: [], not_canceled: { "0xabc123": "order can't be found - already canceled or matched" } } });
    await expect(client.cancelOrder(TOKEN, "0xabc123")).rejects.toThrow('order "0xabc123" was not cancelled: order can\'t be found - already canceled or matched');
    expect(mock.calls("DELETE", "/order")[0]?.body).toBe(cancelRequest.output);
  });

  it("derives API credentials with the L1 signature when the profile has none", async () => {
    const client = createPolymarketAccountClient({ private_key: KEY }, opts);
    mock.on("GET", "/auth/derive-api-key", { json: { apiKey: "derived-key", secret: SECRETS.api_secret, passphrase: "derived-pass" } });
    mock.on("GET", "/balance-allowance", { json: { balance: "5000000", allowances: {} } });
    expect((await client.getBalance()).available).toBe(5);
    await client.getBalance();
    const derive = mock.calls("GET", "/auth/derive-api-key");
    expect(derive.length).toBe(1);
    expect(derive[0]?.headers).toMatchObject({ poly_address: account.address, poly_nonce: "0" });
    expect(mock.calls("GET", "/balance-allowance")[0]?.headers.poly_api_key).toBe("derived-key");
    mock.reset();
    const other = createPolymarketAccountClient({ private_key: KEY }, opts);
    mock.on("GET", "/auth/derive-api-key", { status: 400, json: { error: "Could not derive api key!" } });
    await expect(other.getBalance()).rejects.toThrow("could not derive API credentials");
  });

  it("never puts a secret or a signature in an error message", async () => {
    const client = createPolymarketAccountClient(SECRETS, opts);
    mock.on("GET", "/book", { json: BOOK });
    mock.on("POST", "/order", { status: 401, json: { error: "Unauthorized/Invalid api key" } });
    const error = (await client.placeOrder({ venue: "polymarket", symbol: TOKEN, side: "buy", quantity: 5, limitPrice: 0.5, clientOrderId: "run_6:buy" }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("Unauthorized/Invalid api key");
    const post = mock.calls("POST", "/order")[0];
    const order = (JSON.parse(post?.body ?? "{}") as { order: { signature: string } }).order;
    for (const secret of [KEY, KEY.slice(2), SECRETS.api_secret, SECRETS.api_passphrase, String(post?.headers.poly_signature), order.signature]) expect(error.message).not.toContain(secret);
  });
});
