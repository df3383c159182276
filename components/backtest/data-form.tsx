"use client";
import { CANDLE_INTERVALS, VENUES, type CandleInterval, type Venue } from "@/lib/providers/types";
import { DatasetPicker } from "./dataset-picker";
import type { BacktestFormState, SourceKind } from "./hooks/use-backtest-form";
import styles from "./backtest.module.css";

type Set = <K extends keyof BacktestFormState>(key: K, value: BacktestFormState[K]) => void;

const SOURCES: { value: SourceKind; label: string }[] = [
  { value: "venue", label: "Venue history" },
  { value: "dataset", label: "Dataset" },
  { value: "simulated", label: "Simulated" },
];

function IntervalSelect({ label, value, onChange }: { label: string; value: CandleInterval; onChange: (v: CandleInterval) => void }) {
  return (
    <label className={styles.field}>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as CandleInterval)}>
        {CANDLE_INTERVALS.map((i) => (
          <option key={i} value={i}>
            {i}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Where the bars come from: a venue's history, an uploaded dataset, or the simulated market. */
export function DataForm({ form, set, disabled }: { form: BacktestFormState; set: Set; disabled: boolean }) {
  return (
    <fieldset className={styles.section} disabled={disabled}>
      <legend>Data</legend>
      <div className={styles.segmented} role="radiogroup" aria-label="Data source">
        {SOURCES.map((s) => (
          <label key={s.value} className={form.source === s.value ? styles.segmentOn : ""}>
            <input type="radio" name="source" value={s.value} checked={form.source === s.value} onChange={() => set("source", s.value)} className={styles.srOnly} />
            {s.label}
          </label>
        ))}
      </div>
      {form.source === "venue" && (
        <div className={styles.grid2}>
          <label className={styles.field}>
            <span>Venue</span>
            <select value={form.venue} onChange={(e) => set("venue", e.target.value as Venue)}>
              {VENUES.map((v) => (
                <option key={v} value={v}>
                  {v[0]!.toUpperCase() + v.slice(1)}
                </option>
              ))}
            </select>
          </label>
          <label className={styles.field}>
            <span>Symbol</span>
            <input value={form.symbol} onChange={(e) => set("symbol", e.target.value)} placeholder="BTCUSDT" spellCheck={false} />
          </label>
          <IntervalSelect label="Interval" value={form.interval} onChange={(v) => set("interval", v)} />
          <span />
          <label className={styles.field}>
            <span>From</span>
            <input type="date" value={form.from} max={form.to || undefined} onChange={(e) => set("from", e.target.value)} />
          </label>
          <label className={styles.field}>
            <span>To</span>
            <input type="date" value={form.to} min={form.from || undefined} onChange={(e) => set("to", e.target.value)} />
          </label>
        </div>
      )}
      {form.source === "dataset" && <DatasetPicker value={form.datasetId} onChange={(id) => set("datasetId", id)} />}
      {form.source === "simulated" && (
        <div className={styles.grid2}>
          <IntervalSelect label="Interval" value={form.simInterval} onChange={(v) => set("simInterval", v)} />
          <label className={styles.field}>
            <span>Bars</span>
            <input inputMode="numeric" value={form.simBars} onChange={(e) => set("simBars", e.target.value)} />
          </label>
          <label className={styles.field}>
            <span>Seed</span>
            <input inputMode="numeric" value={form.seed} onChange={(e) => set("seed", e.target.value)} placeholder="random" />
          </label>
        </div>
      )}
    </fieldset>
  );
}
