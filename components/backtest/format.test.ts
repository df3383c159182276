import { describe, expect, it } from "vitest";
import { formatDays, formatNumber, formatPct, formatPrice, formatRange, formatSize, formatStat, formatTime } from "./format";

describe("backtest report formatting", () => {
  it("shows durations in days as days and hours, or hours and minutes under a day", () => {
    expect(formatDays(3 + 4 / 24)).toBe("3 d 4 h");
    expect(formatDays(2)).toBe("2 d");
    expect(formatDays(5 / 24 + 12 / 1440)).toBe("5 h 12 min");
    expect(formatDays(7 / 1440)).toBe("7 min");
    expect(formatDays(0)).toBe("0 min");
    expect(formatDays(NaN)).toBe("—");
  });

  it("rounds numbers to a readable precision", () => {
    expect(formatNumber(10_234.5678)).toBe("10,234.57");
    expect(formatNumber(1_234_567.89)).toBe("1,234,568");
    expect(formatNumber(1.23456)).toBe("1.23");
    expect(formatNumber(0.000123)).toBe("0.0001");
    expect(formatPct(12.3456)).toBe("+12.35 %");
    expect(formatPct(-0.001)).toBe("0.00 %");
  });

  it("formats each statistic by its backtesting.py name", () => {
    expect(formatStat("Start", "2021-01-03T00:00:00.000Z")).toBe("2021-01-03");
    expect(formatStat("End", "2021-01-03T23:59:00.000Z")).toBe("2021-01-03 23:59");
    expect(formatStat("Max. Trade Duration", 0.5)).toBe("12 h");
    expect(formatStat("Return [%]", -4.2)).toBe("-4.20 %");
    expect(formatStat("Exposure Time [%]", 40)).toBe("40.00 %");
    expect(formatStat("Equity Final [$]", 10_512.3)).toBe("10,512.30");
    expect(formatStat("# Trades", 1234)).toBe("1,234");
    expect(formatStat("Sharpe Ratio", null)).toBe("—");
    expect(formatTime(Date.UTC(2021, 0, 3, 14, 5))).toBe("2021-01-03 14:05");
    expect(formatTime(Date.UTC(2021, 0, 3))).toBe("2021-01-03 00:00");
    expect(formatPrice(58_158)).toBe("58,158.00");
    expect(formatPrice(0.4375)).toBe("0.4375");
    expect(formatSize(0.01)).toBe("0.01");
    expect(formatRange("2021-01-03T00:00:00Z", "2021-01-05T00:00:00Z")).toBe("2021-01-03 → 2021-01-05");
    expect(formatRange("2021-01-03T00:00:00Z", "2021-01-03T23:59:00Z")).toBe("2021-01-03 00:00 → 2021-01-03 23:59");
  });
});
