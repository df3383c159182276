"use client";
import { useCallback, useRef, useState } from "react";
import type { BacktestResult } from "@/lib/api/types";
import { EquityChart } from "./charts/equity-chart";
import { PriceChart } from "./charts/price-chart";
import { CheckResult } from "./check-result";
import { MonthlyTable } from "./monthly-table";
import { dataLine, settingsLine, StatusTag } from "./report-meta";
import { AllStats, HeadlineStats } from "./stats-view";
import { TradeTable } from "./trade-table";
import { formatLocal, formatNumber } from "./format";
import styles from "./backtest.module.css";

/** One backtest's report: headline statistics, equity and drawdown, the price with every trade, the trade list, monthly returns, every statistic and the notes. */
export function BacktestReport({ record }: { record: BacktestResult }) {
  const [selected, setSelected] = useState<number | null>(null);
  const priceRef = useRef<HTMLDivElement>(null);
  const select = useCallback((i: number) => {
    setSelected(i);
    priceRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, []);
  return (
    <article className={styles.report} aria-label="Backtest report" data-testid="backtest-report" data-backtest-id={record.id}>
      <header className={styles.reportHeader}>
        <div>
          <h3>
            Backtest of {formatLocal(record.created_at)} <StatusTag status={record.status} />
          </h3>
          {record.data.map((d) => (
            <p key={d.label} className={styles.muted}>
              {dataLine(d)}
            </p>
          ))}
          <p className={styles.muted}>
            {settingsLine(record.settings)}
            {record.version !== null && ` · workflow v${record.version}`}
          </p>
        </div>
        <p className={styles.engine} title={record.engine.reason}>
          {record.bars.toLocaleString("en-US")} bars in {formatNumber(record.duration_ms / 1000)} s · {record.engine.path} path · {formatNumber(record.engine.bars_per_second, 0)} bars/s
        </p>
      </header>
      {record.error && (
        <p className={styles.errorBox} role="alert">
          {record.error}
        </p>
      )}
      <CheckResult check={record.check} />
      <HeadlineStats stats={record.stats} />
      <section className={styles.block}>
        <h4>Equity and drawdown</h4>
        <EquityChart equity={record.equity} drawdown={record.drawdown} cash={record.settings.cash} />
      </section>
      <div className={styles.priceAndTrades}>
        <section className={styles.block} ref={priceRef}>
          <h4>Price and trades</h4>
          <PriceChart report={record} selected={selected} />
        </section>
        <section className={styles.block}>
          <h4>
            Trades <span className={styles.muted}>({record.trades.length.toLocaleString("en-US")})</span>
          </h4>
          <TradeTable trades={record.trades} selected={selected} onSelect={select} />
        </section>
      </div>
      <div className={styles.twoCols}>
        <section className={styles.block}>
          <h4>Monthly returns</h4>
          <MonthlyTable monthly={record.monthly} />
        </section>
        <section className={styles.block}>
          <h4>All statistics</h4>
          <AllStats stats={record.stats} />
        </section>
      </div>
      {record.notes.length > 0 && (
        <section className={styles.block}>
          <h4>Notes</h4>
          <ul className={styles.notes}>
            {record.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
