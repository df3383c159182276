import type { RunMode } from "./definition";

export type RunStatus = "completed" | "failed" | "cancelled";
export type NodeStatus = "succeeded" | "failed" | "skipped";

interface NodeRef {
  nodeId: string;
  nodeName: string;
  /** The block's category, as the seed prototype reported it ("providers", "conditions", ...). */
  nodeType: string;
  /** The block's type within its category ("polymarket", "threshold", ...). */
  blockType: string;
}

/**
 * What the executor reports as it goes. The JSON response and the Server-Sent Events stream are two
 * views of this one sequence; `seq` numbers it from 1.
 */
export type RunEvent =
  | { event: "run-started"; seq: number; runId: string; mode: RunMode; at: string; order: string[] }
  | ({ event: "node-started"; seq: number } & NodeRef)
  | ({ event: "node-finished"; seq: number; output: unknown; duration: number } & NodeRef)
  | ({ event: "node-failed"; seq: number; error: string; duration: number } & NodeRef)
  | ({ event: "node-skipped"; seq: number; reason: string; blockedBy: string | null } & NodeRef)
  | { event: "run-finished"; seq: number; runId: string; status: RunStatus; duration: number };

export type RunEventName = RunEvent["event"];

export interface NodeResult extends NodeRef {
  status: NodeStatus;
  output: unknown;
  /** Milliseconds; 0 for a skipped node. */
  duration: number;
  error?: string;
}

export interface RunError {
  nodeId: string;
  nodeName: string;
  message: string;
}

/** The seed's response shape (`status, duration, results, errors`), plus the run's id and mode. */
export interface RunResult {
  runId: string;
  mode: RunMode;
  status: RunStatus | "running";
  /** Milliseconds. */
  duration: number;
  results: NodeResult[];
  errors: RunError[];
}

/** Folds events into a RunResult. Used by the executor, and by any client replaying a stream. */
export function applyRunEvent(state: RunResult, e: RunEvent): RunResult {
  switch (e.event) {
    case "run-started":
      return { runId: e.runId, mode: e.mode, status: "running", duration: 0, results: [], errors: [] };
    case "node-started":
      return state;
    case "node-finished":
      state.results.push({ nodeId: e.nodeId, nodeName: e.nodeName, nodeType: e.nodeType, blockType: e.blockType, status: "succeeded", output: e.output, duration: e.duration });
      return state;
    case "node-failed":
      state.results.push({ nodeId: e.nodeId, nodeName: e.nodeName, nodeType: e.nodeType, blockType: e.blockType, status: "failed", output: null, duration: e.duration, error: e.error });
      state.errors.push({ nodeId: e.nodeId, nodeName: e.nodeName, message: e.error });
      return state;
    case "node-skipped":
      state.results.push({ nodeId: e.nodeId, nodeName: e.nodeName, nodeType: e.nodeType, blockType: e.blockType, status: "skipped", output: null, duration: 0, error: e.reason });
      return state;
    case "run-finished":
      state.status = e.status;
      state.duration = e.duration;
      return state;
    default: {
      const never: never = e;
      return never;
    }
  }
}

export function emptyRunResult(mode: RunMode = "simulated"): RunResult {
  return { runId: "", mode, status: "running", duration: 0, results: [], errors: [] };
}
