"use client";
import { useEffect, useRef } from "react";
import { AreaSeries, LineSeries } from "lightweight-charts";
import type { Point } from "@/lib/backtest/types";
import { createThemedChart, readTheme, toLine } from "./chart-base";
import styles from "../backtest.module.css";

/** The equity curve, and under it, on the same time axis, the drawdown (underwater) curve in percent. */
export function EquityChart({ equity, drawdown, cash }: { equity: readonly Point[]; drawdown: readonly Point[]; cash: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = readTheme(el);
    const chart = createThemedChart(el, theme);
    const line = chart.addSeries(LineSeries, { color: theme.accent, lineWidth: 2, priceLineVisible: false, title: "Equity", priceFormat: { type: "price", precision: 2, minMove: 0.01 } });
    line.setData(toLine(equity));
    line.createPriceLine({ price: cash, color: theme.muted, lineWidth: 1, lineStyle: 2, axisLabelVisible: false, title: "cash" });
    const under = chart.addSeries(
      AreaSeries,
      {
        lineColor: theme.down,
        topColor: "rgba(255, 93, 93, 0.05)",
        bottomColor: "rgba(255, 93, 93, 0.45)",
        invertFilledArea: true,
        lineWidth: 1,
        priceLineVisible: false,
        title: "Drawdown %",
        priceFormat: { type: "custom", formatter: (v: number) => `${v.toFixed(2)}%`, minMove: 0.01 },
      },
      1,
    );
    under.setData(toLine(drawdown));
    const [top, bottom] = chart.panes();
    top?.setStretchFactor(2.6);
    bottom?.setStretchFactor(1);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [equity, drawdown, cash]);
  return <div ref={ref} className={styles.chart} style={{ height: 340 }} data-testid="equity-chart" role="img" aria-label="Equity curve with the drawdown curve under it" />;
}
