import "server-only";
import { emptyBars, sliceBars, type Bars } from "../backtest/types";
import type { Candle } from "../providers/types";
import { getDb } from "./client";
import type { Prisma } from "./generated/client";

/**
 * The candle store: venue bars keyed by (venue, symbol, interval, open time), the stretches of each series
 * that were fetched (CandleRange), and perpetual funding history. A covered stretch is one the venue has
 * answered for: it holds every bar the venue had there, and a bar missing inside it is missing at the venue.
 * Funding coverage is kept as CandleRange rows of the pseudo-interval FUNDING_SERIES.
 */

export interface SeriesKey {
  venue: string;
  symbol: string;
  interval: string;
}

/** Open times from..to in ms, both inclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

export interface FundingRate {
  /** Funding time, ms since the epoch. */
  time: number;
  rate: number;
}

/** The CandleRange interval under which a symbol's funding coverage is recorded. */
export const FUNDING_SERIES = "funding";

/** Rows per INSERT statement (sent as one JSON parameter). */
const INSERT_BATCH = 5_000;
/** Rows per read query when building Bars. */
const READ_BATCH = 50_000;

type Tx = Prisma.TransactionClient;

/** Sorted, merged union of ranges; ranges that touch (to + 1 = from) merge too. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = [...ranges].filter((r) => r.from <= r.to).sort((a, b) => a.from - b.from);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

/** The parts of [from, to] that no range covers, oldest first. */
export function subtractRanges(from: number, to: number, covered: readonly TimeRange[]): TimeRange[] {
  const out: TimeRange[] = [];
  let next = from;
  for (const r of mergeRanges(covered)) {
    if (r.to < next) continue;
    if (r.from > to) break;
    if (r.from > next) out.push({ from: next, to: Math.min(to, r.from - 1) });
    next = Math.max(next, r.to + 1);
    if (next > to) break;
  }
  if (next <= to) out.push({ from: next, to });
  return out;
}

/** The fetched stretches of a series, merged and oldest first. */
export async function listCoveredRanges(series: SeriesKey): Promise<TimeRange[]> {
  const rows = await getDb().candleRange.findMany({ where: { venue: series.venue, symbol: series.symbol, interval: series.interval }, select: { fromTime: true, toTime: true } });
  return mergeRanges(rows.map((r) => ({ from: Number(r.fromTime), to: Number(r.toTime) })));
}

/** Records [range] as fetched, merged with the stretches it overlaps or touches into one row. */
async function addCoveredRange(tx: Tx, series: SeriesKey, range: TimeRange): Promise<void> {
  const where = { venue: series.venue, symbol: series.symbol, interval: series.interval };
  const touching = await tx.candleRange.findMany({
    where: { ...where, fromTime: { lte: BigInt(range.to) + BigInt(1) }, toTime: { gte: BigInt(range.from) - BigInt(1) } },
    select: { id: true, fromTime: true, toTime: true },
  });
  let from = range.from;
  let to = range.to;
  for (const r of touching) {
    from = Math.min(from, Number(r.fromTime));
    to = Math.max(to, Number(r.toTime));
  }
  if (touching.length > 0) await tx.candleRange.deleteMany({ where: { id: { in: touching.map((r) => r.id) } } });
  await tx.candleRange.create({ data: { ...where, fromTime: BigInt(from), toTime: BigInt(to) } });
}

function finite(values: readonly number[], what: string): void {
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`candle store: ${what} has a value that is not a finite number (${v})`);
}

/**
 * Inserts candles, a batch per statement: the rows travel as one JSON parameter expanded by json_each
 * (JSON numbers round-trip doubles exactly). A bar already stored for an open time is kept (first wins).
 */
async function insertCandleRows(tx: Tx, series: SeriesKey, candles: readonly Candle[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < candles.length; i += INSERT_BATCH) {
    const rows = candles.slice(i, i + INSERT_BATCH).map((c) => {
      const row = [c.time, c.open, c.high, c.low, c.close, c.volume];
      finite(row, `the bar at ${c.time}`);
      return row;
    });
    inserted += await tx.$executeRawUnsafe(
      `INSERT OR IGNORE INTO "Candle" ("venue", "symbol", "interval", "openTime", "open", "high", "low", "close", "volume")
       SELECT ?, ?, ?, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)`,
      series.venue,
      series.symbol,
      series.interval,
      JSON.stringify(rows),
    );
  }
  return inserted;
}

/**
 * Stores one fetched page atomically: its candles and the stretch it covers. A failure later in a fetch
 * leaves every earlier page stored and covered. Returns the number of bars newly stored.
 */
export async function saveCandlePage(series: SeriesKey, candles: readonly Candle[], range: TimeRange): Promise<number> {
  return getDb().$transaction(async (tx) => {
    const inserted = await insertCandleRows(tx, series, candles);
    await addCoveredRange(tx, series, range);
    return inserted;
  });
}

/** Stores candles without recording coverage (bars from another source); one transaction. */
export async function insertCandles(series: SeriesKey, candles: readonly Candle[]): Promise<number> {
  return getDb().$transaction((tx) => insertCandleRows(tx, series, candles), { timeout: 600_000 });
}

/** How many bars are stored with open times in [from, to]. */
export async function countCandles(series: SeriesKey, from: number, to: number): Promise<number> {
  return getDb().candle.count({ where: { ...series, openTime: { gte: BigInt(from), lte: BigInt(to) } } });
}

interface BarRow {
  openTime: bigint | number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The stored bars with open times in [from, to], oldest first, read in batches straight into columns. */
export async function getCandleBars(series: SeriesKey, from: number, to: number): Promise<Bars> {
  const db = getDb();
  const total = await countCandles(series, from, to);
  const bars = emptyBars(total);
  let filled = 0;
  let after = BigInt(from) - BigInt(1);
  while (filled < total) {
    const rows = await db.$queryRawUnsafe<BarRow[]>(
      `SELECT "openTime", "open", "high", "low", "close", "volume" FROM "Candle"
       WHERE "venue" = ? AND "symbol" = ? AND "interval" = ? AND "openTime" > ? AND "openTime" <= ?
       ORDER BY "openTime" LIMIT ?`,
      series.venue,
      series.symbol,
      series.interval,
      after,
      BigInt(to),
      Math.min(READ_BATCH, total - filled),
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      bars.time[filled] = Number(r.openTime);
      bars.open[filled] = r.open;
      bars.high[filled] = r.high;
      bars.low[filled] = r.low;
      bars.close[filled] = r.close;
      bars.volume[filled] = r.volume;
      filled++;
    }
    after = BigInt(rows[rows.length - 1]!.openTime);
  }
  // Rows deleted between the count and the reads leave the columns shorter.
  return filled === total ? bars : sliceBars(bars, 0, filled);
}

/** Funding coverage of a perpetual, merged and oldest first. */
export function listFundingRanges(venue: string, symbol: string): Promise<TimeRange[]> {
  return listCoveredRanges({ venue, symbol, interval: FUNDING_SERIES });
}

/** Stores one fetched page of funding rates and the stretch it covers, atomically; the first rate stored for a time is kept. */
export async function saveFundingPage(venue: string, symbol: string, rates: readonly FundingRate[], range: TimeRange): Promise<number> {
  return getDb().$transaction(async (tx) => {
    let inserted = 0;
    for (let i = 0; i < rates.length; i += INSERT_BATCH) {
      const rows = rates.slice(i, i + INSERT_BATCH).map((r) => {
        const row = [r.time, r.rate];
        finite(row, `the funding rate at ${r.time}`);
        return row;
      });
      inserted += await tx.$executeRawUnsafe(
        `INSERT OR IGNORE INTO "FundingRate" ("venue", "symbol", "time", "rate") SELECT ?, ?, value ->> 0, value ->> 1 FROM json_each(?)`,
        venue,
        symbol,
        JSON.stringify(rows),
      );
    }
    await addCoveredRange(tx, { venue, symbol, interval: FUNDING_SERIES }, range);
    return inserted;
  });
}

/** Stored funding rates with funding times in [from, to], oldest first. */
export async function listFundingRates(venue: string, symbol: string, from: number, to: number): Promise<FundingRate[]> {
  const rows = await getDb().fundingRate.findMany({ where: { venue, symbol, time: { gte: BigInt(from), lte: BigInt(to) } }, orderBy: { time: "asc" }, select: { time: true, rate: true } });
  return rows.map((r) => ({ time: Number(r.time), rate: r.rate }));
}
