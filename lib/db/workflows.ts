import "server-only";
import { getDb } from "./client";
import type { WorkflowDocument } from "../workflow/format";
import type { WorkflowRecord, WorkflowSummary } from "../api/types";

export type { WorkflowRecord, WorkflowSummary };

type Row = { id: string; name: string; description: string; version: number; document: string; createdAt: Date; updatedAt: Date };

function toRecord(row: Row): WorkflowRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    workflow: JSON.parse(row.document) as WorkflowDocument,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function listWorkflows(): Promise<WorkflowSummary[]> {
  const rows = await getDb().workflow.findMany({ orderBy: { updatedAt: "desc" } });
  return rows.map((r) => {
    const doc = JSON.parse(r.document) as { blocks?: unknown[] };
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      version: r.version,
      blocks: doc.blocks?.length ?? 0,
      created_at: r.createdAt.toISOString(),
      updated_at: r.updatedAt.toISOString(),
    };
  });
}

export async function getWorkflow(id: string): Promise<WorkflowRecord | null> {
  const row = await getDb().workflow.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

/** Creates a workflow and its version 1. */
export async function createWorkflow(input: { name: string; description?: string; workflow: WorkflowDocument }): Promise<WorkflowRecord> {
  const document = JSON.stringify(input.workflow);
  const row = await getDb().workflow.create({
    data: {
      name: input.name,
      description: input.description ?? "",
      document,
      version: 1,
      versions: { create: { version: 1, name: input.name, description: input.description ?? "", document } },
    },
  });
  return toRecord(row);
}

/**
 * Saves changes as a new version; earlier versions stay readable. A save that changes nothing does not
 * add a version. Returns null when the workflow does not exist.
 */
export async function updateWorkflow(
  id: string,
  patch: { name?: string; description?: string; workflow?: WorkflowDocument },
): Promise<WorkflowRecord | null> {
  const db = getDb();
  return db.$transaction(async (tx) => {
    const current = await tx.workflow.findUnique({ where: { id } });
    if (!current) return null;
    const name = patch.name ?? current.name;
    const description = patch.description ?? current.description;
    const document = patch.workflow ? JSON.stringify(patch.workflow) : current.document;
    if (name === current.name && description === current.description && document === current.document) return toRecord(current);
    const version = current.version + 1;
    const row = await tx.workflow.update({ where: { id }, data: { name, description, document, version } });
    await tx.workflowVersion.create({ data: { workflowId: id, version, name, description, document } });
    return toRecord(row);
  });
}

export async function deleteWorkflow(id: string): Promise<boolean> {
  const db = getDb();
  // The paper account and any live arming belong to the workflow and go with it.
  const [{ count }] = await db.$transaction([
    db.workflow.deleteMany({ where: { id } }),
    db.paperAccount.deleteMany({ where: { workflowId: id } }),
    db.liveArming.deleteMany({ where: { workflowId: id } }),
  ]);
  return count > 0;
}

export async function listWorkflowVersions(id: string) {
  const rows = await getDb().workflowVersion.findMany({ where: { workflowId: id }, orderBy: { version: "desc" } });
  return rows.map((v) => ({
    version: v.version,
    name: v.name,
    description: v.description,
    workflow: JSON.parse(v.document) as WorkflowDocument,
    created_at: v.createdAt.toISOString(),
  }));
}
