"use client";
import type { BacktestSummary } from "@/lib/api/types";
import { formatLocal, formatNumber, formatStat, statTone } from "./format";
import { useSavedBacktests } from "./hooks/use-saved-backtests";
import styles from "./backtest.module.css";

function SavedItem({ b, open, comparing, onOpen, onToggle }: { b: BacktestSummary; open: boolean; comparing: boolean; onOpen: () => void; onToggle: () => void }) {
  const ret = b.stats["Return [%]"];
  const tone = statTone("Return [%]", ret);
  const when = formatLocal(b.created_at);
  const fees = b.settings.commission_pct === null ? "venue fees" : `${formatNumber(b.settings.commission_pct, 4)} % fee`;
  return (
    <li className={`${styles.savedItem} ${open ? styles.chosen : ""}`} data-testid="saved-backtest">
      <button type="button" className={styles.savedOpen} onClick={onOpen} aria-pressed={open} aria-label={`Open backtest of ${when}`}>
        <span className={styles.savedTop}>
          <span>{when}</span>
          <span className={tone > 0 ? styles.good : tone < 0 ? styles.bad : ""}>{formatStat("Return [%]", ret)}</span>
        </span>
        <span className={styles.hint}>
          {b.data.map((d) => d.label).join(", ")} · {formatStat("# Trades", b.stats["# Trades"])} trades{b.version !== null ? ` · v${b.version}` : ""}
          {b.status !== "completed" ? ` · ${b.status}` : ""}
          <br />
          {b.settings.fill === "close" ? "close fills" : "next-open fills"} · {fees}
          {b.settings.slippage_bps > 0 ? ` · ${formatNumber(b.settings.slippage_bps)} bps slip` : ""}
        </span>
      </button>
      <label className={styles.compareCheck} title="Compare">
        <input type="checkbox" checked={comparing} onChange={onToggle} aria-label={`Compare backtest of ${when}`} />
      </label>
    </li>
  );
}

/** The workflow's stored backtests, newest first: open one, or tick two to compare them. */
export function SavedList(props: { workflowId: string | null; openId: string | null; compareIds: string[]; onOpen: (id: string) => void; onToggleCompare: (id: string) => void; onCompare: () => void }) {
  const saved = useSavedBacktests(props.workflowId);
  return (
    <section className={styles.section} aria-label="Saved backtests">
      <div className={styles.sectionHead}>
        <h3>Saved backtests</h3>
        <button type="button" disabled={props.compareIds.length !== 2} onClick={props.onCompare} title="Tick two backtests to compare them">
          Compare{props.compareIds.length > 0 ? ` (${props.compareIds.length}/2)` : ""}
        </button>
      </div>
      {!props.workflowId && <p className={styles.hint}>Save the workflow to keep its backtests here.</p>}
      {saved.error && <p className={styles.errorText}>Could not list them: {saved.error.message}</p>}
      {saved.isSuccess && saved.data.length === 0 && <p className={styles.hint}>None yet: run one.</p>}
      <ul className={styles.savedList}>
        {saved.data?.map((b) => (
          <SavedItem key={b.id} b={b} open={b.id === props.openId} comparing={props.compareIds.includes(b.id)} onOpen={() => props.onOpen(b.id)} onToggle={() => props.onToggleCompare(b.id)} />
        ))}
      </ul>
    </section>
  );
}
