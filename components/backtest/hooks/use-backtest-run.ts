import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiRequestError, queryKeys, streamBacktest } from "@/lib/api/client";
import { refreshQueries } from "@/lib/api/query-client";
import type { BacktestProgress, BacktestRequest, BacktestResult } from "@/lib/api/types";

export type BacktestPhase = "idle" | "running" | "completed" | "failed" | "stopped";

export interface BacktestRunState {
  phase: BacktestPhase;
  /** Whether the run asked for the look-ahead check. */
  check: boolean;
  progress: BacktestProgress | null;
  error: { message: string; details: string[] } | null;
}

const IDLE: BacktestRunState = { phase: "idle", check: false, progress: null, error: null };

/** The server's `details` as lines: a hint, typed problems or zod issues, or named facts. */
export function detailLines(details: unknown): string[] {
  if (typeof details === "string") return [details];
  if (Array.isArray(details)) {
    return details.flatMap((d) => {
      if (typeof d === "string") return [d];
      if (d && typeof d === "object" && "message" in d && typeof d.message === "string") {
        const path = "path" in d && Array.isArray(d.path) && d.path.length > 0 ? `${d.path.join(".")}: ` : "";
        return [path + d.message];
      }
      return [];
    });
  }
  if (details && typeof details === "object") {
    return Object.entries(details)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k.replace(/_/g, " ")}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return [];
}

/**
 * One backtest at a time, streamed: progress as it arrives, the record into the query cache when it is
 * done (and the workflow's saved list refreshed). Stop, closing the panel or a second start aborts the
 * stream, which stops the backtest on the server.
 */
export function useBacktestRun(onResult: (record: BacktestResult) => void) {
  const client = useQueryClient();
  const [state, setState] = useState<BacktestRunState>(IDLE);
  const abortRef = useRef<AbortController | null>(null);
  const onResultRef = useRef(onResult);
  useEffect(() => {
    onResultRef.current = onResult;
  }, [onResult]);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      abortRef.current?.abort();
      if (timerRef.current) clearTimeout(timerRef.current);
    },
    [],
  );

  const start = useCallback(
    async (request: BacktestRequest) => {
      abortRef.current?.abort();
      const controller = new AbortController();
      abortRef.current = controller;
      const check = request.check === true;
      setState({ phase: "running", check, progress: null, error: null });
      try {
        const record = await streamBacktest(request, { signal: controller.signal, onProgress: (progress) => setState((s) => (s.phase === "running" ? { ...s, progress } : s)) });
        client.setQueryData(queryKeys.backtest(record.id), record);
        setState((s) => ({
          ...s,
          phase: record.status === "failed" ? "failed" : record.status === "cancelled" ? "stopped" : "completed",
          progress: { bars_done: record.bars, bars_total: Math.max(record.bars, s.progress?.bars_total ?? 0), trades: record.trades.length, equity: record.stats["Equity Final [$]"] as number },
          error: record.status === "failed" ? { message: record.error ?? "The backtest failed.", details: [] } : null,
        }));
        onResultRef.current(record);
      } catch (e) {
        if (controller.signal.aborted) setState((s) => ({ ...s, phase: "stopped" }));
        else setState((s) => ({ ...s, phase: "failed", error: { message: (e as Error).message, details: e instanceof ApiRequestError ? detailLines(e.details) : [] } }));
      } finally {
        if (abortRef.current === controller) abortRef.current = null;
        if ("workflow_id" in request) {
          const key = queryKeys.backtests(request.workflow_id);
          void refreshQueries(client, key);
          // A stopped backtest is stored as cancelled once the server has noticed the closed stream.
          if (controller.signal.aborted) timerRef.current = setTimeout(() => void refreshQueries(client, key), 1500);
        }
      }
    },
    [client],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);
  return { ...state, start, stop };
}
