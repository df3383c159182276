/** Browser-side API access: fetchers, query keys (one factory), and the run-stream reader. */
import type { NodeDescriptor } from "../nodes/describe";
import type { RunMode } from "../workflow/definition";
import type { WorkflowDocument } from "../workflow/format";
import type { NodeResult, RunEvent, RunResult } from "../workflow/events";
import type { ArmingState, PaperAccountView, ProfileSummary, ScheduleState, WorkflowRecord, WorkflowSummary } from "./types";
import type { BacktestProgress, BacktestRequest, BacktestResult, BacktestSummary, DatasetSummary } from "./types";

export const queryKeys = {
  nodes: ["nodes"] as const,
  workflows: ["workflows"] as const,
  workflow: (id: string) => ["workflows", id] as const,
  versions: (id: string) => ["workflows", id, "versions"] as const,
  runs: (id: string) => ["workflows", id, "runs"] as const,
  run: (id: string) => ["runs", id] as const,
  profiles: (provider?: string) => ["profiles", provider ?? "all"] as const,
  templates: ["templates"] as const,
  schedule: (id: string) => ["workflows", id, "schedule"] as const,
  arming: (id: string) => ["workflows", id, "arm"] as const,
  paper: (id: string) => ["workflows", id, "paper"] as const,
  datasets: ["datasets"] as const,
  dataset: (id: string) => ["datasets", id] as const,
  backtests: (workflowId: string) => ["workflows", workflowId, "backtests"] as const,
  backtest: (id: string) => ["backtests", id] as const,
};

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiRequestError(res.status, `the server answered ${res.status} with something that is not JSON`, null);
  }
  if (!res.ok) {
    const err = data as { error?: string; details?: unknown } | null;
    throw new ApiRequestError(res.status, err?.error ?? `request failed (${res.status})`, err?.details ?? null);
  }
  return data as T;
}

export type { ArmingState, PaperAccountView, ScheduleState, WorkflowRecord, WorkflowSummary };
export type Profile = ProfileSummary;
export interface WorkflowVersion {
  version: number;
  name: string;
  description: string;
  workflow: WorkflowDocument;
  created_at: string;
}
export interface RunSummary {
  id: string;
  mode: string;
  status: string;
  duration: number | null;
  errors: number;
  version: number | null;
  startedAt: string;
}
export interface StoredRun extends RunResult {
  id: string;
  startedAt: string;
  results: NodeResult[];
}

export interface TemplateRecord {
  id: string;
  name: string;
  description: string;
  makes_money: string;
  loses_money: string;
  tags: string[];
  providers: string[];
  credentials: string;
  parameters: { block: string; property: string; label: string }[];
  workflow: WorkflowDocument;
}


export const api = {
  schedule: (id: string) => request<ScheduleState>("GET", `/api/workflows/${encodeURIComponent(id)}/schedule`),
  setSchedule: (id: string, everySeconds: number | null, mode: "simulated" | "paper" = "simulated") =>
    request<ScheduleState>("PUT", `/api/workflows/${encodeURIComponent(id)}/schedule`, { every_seconds: everySeconds, ...(everySeconds === null ? {} : { mode }) }),
  arming: (id: string) => request<ArmingState>("GET", `/api/workflows/${encodeURIComponent(id)}/arm`),
  arm: (id: string, body: { venue: string; max_order_value: number; max_position_value?: number; hours?: number; confirm_venue: string; version?: number }) =>
    request<ArmingState>("PUT", `/api/workflows/${encodeURIComponent(id)}/arm`, body),
  disarm: (id: string) => request<ArmingState>("DELETE", `/api/workflows/${encodeURIComponent(id)}/arm`),
  paper: (id: string) => request<PaperAccountView>("GET", `/api/workflows/${encodeURIComponent(id)}/paper`),
  resetPaper: (id: string) => request<PaperAccountView>("DELETE", `/api/workflows/${encodeURIComponent(id)}/paper`),
  templates: () => request<TemplateRecord[]>("GET", "/api/templates"),
  nodes: () => request<NodeDescriptor[]>("GET", "/api/nodes"),
  listWorkflows: () => request<WorkflowSummary[]>("GET", "/api/workflows"),
  getWorkflow: (id: string) => request<WorkflowRecord>("GET", `/api/workflows/${encodeURIComponent(id)}`),
  createWorkflow: (body: { name: string; description?: string; workflow: WorkflowDocument }) => request<WorkflowRecord>("POST", "/api/workflows", body),
  updateWorkflow: (id: string, body: { name?: string; description?: string; workflow?: WorkflowDocument }) =>
    request<WorkflowRecord>("PUT", `/api/workflows/${encodeURIComponent(id)}`, body),
  deleteWorkflow: (id: string) => request<void>("DELETE", `/api/workflows/${encodeURIComponent(id)}`),
  versions: (id: string) => request<WorkflowVersion[]>("GET", `/api/workflows/${encodeURIComponent(id)}/versions`),
  runs: (id: string) => request<RunSummary[]>("GET", `/api/workflows/${encodeURIComponent(id)}/runs`),
  run: (id: string) => request<StoredRun>("GET", `/api/runs/${encodeURIComponent(id)}`),
  profiles: (provider?: string) => request<Profile[]>("GET", `/api/credentials/profiles${provider ? `?provider=${encodeURIComponent(provider)}` : ""}`),
  createProfile: (body: { name: string; provider: string; credentials: Record<string, string>; live_capable?: boolean }) => request<Profile>("POST", "/api/credentials/profiles", body),
  deleteProfile: (id: string) => request<void>("DELETE", `/api/credentials/profiles/${encodeURIComponent(id)}`),
  datasets: () => request<DatasetSummary[]>("GET", "/api/datasets"),
  dataset: (id: string) => request<DatasetSummary>("GET", `/api/datasets/${encodeURIComponent(id)}`),
  createDataset: (body: { name: string; csv: string }) => request<DatasetSummary>("POST", "/api/datasets", body),
  deleteDataset: (id: string) => request<void>("DELETE", `/api/datasets/${encodeURIComponent(id)}`),
  backtest: (id: string) => request<BacktestResult>("GET", `/api/backtests/${encodeURIComponent(id)}`),
  backtests: (workflowId: string) => request<BacktestSummary[]>("GET", `/api/workflows/${encodeURIComponent(workflowId)}/backtests`),
};

/** Parses a Server-Sent Events byte stream into run events, calling `onEvent` for each as it arrives. */
export async function readRunStream(body: ReadableStream<Uint8Array>, onEvent: (e: RunEvent) => void): Promise<void> {
  await readEventStream(body, (event, data) => {
    if (event === "error") throw new Error((data as { error: string }).error);
    onEvent(data as RunEvent);
  });
}

/** POSTs `body` asking for Server-Sent Events; a refusal becomes an ApiRequestError with the server's details. */
async function postForEvents(url: string, body: unknown, signal: AbortSignal, what: string): Promise<Response & { body: ReadableStream<Uint8Array> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok || !res.body) {
    const err = (await res.json().catch(() => null)) as { error?: string; details?: unknown } | null;
    throw new ApiRequestError(res.status, err?.error ?? `${what} request failed (${res.status})`, err?.details ?? null);
  }
  return res as Response & { body: ReadableStream<Uint8Array> };
}

/**
 * Starts a streamed run: a saved, unchanged workflow runs through its runs endpoint (and is stored in its
 * history); anything else through the execute endpoint. Aborting `signal` stops the run on the server.
 */
export async function streamRun(
  target: { workflowId: string } | { workflow: WorkflowDocument },
  options: { mode?: RunMode; signal: AbortSignal; onEvent: (e: RunEvent) => void },
): Promise<void> {
  const url = "workflowId" in target ? `/api/workflows/${encodeURIComponent(target.workflowId)}/runs` : "/api/workflow/execute";
  const body = "workflowId" in target ? { mode: options.mode } : { workflow: target.workflow, mode: options.mode };
  const res = await postForEvents(url, body, options.signal, "run");
  await readRunStream(res.body, options.onEvent);
}

/** Parses a Server-Sent Events byte stream, calling `onMessage` with each event's name and parsed data. */
export async function readEventStream(body: ReadableStream<Uint8Array>, onMessage: (event: string, data: unknown) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of chunk.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      if (data.length > 0) onMessage(event, JSON.parse(data.join("\n")));
    }
  }
}

/**
 * Runs a backtest, streamed: `onProgress` gets each progress event, the promise the stored record.
 * Aborting `signal` closes the stream, which stops the backtest on the server. A refusal (4xx) or an
 * `error` event rejects with an ApiRequestError carrying the server's details.
 */
export async function streamBacktest(body: BacktestRequest, options: { signal: AbortSignal; onProgress: (p: BacktestProgress) => void }): Promise<BacktestResult> {
  const res = await postForEvents("/api/backtests", body, options.signal, "backtest");
  // A server that answers JSON (no streaming) still gives the record.
  if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) return (await res.json()) as BacktestResult;
  let result: BacktestResult | null = null;
  let failure: ApiRequestError | null = null;
  await readEventStream(res.body, (event, data) => {
    if (event === "progress") options.onProgress(data as BacktestProgress);
    else if (event === "result") result = data as BacktestResult;
    else if (event === "error") {
      const err = data as { error?: string; details?: unknown } | null;
      failure = new ApiRequestError(res.status, err?.error ?? "the backtest failed", err?.details ?? null);
    }
  });
  if (failure) throw failure;
  if (!result) throw new ApiRequestError(res.status, "the connection closed before the backtest finished", null);
  return result;
}
