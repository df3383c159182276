import { createStore } from "zustand/vanilla";
import type { RunMode } from "../workflow/definition";
import type { NodeResult, NodeStatus, RunEvent, RunStatus } from "../workflow/events";

/** One node's state in the current run. Each update replaces only that node's entry. */
export interface NodeRun {
  status: "running" | NodeStatus;
  duration?: number;
  output?: unknown;
  error?: string;
}

export type RunPhase = "idle" | "running" | RunStatus | "invalid" | "error";

export interface RunState {
  phase: RunPhase;
  runId: string | null;
  mode: RunMode | null;
  startedAt: string | null;
  duration: number | null;
  /** Node ids in the order their results arrived. */
  rows: string[];
  byNode: Record<string, NodeRun>;
  /** Validation messages when the graph was refused before sending, or the request's error. */
  messages: string[];

  begin(): void;
  apply(event: RunEvent): void;
  /** Loads a stored run (from the run history). */
  show(run: { runId: string; mode: RunMode; status: string; duration: number; results: NodeResult[]; startedAt?: string }): void;
  fail(phase: "invalid" | "error" | "cancelled", messages: string[]): void;
  reset(): void;
}

const initial = { phase: "idle" as RunPhase, runId: null, mode: null, startedAt: null, duration: null, rows: [], byNode: {}, messages: [] };

/** Creates the run-results store, keyed by node id, so a streamed event re-renders only its node. */
export function createRunStore() {
  return createStore<RunState>()((set, get) => ({
    ...initial,
    begin() {
      set({ ...initial, phase: "running" });
    },
    apply(e) {
      switch (e.event) {
        case "run-started":
          set({ phase: "running", runId: e.runId, mode: e.mode, startedAt: e.at, rows: [], byNode: {}, messages: [] });
          return;
        case "node-started":
          set((s) => ({ byNode: { ...s.byNode, [e.nodeId]: { status: "running" } } }));
          return;
        case "node-finished":
          set((s) => ({ rows: [...s.rows, e.nodeId], byNode: { ...s.byNode, [e.nodeId]: { status: "succeeded", duration: e.duration, output: e.output } } }));
          return;
        case "node-failed":
          set((s) => ({ rows: [...s.rows, e.nodeId], byNode: { ...s.byNode, [e.nodeId]: { status: "failed", duration: e.duration, error: e.error } } }));
          return;
        case "node-skipped":
          set((s) => ({ rows: [...s.rows, e.nodeId], byNode: { ...s.byNode, [e.nodeId]: { status: "skipped", error: e.reason } } }));
          return;
        case "run-finished":
          set({ phase: e.status, duration: e.duration });
          return;
        default: {
          const never: never = e;
          return never;
        }
      }
    },
    show(run) {
      const byNode: Record<string, NodeRun> = {};
      for (const r of run.results) byNode[r.nodeId] = { status: r.status, duration: r.duration, output: r.output, ...(r.error ? { error: r.error } : {}) };
      set({
        phase: (["completed", "failed", "cancelled"].includes(run.status) ? run.status : "error") as RunPhase,
        runId: run.runId,
        mode: run.mode,
        startedAt: run.startedAt ?? null,
        duration: run.duration,
        rows: run.results.map((r) => r.nodeId),
        byNode,
        messages: [],
      });
    },
    fail(phase, messages) {
      // No more events will come: a node still marked running did not finish, and must not look as if it
      // still runs. The server records it the same way (failed, "cancelled while running").
      const { byNode, rows } = get();
      const unfinished = Object.keys(byNode).filter((id) => byNode[id]!.status === "running");
      const error = phase === "cancelled" ? "cancelled while running" : "no result: the run ended before this node finished";
      const ended = Object.fromEntries(unfinished.map((id) => [id, { status: "failed" as const, error }]));
      set({ phase, messages: [...get().messages, ...messages], byNode: { ...byNode, ...ended }, rows: [...rows, ...unfinished] });
    },
    reset() {
      set(initial);
    },
  }));
}

export type RunStore = ReturnType<typeof createRunStore>;
