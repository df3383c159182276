import { describe, expect, it } from "vitest";
import { INTERVAL_MINUTES, SimulatedMarket } from "./simulated-market";
import { CANDLE_INTERVALS, VENUES, type Candle, type MarketRef, type OrderBook } from "./types";

const NOW = new Date("2026-11-25T12:00:00Z").getTime();
const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

const MARKETS: Record<(typeof VENUES)[number], MarketRef> = {
  binance: { venue: "binance", symbol: "BTCUSDT" },
  polymarket: { venue: "polymarket", symbol: "SIM-YES" },
  kalshi: { venue: "kalshi", symbol: "SIM-KALSHI" },
};
const ALL = Object.values(MARKETS);
const isPrediction = (m: MarketRef) => m.venue !== "binance";

/** What is wrong with a book, as text (empty when it is sound); one assertion per book keeps the sweep fast. */
function bookProblems(book: OrderBook, market: MarketRef): string[] {
  const problems: string[] = [];
  const where = `${market.venue} ${book.at}`;
  if (book.bids.length === 0 || book.asks.length === 0) return [`${where}: empty side`];
  for (let i = 1; i < book.bids.length; i++) if (!(book.bids[i]![0] < book.bids[i - 1]![0])) problems.push(`${where}: bid ${i} not below bid ${i - 1}`);
  for (let i = 1; i < book.asks.length; i++) if (!(book.asks[i]![0] > book.asks[i - 1]![0])) problems.push(`${where}: ask ${i} not above ask ${i - 1}`);
  if (!(book.bids[0]![0] < book.asks[0]![0])) problems.push(`${where}: crossed book ${book.bids[0]![0]} >= ${book.asks[0]![0]}`);
  for (const [price, size] of [...book.bids, ...book.asks]) {
    if (!(size > 0)) problems.push(`${where}: size ${size}`);
    if (!(price > 0)) problems.push(`${where}: price ${price}`);
    if (isPrediction(market)) {
      if (price < 0.01 || price > 0.99) problems.push(`${where}: price ${price} outside 0.01..0.99`);
      if (Math.abs(price * 100 - Math.round(price * 100)) > 1e-6) problems.push(`${where}: price ${price} not whole cents`);
    }
  }
  return problems;
}

function expectCandleInvariants(candles: Candle[], limit: number, widthMs: number, now: number, market: MarketRef) {
  expect(candles).toHaveLength(limit);
  candles.forEach((c, i) => {
    expect(c.time % widthMs).toBe(0); // aligned to the interval
    expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
    expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
    expect(c.low).toBeGreaterThan(0);
    expect(c.volume).toBeGreaterThan(0);
    if (isPrediction(market)) expect(c.high).toBeLessThan(1);
    if (i > 0) {
      expect(c.time - candles[i - 1]!.time).toBe(widthMs); // oldest first, no gaps
      expect(candles[i - 1]!.close).toBe(c.open); // a candle closes where the next opens
    }
  });
  const last = candles[candles.length - 1]!;
  expect(last.time).toBeLessThanOrEqual(now);
  expect(now).toBeLessThan(last.time + widthMs);
}

describe("SimulatedMarket: determinism", () => {
  it("says it is simulated", () => {
    expect(new SimulatedMarket({ now: NOW }).source).toBe("simulated");
  });

  it("gives identical quotes, books and candles for the same seed and time", async () => {
    for (const market of ALL) {
      const a = new SimulatedMarket({ now: NOW, seed: 42 });
      const b = new SimulatedMarket({ now: NOW, seed: 42 });
      expect(await a.getQuote(market)).toEqual(await b.getQuote(market));
      expect(await a.getOrderBook(market, 20)).toEqual(await b.getOrderBook(market, 20));
      expect(await a.getCandles(market, "1h", 48)).toEqual(await b.getCandles(market, "1h", 48));
      expect(a.priceAt(market, NOW - 12_345_678)).toBe(b.priceAt(market, NOW - 12_345_678));
    }
  });

  it("uses seed 1 by default", async () => {
    const implicit = new SimulatedMarket({ now: NOW });
    const explicit = new SimulatedMarket({ now: NOW, seed: 1 });
    for (const market of ALL) expect(await implicit.getQuote(market)).toEqual(await explicit.getQuote(market));
  });

  it("gives a different path for a different seed or symbol", async () => {
    for (const market of ALL) {
      const prices = new Set<number>();
      for (let seed = 1; seed <= 5; seed++) prices.add(new SimulatedMarket({ now: NOW, seed }).priceAt(market, NOW));
      expect(prices.size, market.venue).toBe(5);
    }
    const m = new SimulatedMarket({ now: NOW });
    expect(m.priceAt({ venue: "polymarket", symbol: "A" }, NOW)).not.toBe(m.priceAt({ venue: "polymarket", symbol: "B" }, NOW));
    expect(m.priceAt({ venue: "kalshi", symbol: "SIM-YES" }, NOW)).not.toBe(m.priceAt({ venue: "polymarket", symbol: "SIM-YES" }, NOW));
  });

  it("reads prices at its own instant: a later market sees a different quote", async () => {
    const market = MARKETS.binance;
    const now = await new SimulatedMarket({ now: NOW }).getQuote(market);
    const later = await new SimulatedMarket({ now: NOW + 3 * 3_600_000 }).getQuote(market);
    expect(later.price).not.toBe(now.price);
    expect(now.at).toBe(new Date(NOW).toISOString());
    expect(later.at).toBe(new Date(NOW + 3 * 3_600_000).toISOString());
  });
});

describe("SimulatedMarket: the price path", () => {
  it("moves both up and down across a day of 1-minute samples", () => {
    const m = new SimulatedMarket({ now: NOW });
    for (const market of ALL) {
      let up = 0;
      let down = 0;
      let previous = m.priceAt(market, NOW - DAY);
      for (let t = NOW - DAY + MINUTE; t <= NOW; t += MINUTE) {
        const p = m.priceAt(market, t);
        if (p > previous) up++;
        else if (p < previous) down++;
        previous = p;
      }
      expect(up, `${market.venue} rising steps`).toBeGreaterThan(300);
      expect(down, `${market.venue} falling steps`).toBeGreaterThan(300);
    }
  });

  it("moves both ways in the quotes a run sees, minute by minute", async () => {
    let up = 0;
    let down = 0;
    let previous: number | undefined;
    for (let t = NOW - DAY; t <= NOW; t += MINUTE) {
      const { price } = await new SimulatedMarket({ now: t }).getQuote(MARKETS.binance);
      if (previous !== undefined) {
        if (price > previous) up++;
        else if (price < previous) down++;
      }
      previous = price;
    }
    expect(up).toBeGreaterThan(300);
    expect(down).toBeGreaterThan(300);
  });

  it("keeps prediction markets strictly inside (0, 1) and BTC near its base over a month", () => {
    const outside: string[] = [];
    let predictionMin = 1;
    let predictionMax = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const m = new SimulatedMarket({ now: NOW, seed });
      for (let t = NOW - 30 * DAY; t <= NOW; t += 97 * MINUTE) {
        for (const market of [MARKETS.polymarket, MARKETS.kalshi]) {
          const p = m.priceAt(market, t);
          predictionMin = Math.min(predictionMin, p);
          predictionMax = Math.max(predictionMax, p);
          if (!(p >= 0.01 && p <= 0.99)) outside.push(`${market.venue} seed ${seed} t ${t}: ${p}`);
        }
        const btc = m.priceAt(MARKETS.binance, t);
        if (!(btc > 30_000 && btc < 120_000)) outside.push(`BTC seed ${seed} t ${t}: ${btc}`);
      }
    }
    expect(outside).toEqual([]);
    // and the prediction prices do use the range rather than sitting still
    expect(predictionMax - predictionMin).toBeGreaterThan(0.3);
  });

  it("prices other exchange symbols around their base", () => {
    const m = new SimulatedMarket({ now: NOW });
    const eth = m.priceAt({ venue: "binance", symbol: "ETHUSDT" }, NOW);
    const sol = m.priceAt({ venue: "binance", symbol: "solusdt" }, NOW);
    expect(eth).toBeGreaterThan(1_500);
    expect(eth).toBeLessThan(6_000);
    expect(sol).toBeGreaterThan(75);
    expect(sol).toBeLessThan(300);
  });
});

describe("SimulatedMarket: order books and quotes", () => {
  it("has bids descending, asks ascending, best bid below best ask", async () => {
    const problems: string[] = [];
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      for (const hours of [0, 5, 17]) {
        const m = new SimulatedMarket({ now: NOW + hours * 3_600_000, seed });
        for (const market of ALL) {
          const book = await m.getOrderBook(market, 100);
          problems.push(...bookProblems(book, market));
          checked++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBe(360);
  });

  it("finds problems in a bad book (the checker itself can fail)", () => {
    const at = new Date(NOW).toISOString();
    expect(bookProblems({ bids: [[0.5, 1], [0.6, 1]], asks: [[0.45, 1]], at }, MARKETS.polymarket)).toHaveLength(2); // not descending, crossed
    expect(bookProblems({ bids: [[0.5, 1]], asks: [[0.505, 0]], at }, MARKETS.polymarket)).toHaveLength(2); // zero size, half a cent
  });

  it("returns the requested depth, clamped to 1..100", async () => {
    const m = new SimulatedMarket({ now: NOW });
    const book = await m.getOrderBook(MARKETS.binance, 7);
    expect(book.bids).toHaveLength(7);
    expect(book.asks).toHaveLength(7);
    expect((await m.getOrderBook(MARKETS.binance, 0)).bids).toHaveLength(1);
    expect((await m.getOrderBook(MARKETS.binance, 500)).asks).toHaveLength(100);
    expect((await m.getOrderBook(MARKETS.binance, 3.9)).asks).toHaveLength(3);
    expect(book.at).toBe(new Date(NOW).toISOString());
  });

  it("extends a deeper book without changing its top", async () => {
    const m = new SimulatedMarket({ now: NOW });
    for (const market of ALL) {
      const shallow = await m.getOrderBook(market, 3);
      const deep = await m.getOrderBook(market, 10);
      expect(deep.bids.slice(0, 3)).toEqual(shallow.bids);
      expect(deep.asks.slice(0, 3)).toEqual(shallow.asks);
    }
  });

  it("quotes the top of the book with price at the mid", async () => {
    for (const market of ALL) {
      const m = new SimulatedMarket({ now: NOW, seed: 3 });
      const quote = await m.getQuote(market);
      const book = await m.getOrderBook(market, 1);
      expect(quote.bid).toBe(book.bids[0]![0]);
      expect(quote.ask).toBe(book.asks[0]![0]);
      expect(quote.price).toBeCloseTo((quote.bid + quote.ask) / 2, 8);
      expect(quote.bid).toBeLessThan(quote.price);
      expect(quote.price).toBeLessThan(quote.ask);
    }
  });

  it("keeps the binance spread near one basis point", async () => {
    const quote = await new SimulatedMarket({ now: NOW }).getQuote(MARKETS.binance);
    const spread = (quote.ask - quote.bid) / quote.price;
    expect(spread).toBeGreaterThan(0);
    expect(spread).toBeLessThan(0.0005);
  });
});

describe("SimulatedMarket: candles", () => {
  it("returns `limit` candles, oldest first, with consistent OHLC for every interval", async () => {
    for (const market of ALL) {
      for (const interval of CANDLE_INTERVALS) {
        for (const seed of [1, 9]) {
          const m = new SimulatedMarket({ now: NOW + 17 * MINUTE + 3_000, seed });
          const candles = await m.getCandles(market, interval, 30);
          expectCandleInvariants(candles, 30, INTERVAL_MINUTES[interval] * MINUTE, NOW + 17 * MINUTE + 3_000, market);
        }
      }
    }
  });

  it("aligns candle times to the interval", async () => {
    const now = Date.UTC(2026, 10, 25, 13, 47, 29);
    const m = new SimulatedMarket({ now });
    expect((await m.getCandles(MARKETS.binance, "15m", 3)).map((c) => c.time)).toEqual([
      Date.UTC(2026, 10, 25, 13, 15),
      Date.UTC(2026, 10, 25, 13, 30),
      Date.UTC(2026, 10, 25, 13, 45),
    ]);
    expect((await m.getCandles(MARKETS.binance, "4h", 2)).map((c) => c.time)).toEqual([Date.UTC(2026, 10, 25, 8), Date.UTC(2026, 10, 25, 12)]);
    expect((await m.getCandles(MARKETS.binance, "1d", 2)).map((c) => c.time)).toEqual([Date.UTC(2026, 10, 24), Date.UTC(2026, 10, 25)]);
  });

  it("opens each candle at the path's price and closes the current one at now", async () => {
    const now = NOW + 25 * MINUTE;
    const m = new SimulatedMarket({ now });
    const candles = await m.getCandles(MARKETS.binance, "1h", 3);
    for (const c of candles) expect(c.open).toBeCloseTo(m.priceAt(MARKETS.binance, c.time), 2);
    expect(candles[2]!.close).toBeCloseTo(m.priceAt(MARKETS.binance, now), 2);
  });

  it("clamps limit to 1..1000", async () => {
    const m = new SimulatedMarket({ now: NOW });
    expect(await m.getCandles(MARKETS.polymarket, "1m", 0)).toHaveLength(1);
    expect(await m.getCandles(MARKETS.polymarket, "1m", 5_000)).toHaveLength(1_000);
  });

  it("does not change past candles as time moves on", async () => {
    const earlier = await new SimulatedMarket({ now: NOW }).getCandles(MARKETS.kalshi, "5m", 10);
    const later = await new SimulatedMarket({ now: NOW + 30 * MINUTE }).getCandles(MARKETS.kalshi, "5m", 16);
    // the first 9 of the earlier candles are closed; they reappear unchanged
    expect(later.slice(0, 9)).toEqual(earlier.slice(0, 9));
  });
});
