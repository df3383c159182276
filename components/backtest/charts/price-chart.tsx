"use client";
import { useEffect, useMemo, useRef } from "react";
import { CandlestickSeries, LineSeries, LineStyle, createSeriesMarkers, type IChartApi, type IPriceLine, type ISeriesApi, type ISeriesMarkersPluginApi, type SeriesMarker, type Time, type UTCTimestamp } from "lightweight-charts";
import type { BacktestReport, ChartBar, Trade } from "@/lib/backtest/types";
import { formatPct } from "../format";
import { barIndexAt, createThemedChart, priceFormatFor, readTheme, SERIES_COLORS, toCandles, toLine, toTime, type ChartTheme } from "./chart-base";
import styles from "../backtest.module.css";

/** Exits are labelled with the trade's return up to this many trades; more labels would cover the candles. */
const LABELLED_TRADES = 20;

interface Placed {
  /** Where each indicator goes: over the candles, or in a pane of its own below them. */
  overlay: boolean;
  color: string;
  label: string;
  nodeId: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** An indicator shares the price scale when its values sit inside the price's range (moving averages, bands). */
function placeIndicators(price: readonly ChartBar[], indicators: BacktestReport["indicators"]): Placed[] {
  let low = Infinity;
  let high = -Infinity;
  for (const b of price) {
    if (b[3] < low) low = b[3];
    if (b[2] > high) high = b[2];
  }
  const span = Math.max(high - low, Math.abs(high) * 0.01);
  return indicators.map((ind, i) => {
    const m = median(ind.points.map((p) => p[1]));
    return { overlay: m >= low - span && m <= high + span, color: SERIES_COLORS[i % SERIES_COLORS.length]!, label: ind.label, nodeId: ind.nodeId };
  });
}

/**
 * One marker per bar and kind (long entry, short entry, winning exit, losing exit), with a count when
 * several trades share a bar (aggregated candles of a long run); the selected trade is marked on its own.
 */
function tradeMarkers(trades: readonly Trade[], times: readonly number[], theme: ChartTheme, selected: number | null): SeriesMarker<UTCTimestamp>[] {
  const label = trades.length <= LABELLED_TRADES;
  const groups = new Map<string, { marker: SeriesMarker<UTCTimestamp>; count: number }>();
  const out: SeriesMarker<UTCTimestamp>[] = [];
  const at = (ms: number) => toTime(times[barIndexAt(times, ms)] ?? ms);
  const add = (key: string, marker: SeriesMarker<UTCTimestamp>) => {
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { marker, count: 1 });
  };
  trades.forEach((t, i) => {
    const long = t.size > 0;
    const win = t.pnl >= 0;
    const entry: SeriesMarker<UTCTimestamp> = { time: at(t.entry_time), position: long ? "belowBar" : "aboveBar", shape: long ? "arrowUp" : "arrowDown", color: long ? theme.up : theme.down };
    const exit: SeriesMarker<UTCTimestamp> = { time: at(t.exit_time), position: long ? "aboveBar" : "belowBar", shape: "circle", color: win ? theme.up : theme.down };
    if (i === selected) {
      out.push({ ...entry, id: `entry-${i}`, text: `#${i + 1} ${long ? "long" : "short"}` }, { ...exit, id: `exit-${i}`, text: formatPct(t.return_pct * 100, 1) });
      return;
    }
    add(`${entry.time}:${long ? "L" : "S"}`, entry);
    add(`${exit.time}:${long ? "L" : "S"}:${win ? "W" : "X"}`, label ? { ...exit, text: formatPct(t.return_pct * 100, 1) } : exit);
  });
  for (const { marker, count } of groups.values()) out.push(count > 1 ? { ...marker, text: `×${count}` } : marker);
  return out.sort((a, b) => a.time - b.time);
}

/**
 * The traded market as candles, every entry (arrow) and exit (dot, coloured by the trade's result) marked,
 * and the strategy's indicator series: over the candles when they live on the price's scale, in panes below
 * otherwise. Selecting a trade zooms to it.
 */
export function PriceChart({ report, selected }: { report: BacktestReport; selected: number | null }) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; candles: ISeriesApi<"Candlestick">; markers: ISeriesMarkersPluginApi<Time>; theme: ChartTheme; lines: IPriceLine[] } | null>(null);
  const placed = useMemo(() => placeIndicators(report.price.bars, report.indicators), [report]);
  const times = useMemo(() => report.price.bars.map((b) => b[0]), [report]);
  const separate = placed.filter((p) => !p.overlay).length;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = readTheme(el);
    const chart = createThemedChart(el, theme);
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: theme.up,
      downColor: theme.down,
      borderVisible: false,
      wickUpColor: theme.up,
      wickDownColor: theme.down,
      priceFormat: priceFormatFor(report.price.bars[0]?.[4] ?? 1),
    });
    candles.setData(toCandles(report.price.bars));
    let pane = 0;
    report.indicators.forEach((ind, i) => {
      const p = placed[i]!;
      const line = chart.addSeries(LineSeries, { color: p.color, lineWidth: 2, priceLineVisible: false, lastValueVisible: false, title: p.overlay ? "" : p.label, crosshairMarkerVisible: false }, p.overlay ? 0 : ++pane);
      line.setData(toLine(ind.points));
    });
    chart.panes().forEach((pn, i) => pn.setStretchFactor(i === 0 ? 3 : 1));
    const markers = createSeriesMarkers(candles, tradeMarkers(report.trades, times, theme, null), { autoScale: true });
    chart.timeScale().fitContent();
    chartRef.current = { chart, candles, markers, theme, lines: [] };
    return () => {
      chartRef.current = null;
      chart.remove();
    };
  }, [report, placed, times]);

  useEffect(() => {
    const c = chartRef.current;
    if (!c) return;
    c.markers.setMarkers(tradeMarkers(report.trades, times, c.theme, selected));
    for (const line of c.lines.splice(0)) c.candles.removePriceLine(line);
    const trade = selected === null ? undefined : report.trades[selected];
    if (!trade) return;
    const color = trade.pnl >= 0 ? c.theme.up : c.theme.down;
    c.lines.push(
      c.candles.createPriceLine({ price: trade.entry_price, color: c.theme.muted, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: `#${selected! + 1} entry` }),
      c.candles.createPriceLine({ price: trade.exit_price, color, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: "exit" }),
    );
    const from = barIndexAt(times, trade.entry_time);
    const to = barIndexAt(times, trade.exit_time);
    const pad = Math.max(12, Math.round((to - from) * 0.6));
    c.chart.timeScale().setVisibleLogicalRange({ from: from - pad, to: to + pad });
  }, [selected, report, times]);

  return (
    <figure className={styles.chartFigure}>
      <figcaption className={styles.chartCaption}>
        <strong>{report.price.market}</strong> <span className={styles.muted}>{report.price.interval} candles</span>
        {placed.map((p) => (
          <span key={p.nodeId} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: p.color }} />
            {p.label}
          </span>
        ))}
        <span className={styles.legendItem}>
          <span className={styles.muted}>▲▼ entry · ● exit</span>
        </span>
      </figcaption>
      <div
        ref={ref}
        className={styles.chart}
        style={{ height: 380 + separate * 110 }}
        data-testid="price-chart"
        data-markers={report.trades.length * 2}
        data-indicators={report.indicators.length}
        data-selected-trade={selected ?? undefined}
        role="img"
        aria-label={`${report.price.market} candles with ${report.trades.length} trades marked`}
      />
    </figure>
  );
}
