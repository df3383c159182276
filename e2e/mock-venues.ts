/**
 * The venue the e2e tests trade against: a local HTTP server (MockVenue) that answers Polymarket's CLOB
 * reads with the recorded responses in test/fixtures/ccxt (MIT, from ccxt's static tests). Timestamps
 * are moved to "now" so the recorded book reads as a fresh quote; prices and sizes are as recorded.
 * Started by playwright.config.ts; the app is pointed at it through POLYMARKET_CLOB_URL.
 *
 *   npx tsx e2e/mock-venues.ts [port]
 */
import { MockVenue, ccxtResponses } from "../test/mock-venue";

export const RECORDED_TOKEN = "16040015440196279900485035793550429453516625694844857319147506590755961451627";

export function polymarketMock(): MockVenue {
  const recorded = ccxtResponses("polymarket");
  const book = recorded.fetchOrderBook![0]!.httpResponse as Record<string, unknown>;
  const ticker = recorded.fetchTicker![0]!.httpResponse as Record<string, unknown>;
  const history = recorded.fetchOHLCV![0]!.httpResponse as { history: { t: string; p: string }[] };
  const unknown = { status: 404, json: { error: "No orderbook exists for the requested token id" } };
  const known = (token: string | null) => token === RECORDED_TOKEN;
  const mock = new MockVenue();
  mock.on("GET", "/health", { json: { ok: true } });
  mock.on("GET", "/polymarket-clob/book", (req) => (known(req.query.get("token_id")) ? { json: { ...book, timestamp: String(Date.now()) } } : unknown));
  mock.on("GET", "/polymarket-clob/midpoint", (req) => (known(req.query.get("token_id")) ? { json: { mid: ticker.mid } } : unknown));
  mock.on("GET", "/polymarket-clob/prices-history", (req) => {
    if (!known(req.query.get("market"))) return unknown;
    // The recorded points, shifted so the last one is a minute ago.
    const last = Number(history.history.at(-1)!.t);
    const shift = Math.floor(Date.now() / 1000) - 60 - last;
    return { json: { history: history.history.map((h) => ({ t: Number(h.t) + shift, p: Number(h.p) })) } };
  });
  return mock;
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? process.env.MOCK_VENUE_PORT ?? 3219);
  void polymarketMock()
    .start(port)
    .then((url) => console.log(`mock venues on ${url}`));
}
