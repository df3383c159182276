import "server-only";
import { getDb } from "./client";
import { BAR_COLUMNS, emptyBars, type Bars, type DatasetSummary } from "../backtest/types";

/** Uploaded OHLCV datasets, stored as packed Float64 columns (time, open, high, low, close, volume). */

function pack(bars: Bars): Uint8Array<ArrayBuffer> {
  const buffer = new ArrayBuffer(bars.length * 8 * BAR_COLUMNS.length);
  BAR_COLUMNS.forEach((c, k) => new Float64Array(buffer, k * bars.length * 8, bars.length).set(bars[c]));
  return new Uint8Array(buffer);
}

function unpack(bytes: Uint8Array, length: number): Bars {
  const bars = emptyBars(length);
  // Copied into aligned arrays: the driver's buffer may start at any byte.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  BAR_COLUMNS.forEach((c, k) => bars[c].set(new Float64Array(copy.buffer, k * length * 8, length)));
  return bars;
}

type Row = { id: string; name: string; interval: string; bars: number; fromTime: bigint; toTime: bigint; createdAt: Date };

function summary(row: Row): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    bars: row.bars,
    interval: row.interval,
    from: new Date(Number(row.fromTime)).toISOString(),
    to: new Date(Number(row.toTime)).toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

const SUMMARY = { id: true, name: true, interval: true, bars: true, fromTime: true, toTime: true, createdAt: true } as const;

export async function createDataset(name: string, bars: Bars, interval: string): Promise<DatasetSummary> {
  const row = await getDb().dataset.create({
    data: { name, interval, bars: bars.length, fromTime: BigInt(Math.round(bars.time[0]!)), toTime: BigInt(Math.round(bars.time[bars.length - 1]!)), columns: pack(bars) },
    select: SUMMARY,
  });
  return summary(row);
}

export async function listDatasets(): Promise<DatasetSummary[]> {
  const rows = await getDb().dataset.findMany({ select: SUMMARY, orderBy: { createdAt: "desc" } });
  return rows.map(summary);
}

export async function getDatasetSummary(id: string): Promise<DatasetSummary | null> {
  const row = await getDb().dataset.findUnique({ where: { id }, select: SUMMARY });
  return row ? summary(row) : null;
}

/** The dataset with its bars, or null. */
export async function getDataset(id: string): Promise<(DatasetSummary & { data: Bars }) | null> {
  const row = await getDb().dataset.findUnique({ where: { id } });
  if (!row) return null;
  return { ...summary(row), data: unpack(row.columns, row.bars) };
}

/** False when there was no such dataset. */
export async function deleteDataset(id: string): Promise<boolean> {
  const { count } = await getDb().dataset.deleteMany({ where: { id } });
  return count > 0;
}
