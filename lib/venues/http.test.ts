import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MockVenue } from "@/test/mock-venue";
import { parseRetryAfter, VenueHttp } from "./http";
import { VenueError } from "./errors";
import { TokenBucket } from "./token-bucket";
import { rejection } from "@/test/rejection";

const mock = new MockVenue();
let base = "";
beforeAll(async () => {
  base = await mock.start();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

function client(over: Partial<ConstructorParameters<typeof VenueHttp>[0]> = {}) {
  const waits: number[] = [];
  const http = new VenueHttp({
    venue: "binance",
    baseUrl: base,
    timeoutMs: 300,
    readBucket: new TokenBucket(1_000, 1_000),
    writeBucket: new TokenBucket(1_000, 1_000),
    backoffMs: 100,
    sleep: async (ms) => void waits.push(ms),
    ...over,
  });
  return { http, waits };
}

const failure = (p: Promise<unknown>) => rejection(p, VenueError);

describe("VenueHttp: reads", () => {
  it("returns parsed JSON and sends the query", async () => {
    mock.on("GET", "/x", (req) => ({ json: { got: req.query.get("symbol"), many: req.query.getAll("id") } }));
    const { http } = client();
    expect(await http.request({ method: "GET", path: "/x", query: { symbol: "BTCUSDT", id: ["1", "2"], skip: undefined }, kind: "read" })).toEqual({ got: "BTCUSDT", many: ["1", "2"] });
  });

  it("retries a 429 after the Retry-After the venue asked for, then succeeds", async () => {
    mock.on("GET", "/x", { json: { ok: true } });
    mock.once("GET", "/x", { status: 429, headers: { "retry-after": "2" }, json: { code: -1003, msg: "Too many requests" } });
    const { http, waits } = client();
    expect(await http.request({ method: "GET", path: "/x", kind: "read" })).toEqual({ ok: true });
    expect(mock.calls("GET", "/x")).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
  });

  it("backs off exponentially on 429 without Retry-After, and gives up with a clear error", async () => {
    mock.on("GET", "/x", { status: 429, json: { error: "too many requests" } });
    const { http, waits } = client({ maxRetries: 3 });
    const error = await failure(http.request({ method: "GET", path: "/x", kind: "read" }));
    expect(mock.calls("GET", "/x")).toHaveLength(4);
    expect(waits).toHaveLength(3);
    // 100, 200, 400 ms, each with up to ±25% jitter.
    expect(waits[0]).toBeGreaterThanOrEqual(75);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
    expect(waits[2]).toBeGreaterThanOrEqual(300);
    expect(waits[2]).toBeGreaterThan(waits[0]!);
    expect(error.status).toBe(429);
    expect(error.message).toMatch(/^binance: rate limited on GET \/x: too many requests \(HTTP 429\)$/);
  });

  it("fails at once when Retry-After is longer than a run should wait", async () => {
    mock.on("GET", "/x", { status: 418, headers: { "retry-after": "600" }, json: { code: -1003, msg: "IP banned" } });
    const { http, waits } = client();
    const error = await failure(http.request({ method: "GET", path: "/x", kind: "read" }));
    expect(waits).toHaveLength(0);
    expect(error.retryAfter).toBe(600);
    expect(error.message).toContain("retry after 600 s");
  });

  it("retries a 5xx read, not a 4xx one", async () => {
    mock.on("GET", "/x", { json: { ok: 1 } });
    mock.once("GET", "/x", { status: 503, text: "upstream down" });
    const { http } = client();
    expect(await http.request({ method: "GET", path: "/x", kind: "read" })).toEqual({ ok: 1 });
    mock.on("GET", "/bad", { status: 400, json: { code: -1121, msg: "Invalid symbol." } });
    const error = await failure(http.request({ method: "GET", path: "/bad", kind: "read" }));
    expect(mock.calls("GET", "/bad")).toHaveLength(1);
    expect(error).toMatchObject({ status: 400, code: "-1121", statusUnknown: false });
    expect(error.message).toBe("binance: Invalid symbol. (HTTP 400, code -1121)");
  });

  it("times out a slow venue and says so", async () => {
    mock.on("GET", "/slow", { delayMs: 1_000, json: {} });
    const { http } = client({ maxRetries: 1 });
    const error = await failure(http.request({ method: "GET", path: "/slow", kind: "read" }));
    expect(error.status).toBeNull();
    expect(error.message).toContain("GET /slow timed out after 300 ms");
    expect(mock.calls("GET", "/slow")).toHaveLength(2);
  });

  it("names malformed JSON, and a 404 as what the caller says it means", async () => {
    mock.on("GET", "/garbled", { text: "<html>oops" });
    mock.on("GET", "/missing", { status: 404, json: { error: "No orderbook exists for the requested token id" } });
    const { http } = client();
    expect((await failure(http.request({ method: "GET", path: "/garbled", kind: "read" }))).message).toContain("GET /garbled returned malformed JSON");
    const missing = await failure(http.request({ method: "GET", path: "/missing", kind: "read", notFound: 'market "42" does not exist on Polymarket' }));
    expect(missing.message).toBe('binance: market "42" does not exist on Polymarket: No orderbook exists for the requested token id (HTTP 404)');
  });

  it("stops when the run is cancelled", async () => {
    mock.on("GET", "/slow", { delayMs: 500, json: {} });
    const { http } = client({ timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("run cancelled")), 50);
    await expect(http.request({ method: "GET", path: "/slow", kind: "read", signal: controller.signal })).rejects.toThrow("run cancelled");
  });
});

describe("VenueHttp: writes are never retried", () => {
  it("a 5xx on a write is one request and status unknown", async () => {
    mock.on("POST", "/order", { status: 502, json: { msg: "bad gateway" } });
    const { http } = client();
    const error = await failure(http.request({ method: "POST", path: "/order", body: { a: 1 }, kind: "write" }));
    expect(mock.calls("POST", "/order")).toHaveLength(1);
    expect(error.statusUnknown).toBe(true);
  });

  it("a timeout on a write is one request and status unknown; a 429 is a plain refusal", async () => {
    mock.on("POST", "/slow", { delayMs: 1_000, json: {} });
    mock.on("POST", "/limited", { status: 429, json: { msg: "slow down" } });
    const { http } = client();
    const timeout = await failure(http.request({ method: "POST", path: "/slow", kind: "write" }));
    expect(timeout.statusUnknown).toBe(true);
    expect(mock.calls("POST", "/slow")).toHaveLength(1);
    const limited = await failure(http.request({ method: "POST", path: "/limited", kind: "write" }));
    expect(limited.statusUnknown).toBe(false);
    expect(mock.calls("POST", "/limited")).toHaveLength(1);
  });

  it("signs every attempt afresh and sends the exact body it signed", async () => {
    mock.on("POST", "/signed", (req) => ({ json: { body: req.body, sig: req.headers["x-sig"], ts: req.query.get("timestamp") } }));
    const { http } = client();
    const res = await http.request<{ body: string; sig: string; ts: string }>({
      method: "POST",
      path: "/signed",
      body: { b: 2 },
      kind: "write",
      sign: ({ url, body }) => {
        url.searchParams.set("timestamp", "123");
        return { "x-sig": `sig(${url.search}|${body})` };
      },
    });
    expect(res).toEqual({ body: '{"b":2}', sig: 'sig(?timestamp=123|{"b":2})', ts: "123" });
  });
});

describe("VenueHttp: a credential that cannot go in a header", () => {
  it("is refused before sending, and the error does not quote it", async () => {
    mock.on("GET", "/account", { json: {} });
    const { http } = client();
    const secret = "AKIA-SECRET\nPART2";
    const error = await failure(http.request({ method: "GET", path: "/account", kind: "read", sign: () => ({ "x-mbx-apikey": secret }) }));
    expect(error.message).toContain("the x-mbx-apikey header has characters an HTTP header cannot carry");
    expect(error.message).not.toContain("AKIA");
    expect(mock.calls("GET", "/account")).toHaveLength(0);
  });
});

describe("TokenBucket", () => {
  it("lets a burst up to its capacity through, then refills at its rate", () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    expect(bucket.waitTime(10)).toBe(0);
    void bucket.take(10);
    return Promise.resolve().then(async () => {
      await Promise.resolve();
      expect(bucket.available()).toBeCloseTo(0, 6);
      expect(bucket.waitTime(5)).toBe(1_000);
      now += 400;
      expect(bucket.available()).toBeCloseTo(2, 6);
      now += 10_000;
      expect(bucket.available()).toBe(10);
    });
  });

  it("makes a request wait for its tokens, first come first served", async () => {
    const bucket = new TokenBucket(2, 50);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => bucket.take(1).then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("a cancelled waiter does not hold up the queue", async () => {
    const bucket = new TokenBucket(1, 5);
    await bucket.take(1);
    const controller = new AbortController();
    const waiting = bucket.take(1, controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("Wed, 25 Nov 2026 12:00:10 GMT", Date.parse("2026-11-25T12:00:00Z"))).toBe(10);
    expect(parseRetryAfter("soon")).toBeNull();
  });
});
