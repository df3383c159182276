"use client";
import { useMemo } from "react";
import { STAT_NAMES } from "@/lib/backtest/types";
import type { BacktestResult } from "@/lib/api/types";
import { COMPARE_COLORS, CompareChart, type CompareCurve } from "./charts/compare-chart";
import { formatLocal, formatStat, statTone } from "./format";
import { useBacktestRecord } from "./hooks/use-saved-backtests";
import { dataLine, settingsLine } from "./report-meta";
import styles from "./backtest.module.css";

const tone = (t: -1 | 0 | 1) => (t > 0 ? styles.good : t < 0 ? styles.bad : "");

function Compared({ a, b }: { a: BacktestResult; b: BacktestResult }) {
  const label = (r: BacktestResult, i: number) => `${i === 0 ? "A" : "B"} · ${formatLocal(r.created_at)}`;
  const curves = useMemo<readonly [CompareCurve, CompareCurve]>(
    () => [
      { label: "A", equity: a.equity, drawdown: a.drawdown },
      { label: "B", equity: b.equity, drawdown: b.drawdown },
    ],
    [a, b],
  );
  return (
    <article className={styles.report} aria-label="Backtest comparison" data-testid="backtest-compare">
      <div className={styles.compareHeads}>
        {[a, b].map((r, i) => (
          <div key={r.id} className={styles.compareHead} style={{ borderColor: COMPARE_COLORS[i] }}>
            <h3>{label(r, i)}</h3>
            {r.data.map((d) => (
              <p key={d.label} className={styles.muted}>
                {dataLine(d)}
              </p>
            ))}
            <p className={styles.muted}>{settingsLine(r.settings)}{r.version !== null && ` · workflow v${r.version}`}</p>
          </div>
        ))}
      </div>
      <section className={styles.block}>
        <h4>Return and drawdown, in percent</h4>
        <CompareChart curves={curves} />
      </section>
      <section className={styles.block}>
        <h4>Statistics</h4>
        <table className={`${styles.table} ${styles.compareTable}`} aria-label="Statistics side by side">
          <thead>
            <tr>
              <th>Statistic</th>
              <th className={styles.num} style={{ color: COMPARE_COLORS[0] }}>A</th>
              <th className={styles.num} style={{ color: COMPARE_COLORS[1] }}>B</th>
            </tr>
          </thead>
          <tbody>
            {STAT_NAMES.map((name) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td className={`${styles.num} ${tone(statTone(name, a.stats[name]))}`}>{formatStat(name, a.stats[name])}</td>
                <td className={`${styles.num} ${tone(statTone(name, b.stats[name]))}`}>{formatStat(name, b.stats[name])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}

/** Two stored backtests side by side: their data and settings, returns and drawdowns on one chart, every statistic. */
export function CompareView({ ids }: { ids: readonly [string, string] }) {
  const a = useBacktestRecord(ids[0]);
  const b = useBacktestRecord(ids[1]);
  const error = a.error ?? b.error;
  if (error) return <p className={styles.errorText}>Could not load a backtest: {error.message}</p>;
  if (!a.data || !b.data) return <p className={styles.muted}>Loading…</p>;
  return <Compared a={a.data} b={b.data} />;
}
