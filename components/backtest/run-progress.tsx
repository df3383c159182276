"use client";
import type { BacktestRunState } from "./hooks/use-backtest-run";
import { formatNumber } from "./format";
import styles from "./backtest.module.css";

const PHASE: Record<BacktestRunState["phase"], string> = { idle: "", running: "Running…", completed: "Done", failed: "Failed", stopped: "Stopped" };

/** The running backtest's progress: bars done of all, trades so far and equity, as the server streams them. */
export function RunProgress({ run }: { run: BacktestRunState }) {
  if (run.phase === "idle") return null;
  const p = run.progress;
  const total = p?.bars_total ?? 0;
  const done = p?.bars_done ?? 0;
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  return (
    <div className={styles.progress} data-testid="backtest-progress" data-phase={run.phase}>
      <div
        className={styles.progressTrack}
        role="progressbar"
        aria-label="Backtest progress"
        aria-valuemin={0}
        aria-valuemax={total || undefined}
        aria-valuenow={total ? done : undefined}
        aria-valuetext={total ? `${done} of ${total} bars` : "starting"}
      >
        <div className={`${styles.progressFill} ${run.phase === "running" && !p ? styles.progressWaiting : ""}`} style={{ width: p ? `${pct}%` : "100%" }} />
      </div>
      <div className={styles.progressText}>
        <strong>{PHASE[run.phase]}</strong>
        {run.check && " (with look-ahead check)"}
        {p ? (
          <span data-testid="progress-counts">
            {" "}
            {done.toLocaleString("en-US")} / {total.toLocaleString("en-US")} bars · {p.trades.toLocaleString("en-US")} trade{p.trades === 1 ? "" : "s"} · equity {formatNumber(p.equity)}
          </span>
        ) : (
          run.phase === "running" && <span className={styles.muted}> loading the data…</span>
        )}
      </div>
      {run.error && (
        <div className={styles.errorBox} role="alert">
          <p>{run.error.message}</p>
          {run.error.details.length > 0 && (
            <ul>
              {run.error.details.slice(0, 8).map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
