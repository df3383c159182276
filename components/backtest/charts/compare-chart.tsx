"use client";
import { useEffect, useRef } from "react";
import { AreaSeries, LineSeries } from "lightweight-charts";
import type { Point } from "@/lib/backtest/types";
import { createThemedChart, readTheme, toLine } from "./chart-base";
import styles from "../backtest.module.css";

export const COMPARE_COLORS = ["#4f9dff", "#f5a524"] as const;

export interface CompareCurve {
  label: string;
  equity: readonly Point[];
  drawdown: readonly Point[];
}

/** Two backtests' equity as a return in percent from their own start (so different cash compares), drawdowns below. */
export function CompareChart({ curves }: { curves: readonly [CompareCurve, CompareCurve] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = createThemedChart(el, readTheme(el));
    const pct = { type: "custom" as const, formatter: (v: number) => `${v.toFixed(2)}%`, minMove: 0.01 };
    curves.forEach((c, i) => {
      const start = c.equity[0]?.[1] ?? 1;
      const color = COMPARE_COLORS[i]!;
      chart.addSeries(LineSeries, { color, lineWidth: 2, priceLineVisible: false, title: c.label, priceFormat: pct }).setData(toLine(c.equity, (v) => (v / start - 1) * 100));
      chart
        .addSeries(AreaSeries, { lineColor: color, topColor: "transparent", bottomColor: `${color}55`, invertFilledArea: true, lineWidth: 1, priceLineVisible: false, priceFormat: pct }, 1)
        .setData(toLine(c.drawdown));
    });
    const [top, bottom] = chart.panes();
    top?.setStretchFactor(2.6);
    bottom?.setStretchFactor(1);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [curves]);
  return <div ref={ref} className={styles.chart} style={{ height: 340 }} data-testid="compare-chart" role="img" aria-label="Both backtests' returns and drawdowns" />;
}
