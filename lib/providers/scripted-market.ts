import type { Candle, CandleInterval, Funding, MarketData, MarketRef, OrderBook, Quote } from "./types";

/**
 * A market that serves exactly the data it is given: books, candles and funding per venue and symbol.
 * Tests use it to feed a strategy a crafted market (a crossing, a spread, a spike) and check its
 * decisions; a replay could use it the same way. Reading a market it was not given is an error.
 */
export class ScriptedMarket implements MarketData {
  readonly source = "simulated" as const;
  private readonly books = new Map<string, { bids: [number, number][]; asks: [number, number][] }>();
  private readonly candles = new Map<string, Candle[]>();
  private readonly funding = new Map<string, Omit<Funding, "at">>();

  private readonly now: Date;
  /** How many times a book was read: lets a test see that an order did not touch the market. */
  bookRequests = 0;

  constructor(now: Date | number = new Date("2026-01-01T00:00:00Z")) {
    this.now = new Date(now);
  }

  private static key(venue: string, symbol: string): string {
    return `${venue}:${symbol}`;
  }

  setBook(venue: string, symbol: string, bids: [number, number][], asks: [number, number][]): this {
    this.books.set(ScriptedMarket.key(venue, symbol), { bids, asks });
    return this;
  }

  /** A one-level book a tick either side of `mid`, deep enough for test orders. */
  setMid(venue: string, symbol: string, mid: number, halfSpread = 0.005, size = 10_000): this {
    return this.setBook(venue, symbol, [[mid - halfSpread, size]], [[mid + halfSpread, size]]);
  }

  /** Candles from closes (open = previous close, high/low around them), oldest first, one per minute. */
  setCloses(venue: string, symbol: string, closes: readonly number[], volumes?: readonly number[]): this {
    const start = this.now.getTime() - closes.length * 60_000;
    const candles = closes.map((close, i) => {
      const open = i === 0 ? close : closes[i - 1]!;
      return { time: start + i * 60_000, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: volumes?.[i] ?? 100 };
    });
    this.candles.set(ScriptedMarket.key(venue, symbol), candles);
    if (!this.books.has(ScriptedMarket.key(venue, symbol))) {
      const last = closes[closes.length - 1]!;
      this.setMid(venue, symbol, last, Math.max(1e-6, last * 0.0001));
    }
    return this;
  }

  setCandles(venue: string, symbol: string, candles: Candle[]): this {
    this.candles.set(ScriptedMarket.key(venue, symbol), candles);
    return this;
  }

  setFunding(venue: string, symbol: string, rate: number, markPrice: number): this {
    this.funding.set(ScriptedMarket.key(venue, symbol), { rate, markPrice, intervalHours: 8, nextTime: this.now.getTime() + 3_600_000 });
    return this;
  }

  private bookOf(market: MarketRef) {
    const book = this.books.get(ScriptedMarket.key(market.venue, market.symbol));
    if (!book) throw new Error(`no book scripted for ${market.venue}:${market.symbol}`);
    return book;
  }

  async getQuote(market: MarketRef): Promise<Quote> {
    const { bids, asks } = this.bookOf(market);
    const bid = bids[0]?.[0] ?? 0;
    const ask = asks[0]?.[0] ?? bid;
    return { price: Number(((bid + ask) / 2).toFixed(10)), bid, ask, at: this.now.toISOString() };
  }

  async getOrderBook(market: MarketRef, depth: number): Promise<OrderBook> {
    this.bookRequests++;
    const { bids, asks } = this.bookOf(market);
    return { bids: bids.slice(0, depth), asks: asks.slice(0, depth), at: this.now.toISOString() };
  }

  async getCandles(market: MarketRef, _interval: CandleInterval, limit: number): Promise<Candle[]> {
    const candles = this.candles.get(ScriptedMarket.key(market.venue, market.symbol));
    if (!candles) throw new Error(`no candles scripted for ${market.venue}:${market.symbol}`);
    return candles.slice(-limit);
  }

  async getFunding(market: MarketRef): Promise<Funding> {
    const f = this.funding.get(ScriptedMarket.key(market.venue, market.symbol));
    if (!f) throw new Error(`no funding scripted for ${market.venue}:${market.symbol}`);
    return { ...f, at: this.now.toISOString() };
  }
}
