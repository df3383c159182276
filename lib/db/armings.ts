import "server-only";
import { getDb } from "./client";
import type { Venue } from "../providers/types";

/** Live trading armed for one saved version of a workflow (see app/api/workflows/[id]/arm). */
export interface Arming {
  workflowId: string;
  venue: Venue;
  version: number;
  maxOrderValue: number;
  maxPositionValue: number;
  armedAt: string;
  expiresAt: string;
}

type Row = { workflowId: string; venue: string; version: number; maxOrderValue: number; maxPositionValue: number; armedAt: Date; expiresAt: Date };

function toArming(row: Row): Arming {
  return {
    workflowId: row.workflowId,
    venue: row.venue as Venue,
    version: row.version,
    maxOrderValue: row.maxOrderValue,
    maxPositionValue: row.maxPositionValue,
    armedAt: row.armedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}

export async function getArming(workflowId: string): Promise<Arming | null> {
  const row = await getDb().liveArming.findUnique({ where: { workflowId } });
  return row ? toArming(row) : null;
}

export async function arm(input: Omit<Arming, "armedAt" | "expiresAt"> & { expiresAt: Date }): Promise<Arming> {
  const data = { venue: input.venue, version: input.version, maxOrderValue: input.maxOrderValue, maxPositionValue: input.maxPositionValue, expiresAt: input.expiresAt, armedAt: new Date() };
  const row = await getDb().liveArming.upsert({ where: { workflowId: input.workflowId }, create: { workflowId: input.workflowId, ...data }, update: data });
  return toArming(row);
}

export async function disarm(workflowId: string): Promise<boolean> {
  const { count } = await getDb().liveArming.deleteMany({ where: { workflowId } });
  return count > 0;
}
