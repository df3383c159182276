import { STAT_NAMES, type StatName, type Stats } from "@/lib/backtest/types";
import { formatStat, statTone } from "./format";
import styles from "./backtest.module.css";

/** The statistics a reader looks at first. */
export const HEADLINE: readonly StatName[] = [
  "Return [%]",
  "Buy & Hold Return [%]",
  "Return (Ann.) [%]",
  "Max. Drawdown [%]",
  "Sharpe Ratio",
  "Win Rate [%]",
  "# Trades",
  "Profit Factor",
  "Equity Final [$]",
  "Exposure Time [%]",
];

const toneClass = (tone: -1 | 0 | 1) => (tone > 0 ? styles.good : tone < 0 ? styles.bad : "");

/** The headline statistics as tiles, named as backtesting.py names them. */
export function HeadlineStats({ stats }: { stats: Stats }) {
  return (
    <dl className={styles.tiles} aria-label="Headline statistics">
      {HEADLINE.map((name) => (
        <div key={name} className={styles.tile} data-testid={`stat-${name}`}>
          <dt>{name}</dt>
          <dd className={toneClass(statTone(name, stats[name]))}>{formatStat(name, stats[name])}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Every statistic, in backtesting.py's order. */
export function AllStats({ stats }: { stats: Stats }) {
  return (
    <table className={styles.statsTable} aria-label="All statistics">
      <tbody>
        {STAT_NAMES.map((name) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className={toneClass(statTone(name, stats[name]))}>{formatStat(name, stats[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
