"use client";
import { useRef } from "react";
import { formatRange } from "./format";
import { useDatasets } from "./hooks/use-datasets";
import styles from "./backtest.module.css";

/** The uploaded datasets to choose from, a CSV upload (chosen once stored) and delete. */
export function DatasetPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { list, upload, remove } = useDatasets();
  const fileRef = useRef<HTMLInputElement>(null);
  const datasets = list.data ?? [];
  return (
    <div className={styles.datasets}>
      <label className={styles.uploadButton}>
        <input
          ref={fileRef}
          type="file"
          accept=".csv,text/csv"
          aria-label="Upload CSV"
          className={styles.srOnly}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) upload.mutate(file, { onSuccess: (d) => onChange(d.id) });
          }}
        />
        {upload.isPending ? "Uploading…" : "Upload CSV…"}
      </label>
      <p className={styles.hint}>A header row with time (ISO or ms), open, high, low, close and optionally volume; or a Binance kline dump.</p>
      {upload.error && (
        <p className={styles.errorText} role="alert">
          Upload failed: {upload.error.message}
        </p>
      )}
      {list.error && <p className={styles.errorText}>Could not list the datasets: {list.error.message}</p>}
      {list.isSuccess && datasets.length === 0 && <p className={styles.hint}>No datasets yet.</p>}
      <ul className={styles.datasetList} aria-label="Datasets">
        {datasets.map((d) => (
          <li key={d.id} className={d.id === value ? styles.chosen : ""}>
            <label>
              <input type="radio" name="dataset" value={d.id} checked={d.id === value} onChange={() => onChange(d.id)} />
              <span className={styles.datasetName}>{d.name}</span>
              <span className={styles.hint}>
                {d.bars.toLocaleString("en-US")} bars · {d.interval} · {formatRange(d.from, d.to)}
              </span>
            </label>
            <button
              type="button"
              className={styles.iconButton}
              aria-label={`Delete dataset ${d.name}`}
              disabled={remove.isPending}
              onClick={() => {
                if (!confirm(`Delete the dataset “${d.name}”?`)) return;
                remove.mutate(d.id, { onSuccess: () => d.id === value && onChange("") });
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {remove.error && <p className={styles.errorText}>Not deleted: {remove.error.message}</p>}
    </div>
  );
}
