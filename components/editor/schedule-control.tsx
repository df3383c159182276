"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, queryKeys } from "@/lib/api/client";
import { useEditor } from "./editor-context";
import styles from "./editor.module.css";
import type { RunMode } from "@/lib/workflow/definition";

const CHOICES = [
  { value: "", label: "On demand" },
  { value: "10", label: "Every 10 s" },
  { value: "60", label: "Every 1 min" },
  { value: "300", label: "Every 5 min" },
  { value: "900", label: "Every 15 min" },
  { value: "3600", label: "Every hour" },
];

/**
 * Continuous running of the saved workflow: the server runs it every N seconds and stores each run (see
 * the run history). Only for saved, unchanged workflows, since the server runs what is saved.
 */
export function ScheduleControl({ mode }: { mode: RunMode }) {
  const workflowId = useEditor((s) => s.workflowId);
  const dirty = useEditor((s) => s.dirty);
  const client = useQueryClient();
  const state = useQuery({
    queryKey: queryKeys.schedule(workflowId ?? ""),
    queryFn: () => api.schedule(workflowId!),
    enabled: !!workflowId,
    refetchInterval: (q) => (q.state.data?.active ? 5_000 : false),
  });
  const set = useMutation({
    mutationFn: (every: number | null) => api.setSchedule(workflowId!, every, mode === "paper" ? "paper" : "simulated"),
    onSuccess: (data) => {
      client.setQueryData(queryKeys.schedule(workflowId!), data);
      void client.invalidateQueries({ queryKey: queryKeys.runs(workflowId!) });
    },
  });
  if (!workflowId) return null;
  const s = state.data;
  const value = s?.active ? String(s.every_seconds) : "";
  const known = CHOICES.some((c) => c.value === value);
  const title = s?.active
    ? `Runs ${s.mode === "paper" ? "on paper with live data" : "simulated"}. Next run ${s.next_run_at ? new Date(s.next_run_at).toLocaleTimeString() : "soon"}${s.last_status ? `; last run ${s.last_status}` : ""}${s.last_error ? ` (${s.last_error})` : ""}${s.skipped_ticks ? `; ${s.skipped_ticks} tick(s) skipped while a run was still going` : ""}`
    : mode === "live"
      ? "Live trading is never scheduled: it runs by hand while armed"
      : dirty
        ? "Save first: the server runs the saved version"
        : `Run this saved workflow continuously on the server (${mode === "paper" ? "paper" : "simulated"})`;
  return (
    <label className={`${styles.schedule} ${s?.active ? styles.scheduleOn : ""}`} title={title}>
      <span className={styles.srOnly}>Schedule</span>
      <select
        aria-label="Schedule"
        value={value}
        disabled={set.isPending || (!s?.active && (dirty || mode === "live"))}
        onChange={(e) => set.mutate(e.target.value ? Number(e.target.value) : null)}
      >
        {!known && <option value={value}>Every {value} s</option>}
        {CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
            {c.value && s?.active && value === c.value && s.mode === "paper" ? " (paper)" : ""}
          </option>
        ))}
      </select>
      {s?.active && <span className={styles.scheduleDot} aria-hidden="true" />}
    </label>
  );
}
