import type { CheckResult as Check } from "@/lib/api/types";
import { formatNumber, formatTime } from "./format";
import styles from "./backtest.module.css";

function Verdict({ passed }: { passed: boolean }) {
  return <span className={`${styles.tag} ${passed ? styles.tagOk : styles.tagBad}`}>{passed ? "passed" : "failed"}</span>;
}

const isCheck = (c: unknown): c is Check =>
  !!c && typeof c === "object" && typeof (c as Check).lookahead?.passed === "boolean" && Array.isArray((c as Check).lookahead.findings);

/**
 * The bias checks' result (Freqtrade's look-ahead and recursive analysis): whether decisions change when
 * the data is cut after them, and whether indicators depend on how much history was loaded. Nothing when
 * the backtest ran without them.
 */
export function CheckResult({ check }: { check: unknown }) {
  if (check === undefined || check === null) return null;
  if (!isCheck(check)) {
    return (
      <section className={styles.checkBox} aria-label="Look-ahead check" data-testid="lookahead-check">
        <h3>Look-ahead check</h3>
        <pre>{JSON.stringify(check, null, 2)}</pre>
      </section>
    );
  }
  const { lookahead, history } = check;
  const passed = lookahead.passed && (history?.passed ?? true);
  return (
    <section className={`${styles.checkBox} ${passed ? styles.checkOk : styles.checkBad}`} aria-label="Look-ahead check" data-testid="lookahead-check" data-passed={passed}>
      <h3>
        Look-ahead <Verdict passed={lookahead.passed} />
      </h3>
      <p className={styles.muted}>
        Re-run on the data cut after {lookahead.cuts} bar{lookahead.cuts === 1 ? "" : "s"}:{" "}
        {lookahead.passed ? "every decision up to each cut was the same, so no signal read a later bar." : "decisions changed when later bars were missing: the strategy reads the future."}
      </p>
      {lookahead.findings.length > 0 && (
        <ul>
          {lookahead.findings.slice(0, 10).map((f) => (
            <li key={f.cut_bar}>
              {formatTime(f.cut_time)}: {f.message}
            </li>
          ))}
        </ul>
      )}
      {history && (
        <>
          <h3>
            History dependence <Verdict passed={history.passed} />
          </h3>
          <p className={styles.muted}>
            Re-run with the providers reading {history.runs.map((r) => r.candles).join(", ")} candles:{" "}
            {history.runs.map((r) => `${r.trades} trades${r.trades_differ ? " (differs)" : ""}`).join(", ")}.
          </p>
          {history.findings.length > 0 && (
            <ul>
              {history.findings.slice(0, 10).map((f) => (
                <li key={`${f.nodeId}-${f.candles}`}>
                  {f.label}: with {f.candles} candles instead of {f.compared_with}, values differ by up to {formatNumber(f.max_difference, 4)} ({formatNumber(f.max_relative * 100)} % of its typical size)
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
