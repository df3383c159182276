"use client";
import { memo, useState } from "react";
import type { Trade } from "@/lib/backtest/types";
import { formatDays, formatNumber, formatPct, formatPrice, formatSize, formatTime } from "./format";
import styles from "./backtest.module.css";

const TradeRow = memo(function TradeRow({ trade, index, selected, onSelect }: { trade: Trade; index: number; selected: boolean; onSelect: (i: number) => void }) {
  const long = trade.size > 0;
  const tone = trade.pnl >= 0 ? styles.good : styles.bad;
  return (
    <tr className={selected ? styles.selectedRow : ""} aria-selected={selected} onClick={() => onSelect(index)} data-testid="trade-row">
      <td>
        <button type="button" className={styles.linkButton} onClick={(e) => (e.stopPropagation(), onSelect(index))} aria-label={`Show trade ${index + 1} on the chart`}>
          {index + 1}
        </button>
      </td>
      <td>
        <span className={long ? styles.good : styles.bad}>{long ? "Long" : "Short"}</span>
        <span className={styles.sub}>{formatSize(Math.abs(trade.size))}</span>
      </td>
      <td>
        {formatTime(trade.entry_time)}
        <span className={styles.sub}>{formatPrice(trade.entry_price)}</span>
      </td>
      <td>
        {formatTime(trade.exit_time)}
        <span className={styles.sub}>{formatPrice(trade.exit_price)}</span>
      </td>
      <td className={`${styles.num} ${tone}`}>
        {formatNumber(trade.pnl)}
        <span className={styles.sub}>{formatPct(trade.return_pct * 100)}</span>
      </td>
      <td className={styles.num}>{formatDays((trade.exit_time - trade.entry_time) / 86_400_000)}</td>
    </tr>
  );
});

/** Rows rendered at first and per "show more": thousands of rows at once would hold the report up for seconds. */
const PAGE = 250;

/** The closed trades, in exit order; choosing one moves the price chart to it. */
export function TradeTable({ trades, selected, onSelect }: { trades: readonly Trade[]; selected: number | null; onSelect: (i: number) => void }) {
  const [shown, setShown] = useState(PAGE);
  if (trades.length === 0) return <p className={styles.muted}>No trades: the strategy never opened a position on this data.</p>;
  const count = Math.min(trades.length, Math.max(shown, selected === null ? 0 : selected + 1));
  return (
    <div className={styles.tableScroll}>
      <table className={`${styles.table} ${styles.trades}`} aria-label="Trades">
        <thead>
          <tr>
            <th>#</th>
            <th>Side · size</th>
            <th>Entry (UTC) · price</th>
            <th>Exit (UTC) · price</th>
            <th className={styles.num}>P&amp;L · return</th>
            <th className={styles.num}>Held</th>
          </tr>
        </thead>
        <tbody>
          {trades.slice(0, count).map((t, i) => (
            <TradeRow key={i} trade={t} index={i} selected={i === selected} onSelect={onSelect} />
          ))}
        </tbody>
      </table>
      {count < trades.length && (
        <p className={styles.moreRows}>
          {count.toLocaleString("en-US")} of {trades.length.toLocaleString("en-US")} trades{" "}
          <button type="button" onClick={() => setShown(count + PAGE * 4)}>
            Show {Math.min(PAGE * 4, trades.length - count).toLocaleString("en-US")} more
          </button>
        </p>
      )}
    </div>
  );
}
