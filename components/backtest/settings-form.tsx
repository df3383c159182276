"use client";
import type { FillTiming } from "@/lib/api/types";
import type { BacktestFormState } from "./hooks/use-backtest-form";
import styles from "./backtest.module.css";

type Set = <K extends keyof BacktestFormState>(key: K, value: BacktestFormState[K]) => void;

/** Cash, fees, slippage, fill timing and the position rules. */
export function SettingsForm({ form, set, disabled }: { form: BacktestFormState; set: Set; disabled: boolean }) {
  return (
    <fieldset className={styles.section} disabled={disabled}>
      <legend>Settings</legend>
      <div className={styles.grid2}>
        <label className={styles.field}>
          <span>Cash</span>
          <input inputMode="decimal" value={form.cash} onChange={(e) => set("cash", e.target.value)} />
        </label>
        <label className={styles.field}>
          <span>Commission %</span>
          <input inputMode="decimal" value={form.commission} onChange={(e) => set("commission", e.target.value)} placeholder="venue's fees" title="Percent of each fill's value; empty uses the venue's fee model (none for a dataset)" />
        </label>
        <label className={styles.field}>
          <span>Slippage (bps)</span>
          <input inputMode="decimal" value={form.slippage} onChange={(e) => set("slippage", e.target.value)} />
        </label>
        <label className={styles.field}>
          <span>Short selling</span>
          <select value={form.allowShort} onChange={(e) => set("allowShort", e.target.value as BacktestFormState["allowShort"])} title="Auto: allowed for datasets and simulated data, never on spot venues">
            <option value="auto">Auto</option>
            <option value="yes">Allowed</option>
            <option value="no">Long only</option>
          </select>
        </label>
        <label className={`${styles.field} ${styles.wide}`}>
          <span>Fill timing</span>
          <select value={form.fill} onChange={(e) => set("fill", e.target.value as FillTiming)}>
            <option value="next_open">Next bar&apos;s open</option>
            <option value="close">This bar&apos;s close (optimistic)</option>
          </select>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={form.closeAtEnd} onChange={(e) => set("closeAtEnd", e.target.checked)} />
          Close open positions at the end
        </label>
      </div>
    </fieldset>
  );
}
