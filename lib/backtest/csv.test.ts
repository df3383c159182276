import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { barsToCsv, CsvError, inferInterval, parseBarsCsv } from "./csv";
import { emptyBars } from "./types";

interface Candle {
  openTimeInMillis: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

const candles = JSON.parse(readFileSync(path.resolve(__dirname, "../../test/fixtures/candles/btcusdt-1m-60.json"), "utf8")) as Candle[];

/** A Binance kline dump line for a candle: 12 fields, no header. */
function binanceLine(c: Candle, timeScale = 1): string {
  const close = c.openTimeInMillis + 59_999;
  return [c.openTimeInMillis * timeScale, c.open, c.high, c.low, c.close, c.volume, close * timeScale, "946.9", "512", "40.1", "468.2", "0"].join(",");
}

/** The CsvError `fn` throws. */
function refusal(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  throw new Error("expected a CsvError, nothing was thrown");
}

function refuse(text: string, options?: Parameters<typeof parseBarsCsv>[1]): CsvError {
  return refusal(() => parseBarsCsv(text, options));
}

const T0 = Date.UTC(2024, 0, 2); // 2024-01-02T00:00:00Z
const H = 3_600_000;

describe("parseBarsCsv accepts", () => {
  it("ISO dates with a Yahoo-style header (Adj Close ignored)", () => {
    const { bars, interval, format } = parseBarsCsv(
      ["Date,Open,High,Low,Close,Adj Close,Volume", "2024-01-02,10,12,9,11,10.5,1000", "2024-01-03,11,13,10,12,11.5,2000", "2024-01-04,12,12.5,11,11.2,11,0"].join("\n"),
    );
    expect(format).toBe("header");
    expect(interval).toBe("1d");
    expect(bars.length).toBe(3);
    expect([...bars.time]).toEqual([T0, T0 + 86_400_000, T0 + 2 * 86_400_000]);
    expect([...bars.open]).toEqual([10, 11, 12]);
    expect([...bars.high]).toEqual([12, 13, 12.5]);
    expect([...bars.low]).toEqual([9, 10, 11]);
    expect([...bars.close]).toEqual([11, 12, 11.2]);
    expect([...bars.volume]).toEqual([1000, 2000, 0]);
  });

  it("ISO date-times: Z, offsets, milliseconds, no zone (UTC), a space instead of T, lower-case t/z", () => {
    const times = [
      ["2024-01-02T00:00:00Z", T0],
      ["2024-01-02T01:00:00.000Z", T0 + H],
      ["2024-01-02T04:00:00+02:00", T0 + 2 * H],
      ["2024-01-02T03:00:00", T0 + 3 * H],
      ["2024-01-02 04:00:00", T0 + 4 * H],
      ["2024-01-02T05:00Z", T0 + 5 * H],
      ["2024-01-02T01:30:00.5-0430", T0 + 6 * H + 500],
      ["2024-01-02t07:00:00.123456z", T0 + 7 * H + 123.456],
      ["2024-01-02 08:00:00 UTC", T0 + 8 * H],
    ] as const;
    const csv = ["time,open,high,low,close,volume", ...times.map(([t]) => `${t},1,1,1,1,1`)].join("\n");
    const { bars } = parseBarsCsv(csv);
    expect([...bars.time]).toEqual(times.map(([, ms]) => ms));
  });

  it("epoch seconds, milliseconds and microseconds, told apart by magnitude", () => {
    const seconds = T0 / 1000;
    for (const [scale, label] of [
      [1, "seconds"],
      [1000, "milliseconds"],
      [1_000_000, "microseconds"],
    ] as const) {
      const rows = [0, 1, 2].map((i) => `${(seconds + i * 3600) * scale},1,2,0.5,1.5,3`);
      const { bars, interval } = parseBarsCsv(["timestamp,open,high,low,close,volume", ...rows].join("\n"));
      expect([...bars.time], label).toEqual([T0, T0 + H, T0 + 2 * H]);
      expect(interval).toBe("1h");
    }
  });

  it("column names in any letter case, in any order, with an unnamed time column", () => {
    const { bars } = parseBarsCsv([",cLoSe,VOLUME,low,Open,HIGH,extra", "2024-01-02,11,5,9,10,12,x", "2024-01-03,12,6,10,11,13,y"].join("\n"));
    expect([...bars.open]).toEqual([10, 11]);
    expect([...bars.high]).toEqual([12, 13]);
    expect([...bars.low]).toEqual([9, 10]);
    expect([...bars.close]).toEqual([11, 12]);
    expect([...bars.volume]).toEqual([5, 6]);
  });

  it("the one-letter aliases o/h/l/c/v", () => {
    const { bars } = parseBarsCsv("t,o,h,l,c,v\n2024-01-02,10,12,9,11,7\n");
    expect([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([10, 12, 9, 11, 7]);
  });

  it("no volume column: volume is 0", () => {
    const { bars } = parseBarsCsv("time,open,high,low,close\n2024-01-02,10,12,9,11\n2024-01-03,11,13,10,12\n");
    expect([...bars.volume]).toEqual([0, 0]);
    expect([...bars.close]).toEqual([11, 12]);
  });

  it("a UTF-8 BOM, CRLF line ends, quoted fields, exponents and blank trailing lines", () => {
    const text = '\uFEFF"Time","Open","High","Low","Close","Volume"\r\n"2024-01-02",1e-5,"2E-5", 5e-6 ,1.5e-5,"1,000"\r\n2024-01-03,0.00001,0.00002,0.000005,0.000015,+7\r\n\r\n\r\n  \r\n';
    // "1,000" is one quoted field, and not a number: the thousands separator is refused, see below.
    expect(refuse(text)).toMatchObject({ row: 2, column: "volume", message: 'row 2, column "volume": "1,000" is not a number' });
    const ok = text.replace('"1,000"', '"1000"');
    const { bars, interval } = parseBarsCsv(ok);
    expect(bars.length).toBe(2);
    expect(interval).toBe("1d");
    expect([...bars.open]).toEqual([1e-5, 1e-5]);
    expect([...bars.high]).toEqual([2e-5, 2e-5]);
    expect([...bars.low]).toEqual([5e-6, 5e-6]);
    expect([...bars.close]).toEqual([1.5e-5, 1.5e-5]);
    expect([...bars.volume]).toEqual([1000, 7]);
  });

  it("a Binance 12-column kline dump (no header), every value exactly as in the candles", () => {
    const text = candles.map((c) => binanceLine(c)).join("\n") + "\n";
    const { bars, interval, format } = parseBarsCsv(text);
    expect(format).toBe("binance");
    expect(interval).toBe("1m");
    expect(bars.length).toBe(candles.length);
    candles.forEach((c, i) => {
      expect(bars.time[i]).toBe(c.openTimeInMillis);
      expect(bars.open[i]).toBe(Number(c.open));
      expect(bars.high[i]).toBe(Number(c.high));
      expect(bars.low[i]).toBe(Number(c.low));
      expect(bars.close[i]).toBe(Number(c.close));
      expect(bars.volume[i]).toBe(Number(c.volume));
    });
  });

  it("Binance's 2025+ dumps with times in microseconds, CRLF", () => {
    const { bars, format } = parseBarsCsv(candles.map((c) => binanceLine(c, 1000)).join("\r\n"));
    expect(format).toBe("binance");
    expect([...bars.time]).toEqual(candles.map((c) => c.openTimeInMillis));
  });

  it("a Binance dump with its header row, as the header format", () => {
    const header = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
    const { bars, format } = parseBarsCsv([header, ...candles.map((c) => binanceLine(c))].join("\n"));
    expect(format).toBe("header");
    expect([...bars.close]).toEqual(candles.map((c) => Number(c.close)));
    expect([...bars.volume]).toEqual(candles.map((c) => Number(c.volume)));
  });

  it("round-trips through barsToCsv exactly", () => {
    const { bars } = parseBarsCsv(candles.map((c) => binanceLine(c)).join("\n"));
    const csv = barsToCsv(bars);
    expect(csv.split("\n")[0]).toBe("time,open,high,low,close,volume");
    expect(csv.split("\n")[1]).toBe(`2020-08-23T00:00:00.000Z,${Number(candles[0]?.open)},${Number(candles[0]?.high)},${Number(candles[0]?.low)},${Number(candles[0]?.close)},${Number(candles[0]?.volume)}`);
    const again = parseBarsCsv(csv);
    expect(again.format).toBe("header");
    expect(again.interval).toBe("1m");
    for (const key of ["time", "open", "high", "low", "close", "volume"] as const) expect(again.bars[key]).toEqual(bars[key]);
  });

  it("round-trips awkward values (tiny, huge, negative prices) through barsToCsv", () => {
    const bars = emptyBars(3);
    const rows = [
      [T0, 1e-7, 2.5e-7, 1e-8, 2e-7, 0],
      [T0 + 1, -3.5, -1, -4, -2, 1e21],
      [T0 + 2, 0.1 + 0.2, 0.9, 0.1, 0.3, 123456789.123456],
    ];
    rows.forEach(([t, o, h, l, c, v], i) => {
      bars.time[i] = t ?? 0;
      bars.open[i] = o ?? 0;
      bars.high[i] = h ?? 0;
      bars.low[i] = l ?? 0;
      bars.close[i] = c ?? 0;
      bars.volume[i] = v ?? 0;
    });
    const { bars: back } = parseBarsCsv(barsToCsv(bars));
    for (const key of ["time", "open", "high", "low", "close", "volume"] as const) expect(back[key]).toEqual(bars[key]);
  });

  it("200,000 generated rows, within the default 10 MiB", () => {
    const n = 200_000;
    const lines = ["time,open,high,low,close,volume"];
    let price = 10_000; // cents
    for (let i = 0; i < n; i++) {
      const next = Math.max(100, price + Math.round(Math.sin(i) * 20));
      const row = [T0 / 1000 + i * 60, price / 100, (Math.max(price, next) + 1) / 100, (Math.min(price, next) - 1) / 100, next / 100, i % 97];
      lines.push(row.join(","));
      price = next;
    }
    const text = lines.join("\n");
    expect(text.length).toBeLessThan(10 * 1024 * 1024);
    const { bars, interval } = parseBarsCsv(text);
    expect(bars.length).toBe(n);
    expect(interval).toBe("1m");
    expect(bars.time[n - 1]).toBe(T0 + (n - 1) * 60_000);
    expect(bars.close[n - 1]).toBe(price / 100);
    expect(bars.volume[n - 1]).toBe((n - 1) % 97);
  });
});

describe("parseBarsCsv refuses", () => {
  const header = "time,open,high,low,close,volume";
  /** A file whose row `bad` (1-based line, header = 1) is `row`; the others are valid 1h bars. */
  function fileWith(bad: number, row: string, total = 20): string {
    const lines = [header];
    for (let line = 2; line <= total; line++) lines.push(line === bad ? row : `${new Date(T0 + line * H).toISOString()},10,12,9,11,100`);
    return lines.join("\n");
  }
  const at17 = new Date(T0 + 17 * H).toISOString();

  it("a number that does not parse, naming row and column", () => {
    const err = refuse(fileWith(17, `${at17},10,abc,9,11,100`));
    expect(err).toBeInstanceOf(CsvError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("CsvError");
    expect(err).toMatchObject({ row: 17, column: "high", message: 'row 17, column "high": "abc" is not a number' });
  });

  it("non-decimal numbers: hex, Infinity, NaN, thousands separators", () => {
    for (const value of ["0x10", "Infinity", "NaN", '"1,5"', "1.2.3"]) {
      expect(refuse(fileWith(5, `${new Date(T0 + 5 * H).toISOString()},${value},12,9,11,100`)), value).toMatchObject({ row: 5, column: "open" });
    }
  });

  it("an empty required cell", () => {
    expect(refuse(fileWith(3, `${new Date(T0 + 3 * H).toISOString()},10,12,9,,100`))).toMatchObject({ row: 3, column: "close", message: 'row 3, column "close": the cell is empty, expected a number' });
    expect(refuse(fileWith(4, `${new Date(T0 + 4 * H).toISOString()},10,12,9,11,`))).toMatchObject({ row: 4, column: "volume" });
  });

  it("high below low", () => {
    expect(refuse(fileWith(17, `${at17},10,8,9,9,1`))).toMatchObject({ row: 17, column: "high", message: 'row 17, column "high": high 8 is below low 9' });
  });

  it("high below open, high below close, low above open, low above close, each said", () => {
    expect(refuse(fileWith(17, `${at17},13,12,9,11,1`)).message).toBe('row 17, column "high": high 12 is below open 13');
    expect(refuse(fileWith(17, `${at17},10,12,9,12.5,1`)).message).toBe('row 17, column "high": high 12 is below close 12.5');
    expect(refuse(fileWith(17, `${at17},8.5,12,9,11,1`)).message).toBe('row 17, column "low": low 9 is above open 8.5');
    expect(refuse(fileWith(17, `${at17},10,12,9,8,1`))).toMatchObject({ row: 17, column: "low", message: 'row 17, column "low": low 9 is above close 8' });
  });

  it("negative volume", () => {
    expect(refuse(fileWith(6, `${new Date(T0 + 6 * H).toISOString()},10,12,9,11,-1`))).toMatchObject({ row: 6, column: "volume", message: 'row 6, column "volume": volume -1 is negative' });
  });

  it("a repeated time, naming both rows", () => {
    const err = refuse(fileWith(9, `${new Date(T0 + 8 * H).toISOString()},10,12,9,11,1`));
    expect(err).toMatchObject({ row: 9, column: "time" });
    expect(err.message).toBe(`row 9, column "time": ${new Date(T0 + 8 * H).toISOString()} repeats row 8`);
  });

  it("times out of order, naming both rows", () => {
    const err = refuse(fileWith(9, `${new Date(T0 + 2 * H).toISOString()},10,12,9,11,1`));
    expect(err).toMatchObject({ row: 9, column: "time" });
    expect(err.message).toContain("before row 8");
  });

  it("an unparseable time, an impossible date, an empty time", () => {
    for (const value of ["yesterday", "2024-02-30", "2024-13-01", "2024-01-02T25:00:00", "02/01/2024", "2024-01-02T00:00:00+25:00"]) {
      const err = refuse(fileWith(11, `${value},10,12,9,11,1`));
      expect(err, value).toMatchObject({ row: 11, column: "time" });
      expect(err.message, value).toContain(`"${value}" is not a time`);
    }
    expect(refuse(fileWith(11, ",10,12,9,11,1"))).toMatchObject({ row: 11, column: "time", message: 'row 11, column "time": the time is empty' });
  });

  it("a missing required column, naming it and listing the columns found", () => {
    const err = refuse("Date,Open,Low,Close,Volume\n2024-01-02,1,1,1,1\n");
    expect(err).toMatchObject({ row: 1, column: "high" });
    expect(err.message).toBe('row 1, column "high": the header has no "high" column; columns found: "Date", "Open", "Low", "Close", "Volume"');
    const two = refuse("Date,Open,Close\n2024-01-02,1,1\n");
    expect(two).toMatchObject({ row: 1, column: "high" });
    expect(two.message).toContain('(also missing: "low")');
  });

  it("a semicolon-separated file, with a hint", () => {
    expect(refuse("time;open;high;low;close\n2024-01-02;1;1;1;1\n").message).toContain("separated by commas");
  });

  it("a column given twice", () => {
    expect(refuse("time,open,high,low,close,Close\n2024-01-02,1,1,1,1,1\n")).toMatchObject({ row: 1, column: "close" });
  });

  it("data without a header row (other than Binance's 12 columns)", () => {
    expect(refuse("2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n")).toMatchObject({ row: 1, column: null });
    expect(refuse("1704153600000,1,1,1,1,1\n")).toMatchObject({ row: 1, column: null });
  });

  it("an empty file, a file of blank lines or just a BOM, a header with no rows", () => {
    expect(refuse("")).toMatchObject({ row: null, column: null, message: "the file is empty" });
    expect(refuse("\r\n\n  \n")).toMatchObject({ message: "the file is empty" });
    expect(refuse("\uFEFF")).toMatchObject({ message: "the file is empty" });
    expect(refuse(`${header}\r\n\r\n`)).toMatchObject({ row: null, column: null, message: "the file has a header (row 1) but no bars" });
  });

  it("a file over maxBytes, giving both sizes", () => {
    const text = fileWith(0, "", 200);
    const bytes = new TextEncoder().encode(text).length;
    const err = refuse(text, { maxBytes: 1000 });
    expect(err).toMatchObject({ row: null, column: null });
    expect(err.message).toContain(`(${bytes.toLocaleString("en-US")} bytes)`);
    expect(err.message).toContain("(1,000 bytes)");
    expect(parseBarsCsv(text, { maxBytes: bytes }).bars.length).toBe(199);
    // Bytes, not characters: "é" is two bytes in UTF-8.
    expect(refuse(`${header},é\n`, { maxBytes: header.length + 3 }).message).toContain(`(${header.length + 4} bytes)`);
  });

  it("the default limit of 10 MiB", () => {
    const err = refuse(`${header}\n${"x".repeat(10 * 1024 * 1024)}`);
    expect(err.message).toBe(`the file is 10.0 MiB (${(10 * 1024 * 1024 + header.length + 1).toLocaleString("en-US")} bytes), over the limit of 10.0 MiB (10,485,760 bytes)`);
  });

  it("more rows than maxBars", () => {
    const text = fileWith(0, "", 12); // header + 11 bars
    expect(parseBarsCsv(text, { maxBars: 11 }).bars.length).toBe(11);
    expect(refuse(text, { maxBars: 10 })).toMatchObject({ row: 12, column: null, message: "row 12: more than 10 bars (the limit)" });
  });

  it("a ragged row, with its line", () => {
    expect(refuse(fileWith(7, `${new Date(T0 + 7 * H).toISOString()},10,12,9,11`))).toMatchObject({ row: 7, column: null, message: "row 7: 5 fields, expected 6 like the header (row 1)" });
    const binance = candles.slice(0, 5).map((c) => binanceLine(c));
    binance[3] = binance[3]?.split(",").slice(0, 11).join(",") ?? "";
    expect(refuse(binance.join("\n"))).toMatchObject({ row: 4, message: "row 4: 11 fields, expected 12 like row 1" });
  });

  it("an unclosed quote, as a CsvError with its line", () => {
    const err = refuse(fileWith(5, `${new Date(T0 + 5 * H).toISOString()},"10,12,9,11,1`, 5));
    expect(err).toBeInstanceOf(CsvError);
    expect(err.row).toBe(5);
  });

  it("rows named by their line in the file, across blank lines and quoted line breaks", () => {
    const lines = [
      "time,open,high,low,close,volume,note",
      "2024-01-02,10,12,9,11,1,ok",
      "",
      '2024-01-03,10,12,9,11,1,"two\r\nlines"',
      '2024-01-04,10,12,9,11,1,"three\nmore\nlines"',
      "2024-01-05,10,12,9,11,1,ok",
      "2024-01-06,10,8,9,11,1,bad",
    ];
    // Lines: 1 header, 2, 3 blank, 4-5, 6-8, 9, 10.
    expect(refuse(lines.join("\r\n"))).toMatchObject({ row: 10, column: "high" });
    expect(refuse(lines.join("\n"))).toMatchObject({ row: 10, column: "high" });
    const ragged = [...lines.slice(0, 6), "2024-01-06,10,12,9,11,1"];
    expect(refuse(ragged.join("\r\n"))).toMatchObject({ row: 10, message: "row 10: 6 fields, expected 7 like the header (row 1)" });
    const badMultiline = [...lines.slice(0, 4), '2024-01-04,10,8,9,11,1,"x\ny"'];
    expect(refuse(badMultiline.join("\n"))).toMatchObject({ row: 6, column: "high" });
  });
});

describe("inferInterval", () => {
  const series = (step: number, n = 5, start = T0) => Float64Array.from({ length: n }, (_, i) => start + i * step);

  it("names Binance's intervals", () => {
    const named: [number, string][] = [
      [60_000, "1m"],
      [180_000, "3m"],
      [300_000, "5m"],
      [900_000, "15m"],
      [1_800_000, "30m"],
      [H, "1h"],
      [2 * H, "2h"],
      [4 * H, "4h"],
      [6 * H, "6h"],
      [8 * H, "8h"],
      [12 * H, "12h"],
      [24 * H, "1d"],
      [72 * H, "3d"],
      [168 * H, "1w"],
    ];
    for (const [step, name] of named) expect(inferInterval(series(step))).toBe(name);
  });

  it("calls 28-31 day spacings a month", () => {
    const months = Float64Array.from({ length: 13 }, (_, i) => Date.UTC(2023, i, 1));
    expect(inferInterval(months)).toBe("1M");
  });

  it("otherwise gives the spacing in ms", () => {
    expect(inferInterval(series(1000))).toBe("1000ms");
    expect(inferInterval(series(90_000))).toBe("90000ms");
  });

  it("takes the most common spacing, so gaps (weekends, outages) do not matter", () => {
    const weekdays = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14].map((d) => T0 + d * 86_400_000);
    expect(inferInterval(Float64Array.from(weekdays))).toBe("1d");
    expect(inferInterval(Float64Array.from([0, 60_000, 120_000, 180_000, 3_600_000]))).toBe("1m");
  });

  it("breaks ties toward the shorter spacing", () => {
    expect(inferInterval(Float64Array.from([0, H, 2 * H, 2 * H + 60_000, 2 * H + 120_000]))).toBe("1m");
  });

  it("gives 'unknown' for fewer than two bars", () => {
    expect(inferInterval(new Float64Array(0))).toBe("unknown");
    expect(inferInterval(Float64Array.from([T0]))).toBe("unknown");
    expect(parseBarsCsv("time,open,high,low,close\n2024-01-02,1,1,1,1\n").interval).toBe("unknown");
  });
});
