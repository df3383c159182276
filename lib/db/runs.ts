import "server-only";
import { getDb } from "./client";
import type { RunMode } from "../workflow/definition";
import type { NodeResult, RunError, RunResult } from "../workflow/events";

export interface RunRecord extends RunResult {
  id: string;
  workflowId: string | null;
  version: number | null;
  startedAt: string;
  finishedAt: string | null;
}

/** Records a run as started, so it shows in the history while it runs. */
export async function createRun(input: { id: string; workflowId: string | null; version: number | null; mode: RunMode }): Promise<void> {
  await getDb().run.create({ data: { id: input.id, workflowId: input.workflowId, version: input.version, mode: input.mode, status: "running" } });
}

/** Stores the finished run and every node result in one transaction. */
export async function finishRun(result: RunResult): Promise<void> {
  const db = getDb();
  await db.$transaction([
    db.run.update({
      where: { id: result.runId },
      data: { status: result.status, finishedAt: new Date(), durationMs: result.duration, errors: JSON.stringify(result.errors) },
    }),
    db.nodeResult.createMany({
      data: result.results.map((r, seq) => ({
        runId: result.runId,
        seq,
        nodeId: r.nodeId,
        nodeName: r.nodeName,
        category: r.nodeType,
        type: r.blockType,
        status: r.status,
        output: r.output === null || r.output === undefined ? null : JSON.stringify(r.output),
        error: r.error ?? null,
        durationMs: r.duration,
      })),
    }),
  ]);
}

export async function listRuns(workflowId: string, limit = 50) {
  const rows = await getDb().run.findMany({ where: { workflowId }, orderBy: { startedAt: "desc" }, take: limit });
  return rows.map((r) => ({
    id: r.id,
    workflowId: r.workflowId,
    version: r.version,
    mode: r.mode,
    status: r.status,
    duration: r.durationMs,
    errors: (JSON.parse(r.errors) as RunError[]).length,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }));
}

export async function getRun(id: string): Promise<RunRecord | null> {
  const r = await getDb().run.findUnique({ where: { id }, include: { nodes: { orderBy: { seq: "asc" } } } });
  if (!r) return null;
  return {
    id: r.id,
    runId: r.id,
    workflowId: r.workflowId,
    version: r.version,
    mode: r.mode as RunMode,
    status: r.status as RunRecord["status"],
    duration: r.durationMs ?? 0,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    errors: JSON.parse(r.errors) as RunError[],
    results: r.nodes.map(
      (n): NodeResult => ({
        nodeId: n.nodeId,
        nodeName: n.nodeName,
        nodeType: n.category,
        blockType: n.type,
        status: n.status as NodeResult["status"],
        output: n.output === null ? null : (JSON.parse(n.output) as unknown),
        duration: n.durationMs ?? 0,
        ...(n.error ? { error: n.error } : {}),
      }),
    ),
  };
}
