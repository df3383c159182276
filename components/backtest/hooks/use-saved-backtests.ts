import { useQuery } from "@tanstack/react-query";
import { api, queryKeys } from "@/lib/api/client";

/** A workflow's stored backtests, newest first. */
export function useSavedBacktests(workflowId: string | null) {
  return useQuery({ queryKey: queryKeys.backtests(workflowId ?? ""), queryFn: () => api.backtests(workflowId!), enabled: workflowId !== null });
}

/** One stored backtest with its curves and trades; a stored record never changes. */
export function useBacktestRecord(id: string | null) {
  return useQuery({ queryKey: queryKeys.backtest(id ?? ""), queryFn: () => api.backtest(id!), enabled: id !== null, staleTime: Infinity });
}
