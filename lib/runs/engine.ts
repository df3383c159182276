import type { NodeServices } from "../providers/types";
import type { RunMode } from "../workflow/definition";
import type { RunEvent, RunResult } from "../workflow/events";
import { executeWorkflow } from "../workflow/executor";
import type { CompiledWorkflow } from "../workflow/validate";

/** The run's instant (what simulated markets read at) and its ms clock (Date.now unless given). */
export interface RunClock {
  now: Date;
  read?: () => number;
}

/**
 * Where a run's record goes: a database, a stream, a test's array. `begin` completes before the first
 * event, `event` is called synchronously for every event in order and must not throw, and `finish`
 * gets the final result after the last event. A rejected `begin` stops the run before it starts.
 */
export interface RunSink {
  begin?(runId: string, mode: RunMode): Promise<void> | void;
  event?(e: RunEvent): void;
  finish?(result: RunResult): Promise<void> | void;
}

export interface RunOnceOptions {
  /** Default "simulated". */
  mode?: RunMode;
  /** Default a fresh `run_<uuid>`. */
  runId?: string;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** False skips sizing outputs for storage. Default true. */
  recordOutputs?: boolean;
  /** False: nodes share the run's signal, with no per-node timeout (see ExecuteOptions). Default true. */
  nodeSignals?: boolean;
}

/** A sink that keeps nothing. */
export const discardSink: RunSink = Object.freeze({});

/** One sink feeding several, in the order given; each `begin` and `finish` completes before the next. */
export function combineSinks(...sinks: RunSink[]): RunSink {
  return {
    async begin(runId, mode) {
      for (const s of sinks) await s.begin?.(runId, mode);
    },
    event(e) {
      for (const s of sinks) s.event?.(e);
    },
    async finish(result) {
      for (const s of sinks) await s.finish?.(result);
    },
  };
}

/**
 * Runs a compiled workflow once with the services given, reporting to the sink. Knows nothing of HTTP,
 * storage or how the services were made: refusals belong to whoever builds the services.
 */
export async function runOnce(compiled: CompiledWorkflow, services: NodeServices, clock: RunClock, sink: RunSink, options: RunOnceOptions = {}): Promise<RunResult> {
  const mode = options.mode ?? "simulated";
  const runId = options.runId ?? `run_${crypto.randomUUID()}`;
  await sink.begin?.(runId, mode);
  const onEvent = sink.event?.bind(sink);
  const result = await executeWorkflow(compiled, {
    services,
    runId,
    mode,
    now: clock.now,
    clock: clock.read,
    signal: options.signal,
    recordOutputs: options.recordOutputs,
    nodeSignals: options.nodeSignals,
    onEvent,
  });
  await sink.finish?.(result);
  return result;
}
