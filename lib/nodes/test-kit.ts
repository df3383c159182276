/**
 * Shared helpers for the node tests: build a small workflow from blocks and wires, compile it with the
 * real validator, and read node results. Test support only; no test runs from here.
 */
import { validateWorkflow, type CompiledWorkflow } from "../workflow/validate";
import type { RunResult } from "../workflow/events";
import { catalog } from "./index";

export const NOW = new Date("2026-11-25T12:00:00Z");

export interface TestBlock {
  id: string;
  category: string;
  type: string;
  properties?: Record<string, unknown>;
}
/** [from block, output index, to block, input index] */
export type Wire = [string, number, string, number];

export function documentOf(blocks: TestBlock[], wires: Wire[] = []) {
  return {
    blocks,
    connections: wires.map(([from, fi, to, ti]) => ({ from: { blockId: from, index: fi }, to: { blockId: to, index: ti } })),
  };
}

export function compile(blocks: TestBlock[], wires: Wire[] = []): CompiledWorkflow {
  const v = validateWorkflow(documentOf(blocks, wires), catalog);
  if (!v.ok) throw new Error(`workflow invalid: ${v.problems.map((p) => p.message).join("; ")}`);
  return v.workflow;
}

export function resultOf(result: RunResult, id: string) {
  const r = result.results.find((x) => x.nodeId === id);
  if (!r) throw new Error(`no result for ${id}`);
  return r;
}

export function outputOf(result: RunResult, id: string): Record<string, unknown> {
  const r = resultOf(result, id);
  if (r.status !== "succeeded") throw new Error(`${id} ${r.status}: ${r.error ?? ""}`);
  return r.output as Record<string, unknown>;
}
