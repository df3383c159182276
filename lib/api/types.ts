import type { WorkflowDocument } from "../workflow/format";

/** Shapes the API answers with, shared by the server (lib/db) and the browser (lib/api/client). */

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  version: number;
  blocks: number;
  created_at: string;
  updated_at: string;
}

export interface WorkflowRecord extends Omit<WorkflowSummary, "blocks"> {
  workflow: WorkflowDocument;
}

/** What leaves the server about a credential profile: never a secret, only which fields it holds. */
export interface ProfileSummary {
  id: string;
  name: string;
  provider: string;
  created_at: string;
  live_capable: boolean;
  fields: string[];
}

/** A workflow's continuous-running state (GET/PUT /api/workflows/:id/schedule). */
export interface ScheduleState {
  workflow_id: string;
  active: boolean;
  every_seconds: number | null;
  next_run_at: string | null;
  running: boolean;
  last_run_id: string | null;
  last_status: string | null;
  last_error: string | null;
  skipped_ticks: number;
}
