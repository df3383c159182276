import type { BacktestSettings, DataSummary } from "@/lib/backtest/types";
import { formatNumber, formatRange } from "./format";
import styles from "./backtest.module.css";

/** The settings a backtest ran with, in one line. */
export function settingsLine(s: BacktestSettings): string {
  const fees = s.commission_pct === null ? "venue fees" : `${formatNumber(s.commission_pct, 4)} % commission`;
  const fill = s.fill === "close" ? "fills at the bar's close" : "fills at the next open";
  return `cash ${formatNumber(s.cash)} · ${fees} · ${formatNumber(s.slippage_bps)} bps slippage · ${fill}`;
}

/** The data one backtest read: source label, bars, range, and the gaps and duplicates found in it. */
export function dataLine(d: DataSummary): string {
  const range = d.from && d.to ? ` · ${formatRange(d.from, d.to)}` : "";
  const gaps = d.gaps.length > 0 ? ` · ${d.gaps.length} gap${d.gaps.length === 1 ? "" : "s"} (${d.gaps.reduce((n, g) => n + g.bars, 0)} bars missing)` : "";
  const dups = d.duplicates > 0 ? ` · ${d.duplicates} duplicate bar${d.duplicates === 1 ? "" : "s"}` : "";
  return `${d.label} · ${d.bars.toLocaleString("en-US")} bars of ${d.interval}${range}${gaps}${dups}`;
}

export function StatusTag({ status }: { status: "completed" | "failed" | "cancelled" }) {
  return <span className={`${styles.tag} ${status === "completed" ? styles.tagOk : status === "failed" ? styles.tagBad : ""}`}>{status}</span>;
}
