import type { MonthlyReturn } from "@/lib/backtest/types";
import styles from "./backtest.module.css";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A cell's background: green for gains, red for losses, stronger with size (full at 10 %). */
function shade(pct: number): string {
  const a = Math.min(1, Math.abs(pct) / 10) * 0.55 + 0.08;
  return pct >= 0 ? `rgba(47, 191, 113, ${a.toFixed(2)})` : `rgba(255, 93, 93, ${a.toFixed(2)})`;
}

/** Monthly returns by year, with each year's compounded total. */
export function MonthlyTable({ monthly }: { monthly: readonly MonthlyReturn[] }) {
  if (monthly.length === 0) return null;
  const years = new Map<string, (number | undefined)[]>();
  for (const m of monthly) {
    const [year, month] = m.month.split("-");
    const row = years.get(year!) ?? new Array<number | undefined>(12).fill(undefined);
    row[Number(month) - 1] = m.return_pct;
    years.set(year!, row);
  }
  return (
    <div className={styles.tableScroll}>
      <table className={`${styles.table} ${styles.monthly}`} aria-label="Monthly returns">
        <thead>
          <tr>
            <th>Year</th>
            {MONTHS.map((m) => (
              <th key={m} className={styles.num}>
                {m}
              </th>
            ))}
            <th className={styles.num}>Year</th>
          </tr>
        </thead>
        <tbody>
          {[...years].map(([year, row]) => {
            const total = (row.reduce<number>((acc, r) => (r === undefined ? acc : acc * (1 + r / 100)), 1) - 1) * 100;
            return (
              <tr key={year}>
                <th scope="row">{year}</th>
                {row.map((r, i) => (
                  <td key={i} className={styles.num} style={r === undefined ? undefined : { background: shade(r) }}>
                    {r === undefined ? "" : r.toFixed(1)}
                  </td>
                ))}
                <td className={`${styles.num} ${styles.yearTotal}`} style={{ background: shade(total) }}>
                  {total.toFixed(1)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className={styles.hint}>Returns in percent of the equity at the end of the previous month.</p>
    </div>
  );
}
