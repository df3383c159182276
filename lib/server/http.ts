import "server-only";
import type { z } from "zod";
import { RunRefusal, type RunRefusalCode } from "../runs/errors";

/**
 * The HTTP edge: every bad input becomes a 4xx with `{ error, details }` that names what is wrong.
 * Unexpected failures become a bare 500 `{ error: "internal error" }`; stacks never leave the server.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The one HTTP status of each run refusal. */
export const REFUSAL_STATUS: Readonly<Record<RunRefusalCode, number>> = {
  invalid_workflow: 400,
  needs_saved_workflow: 400,
  pinned_market: 400,
  no_live_profile: 400,
  ambiguous_live_profile: 400,
  not_armed: 403,
  arming_expired: 403,
  arming_stale: 409,
  no_provider: 400,
  unknown_workflow: 404,
  unknown_dataset: 404,
  bad_data_request: 400,
  no_data: 422,
  too_many_bars: 413,
  bad_dataset: 400,
  history_unavailable: 502,
};

/** Request bodies above this are refused with 413 (MAX_BODY_BYTES overrides; default 10 MiB). */
export function maxBodyBytes(): number {
  const v = Number(process.env.MAX_BODY_BYTES);
  return Number.isFinite(v) && v > 0 ? v : 10 * 1024 * 1024;
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

/** Reads and parses a JSON body, counting bytes as they arrive so an oversized body is cut off early. */
export async function readJson(request: Request, limit = maxBodyBytes()): Promise<unknown> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    throw new ApiError(413, "request body too large", `${declared} bytes; the limit is ${limit}`);
  }
  const type = request.headers.get("content-type") ?? "";
  if (type && !/json/i.test(type)) throw new ApiError(415, "request body must be JSON", `content-type was ${type}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new ApiError(413, "request body too large", `more than ${limit} bytes`);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new ApiError(400, "request body is empty", "send a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, "malformed JSON", (err as Error).message);
  }
}

export interface FieldProblem {
  path: string;
  message: string;
}

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.slice(0, 50).map((issue) => {
    let path = "";
    for (const p of issue.path) path += typeof p === "number" ? `[${p}]` : path ? `.${String(p)}` : String(p);
    return { path: path || "(body)", message: issue.message };
  });
}

/** Validates with a shared schema; a mismatch is a 400 naming each bad field. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, what = "request body"): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = zodProblems(result.error);
    throw new ApiError(400, `invalid ${what}: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}`, problems);
  }
  return result.data;
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/**
 * Wraps a route handler so that thrown ApiErrors and RunRefusals become their response (the refusal's
 * status from REFUSAL_STATUS) and nothing else leaks.
 */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (err) {
      if (err instanceof ApiError) return json({ error: err.message, details: err.details ?? null }, err.status);
      if (err instanceof RunRefusal) return json({ error: err.message, details: err.details ?? null }, REFUSAL_STATUS[err.code]);
      console.error(`[api] ${request.method} ${new URL(request.url).pathname} failed: ${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`);
      return json({ error: "internal error", details: null }, 500);
    }
  };
}

/** The `id` route parameter, checked for shape so that junk is a 404, not a database error. */
export async function idParam(context: { params: Promise<{ id: string }> }): Promise<string> {
  const { id } = await context.params;
  if (!id || id.length > 200) throw new ApiError(404, "not found", `no such id`);
  return id;
}
