import type { NodeServices } from "../providers/types";
import type { NodeOutput, NodeRunContext, RunMode } from "./definition";
import type { PropertyValues } from "./properties";
import { applyRunEvent, emptyRunResult, type RunEvent, type RunResult, type RunStatus } from "./events";
import { IndexHeap } from "./graph";
import type { CompiledBlock, CompiledWorkflow } from "./validate";

export interface ExecuteOptions {
  services: NodeServices;
  runId?: string;
  mode?: RunMode;
  /** The run's instant; simulated markets read their prices at this instant. */
  now?: Date;
  /** The run's clock in ms (Date.now by default); a backtest's clock is the replayed bar's time. */
  clock?: () => number;
  /** False skips sizing outputs for storage (a backtest keeps no per-node output). Default true. */
  recordOutputs?: boolean;
  /** Aborting it cancels the run: running nodes see their signal abort, pending ones are skipped. */
  signal?: AbortSignal;
  /** Called synchronously for every event, in order. */
  onEvent?: (event: RunEvent) => void;
  /** A node still running after this long fails with a timeout. */
  nodeTimeoutMs?: number;
  /** Outputs larger than this (as JSON) are stored as a truncated preview; downstream still sees all. */
  maxOutputBytes?: number;
  /** At most this many asynchronous nodes in flight at once. */
  maxConcurrency?: number;
  /**
   * False: nodes share the run's signal and have no timeout of their own (a backtest, whose nodes only
   * read memory, bounds the whole replay instead). Default true.
   */
  nodeSignals?: boolean;
}

const NEVER_ABORTED = new AbortController().signal;

export const DEFAULT_NODE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;
export const DEFAULT_MAX_CONCURRENCY = 16;

class NodeTimeoutError extends Error {}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  return "node failed";
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** The output as stored and reported: itself, or a preview when its JSON exceeds the cap. */
export function capOutput(output: unknown, maxBytes: number): unknown {
  // Fast path: a flat object of numbers, booleans, nulls and short strings is small and serialisable.
  if (typeof output === "object" && output !== null && !Array.isArray(output)) {
    let size = 2;
    let flat = true;
    for (const key in output) {
      const v = (output as Record<string, unknown>)[key];
      const t = typeof v;
      if (t === "number" || t === "boolean" || v === null || v === undefined) size += key.length + 30;
      else if (t === "string") size += key.length + 6 + 6 * (v as string).length;
      else {
        flat = false;
        break;
      }
    }
    if (flat && size <= maxBytes) return output;
  }
  const json = JSON.stringify(output) ?? "null";
  if (json.length <= maxBytes) return output;
  return { truncated: true, bytes: json.length, limit: maxBytes, preview: json.slice(0, 2_000) };
}

/**
 * A node's run context. Its AbortController is made on first use: most compute nodes are synchronous
 * and never look at their signal, and making one per node was the executor's largest single cost.
 */
class LazySignalContext implements NodeRunContext {
  private controller: AbortController | undefined;
  /** Set when nodes share the run's signal. */
  shared: AbortSignal | undefined;
  constructor(
    readonly inputs: Record<string, unknown>,
    readonly props: PropertyValues,
    readonly services: NodeServices,
    readonly block: { id: string; name: string },
    readonly run: { id: string; mode: RunMode; now: Date; clock: () => number },
  ) {}
  get signal(): AbortSignal {
    return this.shared ?? this.control().signal;
  }
  control(): AbortController {
    return (this.controller ??= new AbortController());
  }
}

let runCounter = 0;
function newRunId(): string {
  runCounter = (runCounter + 1) % 1_000_000;
  return `run_${Date.now().toString(36)}_${runCounter.toString(36)}`;
}

/**
 * Runs a validated workflow. Nodes run as soon as all their inputs are ready (ties in block order), so
 * independent asynchronous nodes overlap; a failed node's downstream is skipped while independent
 * branches carry on. Input values come from indexes built by the validator: O(N + E) in all.
 */
export function executeWorkflow(workflow: CompiledWorkflow, options: ExecuteOptions): Promise<RunResult> {
  const runId = options.runId ?? newRunId();
  const mode = options.mode ?? "simulated";
  const now = options.now ?? new Date();
  const timeoutMs = options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY);
  const runSignal = options.signal;
  const ownSignals = options.nodeSignals ?? true;
  const { blocks, inputSources, successors } = workflow;
  const n = blocks.length;

  const clock = options.clock ?? Date.now;
  const record = options.recordOutputs ?? true;
  const runInfo = { id: runId, mode, now, clock };
  let seq = 0;
  let result = emptyRunResult(mode);
  const emit = (e: RunEvent) => {
    result = applyRunEvent(result, e);
    options.onEvent?.(e);
  };
  const ref = (b: CompiledBlock) => ({ nodeId: b.id, nodeName: b.name, nodeType: b.category, blockType: b.type });

  const started = performance.now();
  emit({ event: "run-started", seq: ++seq, runId, mode, at: now.toISOString(), order: workflow.order.map((i) => blocks[i]!.id) });

  const outputs: (NodeOutput | undefined)[] = new Array(n);
  const remaining = workflow.indegree.slice();
  /** For a block that must not run: the id of the upstream block that failed or was skipped. */
  const blockedBy: (string | undefined)[] = new Array(n);
  const ready = new IndexHeap();
  for (let i = 0; i < n; i++) if (remaining[i] === 0) ready.push(i);

  let inFlight = 0;
  let settled = 0;
  let failed = false;

  return new Promise<RunResult>((resolve) => {
    const finishRun = () => {
      const cancelled = runSignal?.aborted ?? false;
      const status: RunStatus = cancelled ? "cancelled" : failed ? "failed" : "completed";
      emit({ event: "run-finished", seq: ++seq, runId, status, duration: performance.now() - started });
      runSignal?.removeEventListener("abort", onAbort);
      resolve(result);
    };

    const release = (i: number, ok: boolean) => {
      settled++;
      const id = blocks[i]!.id;
      for (const next of successors[i]!) {
        if (!ok && blockedBy[next] === undefined) blockedBy[next] = id;
        const left = remaining[next]! - 1;
        remaining[next] = left;
        if (left === 0) ready.push(next);
      }
    };

    const succeed = (i: number, output: unknown, t0: number) => {
      const b = blocks[i]!;
      const duration = performance.now() - t0;
      let stored: unknown = output;
      if (record) {
        try {
          stored = capOutput(output, maxBytes);
        } catch {
          fail(i, new Error("output is not JSON-serialisable"), t0);
          return;
        }
      }
      outputs[i] = (output ?? {}) as NodeOutput;
      emit({ event: "node-finished", seq: ++seq, ...ref(b), output: stored, duration });
      release(i, true);
    };

    const fail = (i: number, err: unknown, t0: number) => {
      failed = true;
      const b = blocks[i]!;
      emit({ event: "node-failed", seq: ++seq, ...ref(b), error: errorMessage(err), duration: performance.now() - t0 });
      release(i, false);
    };

    const skip = (i: number, reason: string, by: string | null) => {
      emit({ event: "node-skipped", seq: ++seq, ...ref(blocks[i]!), reason, blockedBy: by });
      release(i, false);
    };

    const gatherInputs = (b: CompiledBlock): Record<string, unknown> => {
      const inputs: Record<string, unknown> = {};
      const sources = inputSources[b.index]!;
      for (let k = 0; k < b.inputs.length; k++) {
        const port = b.inputs[k]!;
        const src = sources[k];
        if (src) inputs[port.name] = outputs[src.block]?.[src.port];
        else if (port.name in b.props) inputs[port.name] = b.props[port.name];
      }
      return inputs;
    };

    /** Runs block i: synchronous results settle at once, promises race the node's timeout and abort. */
    const start = (i: number): void => {
      const b = blocks[i]!;
      emit({ event: "node-started", seq: ++seq, ...ref(b) });
      const t0 = performance.now();
      const ctx = new LazySignalContext(gatherInputs(b), b.props, options.services, { id: b.id, name: b.name }, runInfo);
      if (!ownSignals) ctx.shared = runSignal ?? NEVER_ABORTED;
      let value: unknown;
      try {
        value = b.def.run(ctx);
      } catch (err) {
        fail(i, err, t0);
        return;
      }
      if (!isPromise(value)) {
        succeed(i, value, t0);
        return;
      }
      if (!ownSignals) {
        inFlight++;
        value.then(
          (output) => {
            inFlight--;
            succeed(i, output, t0);
            pump();
          },
          (err: unknown) => {
            inFlight--;
            fail(i, runSignal?.aborted ? new Error("cancelled while running") : err, t0);
            pump();
          },
        );
        return;
      }
      const ctl = ctx.control();
      const onRunAbort = () => ctl.abort(runSignal?.reason);
      inFlight++;
      runSignal?.addEventListener("abort", onRunAbort, { once: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const guard = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new NodeTimeoutError(`timed out after ${timeoutMs} ms`);
          reject(err); // first, so the race reports the timeout rather than the node's reaction to the abort
          ctl.abort(err);
        }, timeoutMs);
        ctl.signal.addEventListener("abort", () => reject(ctl.signal.reason ?? new Error("aborted")), { once: true });
      });
      const settle = () => {
        clearTimeout(timer);
        runSignal?.removeEventListener("abort", onRunAbort);
        inFlight--;
      };
      Promise.race([value, guard]).then(
        (output) => {
          settle();
          succeed(i, output, t0);
          pump();
        },
        (err: unknown) => {
          settle();
          if (runSignal?.aborted && !(err instanceof NodeTimeoutError)) fail(i, new Error("cancelled while running"), t0);
          else fail(i, err, t0);
          pump();
        },
      );
    };

    let pumping = false;
    const pump = () => {
      if (pumping) return; // a synchronous completion inside the loop; the loop itself picks up its work
      pumping = true;
      while (ready.size > 0 && inFlight < maxConcurrency) {
        const i = ready.pop()!;
        const by = blockedBy[i];
        if (runSignal?.aborted) skip(i, "run cancelled", null);
        else if (by !== undefined) skip(i, `upstream block "${by}" did not succeed`, by);
        else start(i);
      }
      pumping = false;
      if (inFlight === 0 && ready.size === 0) {
        if (settled !== n) {
          // Unreachable for a validated (acyclic) workflow; guards against a hand-built one.
          failed = true;
        }
        finishRun();
      }
    };

    function onAbort() {
      // Pending nodes are skipped on the next pump; running ones were told through their own signals.
      if (inFlight === 0) pump();
    }
    runSignal?.addEventListener("abort", onAbort, { once: true });

    pump();
  });
}
