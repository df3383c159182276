/**
 * Reads OHLCV bars from CSV text (an uploaded dataset) and writes them back out.
 *
 * Two layouts are accepted:
 * - "header": a header row; the first column is the time whatever its name, then Open, High, Low, Close
 *   and optionally Volume in any order and letter case (o/h/l/c/v/vol also do); other columns are ignored.
 * - "binance": Binance's kline dumps, 12 columns and no header (open_time, open, high, low, close, volume,
 *   close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore).
 *
 * Every refusal is a CsvError whose message starts with the row (the 1-based line in the file, header
 * included) and the column, e.g. `row 17, column "high": "abc" is not a number`.
 */
import { parse, CsvError as CsvParseError, type InfoRecord } from "csv-parse/sync";
import { emptyBars, type BarColumn, type Bars } from "./types";

/** A refused CSV. `row` is the file's 1-based line number (null when no row is at fault), `column` a BarColumn name. */
export class CsvError extends Error {
  readonly row: number | null;
  readonly column: string | null;

  constructor(detail: string, row: number | null = null, column: string | null = null) {
    const at = row !== null && column !== null ? `row ${row}, column "${column}": ` : row !== null ? `row ${row}: ` : column !== null ? `column "${column}": ` : "";
    super(at + detail);
    this.name = "CsvError";
    this.row = row;
    this.column = column;
  }
}

export interface ParseBarsOptions {
  /** Largest accepted file, in UTF-8 bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Most bars accepted. Default 5,000,000. */
  maxBars?: number;
}

export interface ParsedBars {
  bars: Bars;
  interval: string;
  format: "header" | "binance";
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_BARS = 5_000_000;

const BINANCE_FIELDS = 12;
const PRICE_COLUMNS = ["open", "high", "low", "close"] as const;
type ValueColumn = Exclude<BarColumn, "time">;

/** Header names (lower case, letters and digits only) each column is recognised by. */
const ALIASES: Record<ValueColumn, readonly string[]> = {
  open: ["open", "o"],
  high: ["high", "h"],
  low: ["low", "l"],
  close: ["close", "c"],
  volume: ["volume", "vol", "v"],
};

/** A plain decimal, optionally signed and with an exponent ("1e-5"); no hex, Infinity, NaN or empty. */
const NUMBER_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** ISO 8601 date or date-time ("T" or a space); no zone means UTC. */
const ISO_RE = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*$/;

const DAY_MS = 86_400_000;
/** Date's own limit: ±100,000,000 days around the epoch. */
const MAX_TIME_MS = 8.64e15;

/**
 * Parses CSV text into bars, oldest first, with times in ms since the epoch (UTC).
 *
 * Guarantees on success: at least one bar; times strictly increasing; every value finite; low <= open,
 * close <= high; volume >= 0 (0 when the file has no volume column). Tolerates a UTF-8 BOM, CRLF line
 * ends, blank lines and quoted fields.
 */
export function parseBarsCsv(text: string, options: ParseBarsOptions = {}): ParsedBars {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxBars = options.maxBars ?? DEFAULT_MAX_BARS;

  const bytes = utf8Length(text);
  if (bytes > maxBytes) throw new CsvError(`the file is ${formatBytes(bytes)}, over the limit of ${formatBytes(maxBytes)}`);
  // Whitespace after the last row (blank trailing lines, a final CRLF, stray spaces) is not data.
  const body = text.trimEnd();
  if (!/\S/.test(body)) throw new CsvError("the file is empty");

  let format: "header" | "binance" | null = null;
  /** Field index of time, open, high, low, close, volume (-1: no volume column). */
  let index: Record<BarColumn, number> = { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
  let fieldCount = 0;
  let firstLine = 1;

  const columns = new GrowableBars();
  let count = 0;
  let prevTime = Number.NEGATIVE_INFINITY;
  let prevLine = 0;
  // csv-parse counts every CR and LF inside a quoted field as a line; `skew` is how many more lines it has
  // counted so far than an editor shows (a quoted CRLF is one line), so `lines - skew` is the user's line.
  let lastParserLine = 0;
  let skew = 0;

  const onRecord = (record: string[], info: InfoRecord): undefined => {
    let userBreaks = 0;
    if (info.lines - lastParserLine !== 1) {
      // Blank lines were skipped or a quoted field spans lines: only then are the fields scanned.
      const breaks = countBreaks(record);
      skew += breaks.parser - breaks.user;
      userBreaks = breaks.user;
    }
    lastParserLine = info.lines;
    const line = info.lines - skew - userBreaks;

    if (format === null) {
      fieldCount = record.length;
      firstLine = line;
      const first = record[0] ?? "";
      if (NUMBER_RE.test(first) && record.length === BINANCE_FIELDS) {
        format = "binance";
      } else {
        if (NUMBER_RE.test(first) || !Number.isNaN(parseTime(first))) {
          throw new CsvError(
            `expected a header row (time, open, high, low, close, volume) or Binance's 12-column kline dump, but the first row is data (${JSON.stringify(clip(first))} in ${record.length} fields)`,
            line,
          );
        }
        format = "header";
        index = headerIndex(record, line);
        return undefined; // the header is not a bar
      }
    }

    count++;
    if (count > maxBars) throw new CsvError(`more than ${maxBars.toLocaleString("en-US")} bars (the limit)`, line);

    const rawTime = record[index.time] ?? "";
    const time = parseTime(rawTime);
    if (Number.isNaN(time)) {
      throw new CsvError(
        rawTime.trim() === ""
          ? "the time is empty"
          : `${JSON.stringify(clip(rawTime))} is not a time (expected an ISO date or date-time, or epoch seconds, milliseconds or microseconds)`,
        line,
        "time",
      );
    }
    if (time <= prevTime) {
      throw new CsvError(
        time === prevTime
          ? `${iso(time)} repeats row ${prevLine}`
          : `${iso(time)} is before row ${prevLine} (${iso(prevTime)}); bars must be oldest first`,
        line,
        "time",
      );
    }

    const open = cell(record, index.open, line, "open");
    const high = cell(record, index.high, line, "high");
    const low = cell(record, index.low, line, "low");
    const close = cell(record, index.close, line, "close");
    const volume = index.volume < 0 ? 0 : cell(record, index.volume, line, "volume");

    if (high < low) throw new CsvError(`high ${high} is below low ${low}`, line, "high");
    if (high < open) throw new CsvError(`high ${high} is below open ${open}`, line, "high");
    if (high < close) throw new CsvError(`high ${high} is below close ${close}`, line, "high");
    if (low > open) throw new CsvError(`low ${low} is above open ${open}`, line, "low");
    if (low > close) throw new CsvError(`low ${low} is above close ${close}`, line, "low");
    if (volume < 0) throw new CsvError(`volume ${volume} is negative`, line, "volume");

    columns.push(time, open, high, low, close, volume);
    prevTime = time;
    prevLine = line;
    return undefined; // nothing is collected by csv-parse: the bars are in `columns`
  };

  try {
    parse(body, { bom: true, skip_empty_lines: true, trim: true, on_record: onRecord });
  } catch (err) {
    if (err instanceof CsvError) throw err;
    if (err instanceof CsvParseError) throw fromParseError(err, skew, fieldCount, format === "header" ? `the header (row ${firstLine})` : `row ${firstLine}`);
    throw err;
  }

  if (count === 0) throw new CsvError(format === "header" ? `the file has a header (row ${firstLine}) but no bars` : "the file is empty");
  const bars = columns.finish();
  return { bars, interval: inferInterval(bars.time), format: format ?? "header" };
}

/** Maps each bar column to its field in the header row; throws naming a missing or repeated column. */
function headerIndex(header: string[], line: number): Record<BarColumn, number> {
  const found: Partial<Record<ValueColumn, number>> = {};
  // The first field is the time whatever it is called, so it is never an OHLCV column.
  for (let i = 1; i < header.length; i++) {
    const key = (header[i] ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");
    for (const column of Object.keys(ALIASES) as ValueColumn[]) {
      if (!ALIASES[column].includes(key)) continue;
      const previous = found[column];
      if (previous !== undefined) {
        throw new CsvError(`columns ${previous + 1} (${JSON.stringify(header[previous])}) and ${i + 1} (${JSON.stringify(header[i])}) are both ${column}`, line, column);
      }
      found[column] = i;
    }
  }
  const missing = PRICE_COLUMNS.filter((c) => found[c] === undefined);
  const first = missing[0];
  if (first !== undefined) {
    const also = missing.length > 1 ? ` (also missing: ${missing.slice(1).map((c) => `"${c}"`).join(", ")})` : "";
    const list = header.map((h) => JSON.stringify(clip(h))).join(", ");
    const hint = header.length === 1 ? "; fields must be separated by commas" : "";
    throw new CsvError(`the header has no "${first}" column${also}; columns found: ${list}${hint}`, line, first);
  }
  return { time: 0, open: found.open ?? 1, high: found.high ?? 2, low: found.low ?? 3, close: found.close ?? 4, volume: found.volume ?? -1 };
}

/** The finite number in a cell, or a CsvError naming the row and column. */
function cell(record: string[], i: number, line: number, column: ValueColumn): number {
  const raw = record[i] ?? "";
  if (NUMBER_RE.test(raw)) {
    const value = Number(raw);
    if (Number.isFinite(value)) return value;
    throw new CsvError(`${JSON.stringify(clip(raw))} is out of range`, line, column);
  }
  throw new CsvError(raw.trim() === "" ? "the cell is empty, expected a number" : `${JSON.stringify(clip(raw))} is not a number`, line, column);
}

/** csv-parse's own errors (ragged rows, bad quotes) as CsvErrors with the user's line number. */
function fromParseError(err: CsvParseError, skew: number, expected: number, reference: string): CsvError {
  const lines = typeof err.lines === "number" ? err.lines : null;
  let line = lines === null ? null : lines - skew;
  if (err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" && Array.isArray(err.record)) {
    const record = err.record.map(String);
    if (line !== null) line -= countBreaks(record).parser;
    return new CsvError(`${record.length} field${record.length === 1 ? "" : "s"}, expected ${expected} like ${reference}`, line);
  }
  return new CsvError(`could not be read as CSV: ${err.message}`, line);
}

/**
 * Ms since the epoch (UTC) for an ISO date or date-time, or an epoch number (by magnitude: below 1e11
 * seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds); NaN when it is neither.
 */
function parseTime(raw: string): number {
  let ms: number;
  if (NUMBER_RE.test(raw)) {
    const n = Number(raw);
    const abs = Math.abs(n);
    ms = abs < 1e11 ? n * 1000 : abs < 1e14 ? n : abs < 1e17 ? n / 1000 : n / 1e6;
  } else {
    const m = ISO_RE.exec(raw);
    if (m === null) return Number.NaN;
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = h === undefined ? 0 : Number(h);
    const minute = mi === undefined ? 0 : Number(mi);
    const second = s === undefined ? 0 : Number(s);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
    let fraction = 0;
    if (frac !== undefined) fraction = frac.length <= 3 ? Number(frac.padEnd(3, "0")) : Number(frac.slice(0, 3)) + Number(`0.${frac.slice(3)}`);
    let offset = 0;
    if (zone !== undefined && (zone[0] === "+" || zone[0] === "-")) {
      const digits = zone.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (oh > 23 || om > 59) return Number.NaN;
      offset = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
    ms = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset;
  }
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : Number.NaN;
}

const NAMED_INTERVALS: readonly (readonly [number, string])[] = [
  [60_000, "1m"],
  [3 * 60_000, "3m"],
  [5 * 60_000, "5m"],
  [15 * 60_000, "15m"],
  [30 * 60_000, "30m"],
  [3_600_000, "1h"],
  [2 * 3_600_000, "2h"],
  [4 * 3_600_000, "4h"],
  [6 * 3_600_000, "6h"],
  [8 * 3_600_000, "8h"],
  [12 * 3_600_000, "12h"],
  [DAY_MS, "1d"],
  [3 * DAY_MS, "3d"],
  [7 * DAY_MS, "1w"],
];
const MONTH_MIN = 28 * DAY_MS;
const MONTH_MAX = 31 * DAY_MS;

/**
 * The most common spacing between consecutive times, named like Binance's intervals ("1m" ... "1w";
 * any spacing of 28 to 31 days counts as "1M"), else `${ms}ms`. Ties go to the shorter spacing;
 * non-positive spacings are ignored; fewer than two times (or no positive spacing) give "unknown".
 */
export function inferInterval(time: Float64Array): string {
  const counts = new Map<number, number>();
  for (let i = 1; i < time.length; i++) {
    const diff = (time[i] ?? 0) - (time[i - 1] ?? 0);
    if (!(diff > 0) || !Number.isFinite(diff)) continue;
    // Months vary in length, so every 28-31 day spacing is counted together, under 28 days.
    const key = diff >= MONTH_MIN && diff <= MONTH_MAX ? MONTH_MIN : diff;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best = Number.NaN;
  let bestCount = 0;
  for (const [key, n] of counts) {
    if (n > bestCount || (n === bestCount && key < best)) {
      best = key;
      bestCount = n;
    }
  }
  if (bestCount === 0) return "unknown";
  if (best === MONTH_MIN) return "1M";
  const named = NAMED_INTERVALS.find(([ms]) => ms === best);
  return named ? named[1] : `${best}ms`;
}

/**
 * CSV with the header `time,open,high,low,close,volume`, ISO times (to the millisecond) and numbers in
 * JavaScript's shortest round-trip form, so parseBarsCsv(barsToCsv(b)) gives back b's values exactly
 * (times to the ms). Times must be valid dates (as parseBarsCsv guarantees), else toISOString throws.
 */
export function barsToCsv(bars: Bars): string {
  const lines: string[] = new Array<string>(bars.length + 1);
  lines[0] = "time,open,high,low,close,volume";
  for (let i = 0; i < bars.length; i++) {
    lines[i + 1] = `${iso(bars.time[i] ?? 0)},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`;
  }
  return lines.join("\n") + "\n";
}

/** Columns that double their capacity as bars are pushed. */
class GrowableBars {
  private capacity = 1024;
  private length = 0;
  private cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(this.capacity));

  push(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.length === this.capacity) {
      this.capacity *= 2;
      this.cols = this.cols.map((c) => {
        const next = new Float64Array(this.capacity);
        next.set(c);
        return next;
      });
    }
    const [t, o, h, l, c, v] = this.cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const i = this.length++;
    t[i] = time;
    o[i] = open;
    h[i] = high;
    l[i] = low;
    c[i] = close;
    v[i] = volume;
  }

  /** Exactly-sized bars (copies, so the spare capacity is freed). */
  finish(): Bars {
    const bars = emptyBars(this.length);
    const targets = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
    targets.forEach((target, k) => target.set((this.cols[k] ?? new Float64Array(0)).subarray(0, this.length)));
    return bars;
  }
}

/** Line breaks inside a record's fields: as csv-parse counts them (each CR and LF) and as an editor does (CRLF once). */
function countBreaks(record: readonly string[]): { parser: number; user: number } {
  let parser = 0;
  let user = 0;
  for (const field of record) {
    for (let i = 0; i < field.length; i++) {
      const ch = field.charCodeAt(i);
      if (ch === 10 || ch === 13) {
        parser++;
        if (!(ch === 10 && field.charCodeAt(i - 1) === 13)) user++;
      }
    }
  }
  return { parser, user };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil; no 2-digit-year quirks). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** UTF-8 byte length of a string (lone surrogates count as the 3-byte replacement character). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes.toLocaleString("en-US")} bytes)`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
