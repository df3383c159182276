import { RunOptionsSchema } from "@/lib/api/schemas";
import { listRuns } from "@/lib/db/runs";
import { getWorkflow } from "@/lib/db/workflows";
import { ApiError, idParam, json, parseBody, readJson, route } from "@/lib/server/http";
import { compileOrThrow, prepareRun } from "@/lib/server/run-service";
import { eventStream, wantsEventStream } from "@/lib/server/sse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  if (!(await getWorkflow(id))) throw new ApiError(404, "workflow not found", { id });
  return json(await listRuns(id));
});

/** Runs the saved workflow (simulated, paper or live) and stores the run with every node result. A body is optional. */
export const POST = route<Ctx>(async (request, context) => {
  const id = await idParam(context);
  const hasBody = request.headers.get("content-length") !== "0" && request.body !== null;
  const options = parseBody(RunOptionsSchema, hasBody ? await readJsonOrEmpty(request) : {});
  const saved = await getWorkflow(id);
  if (!saved) throw new ApiError(404, "workflow not found", { id });
  const run = await prepareRun(compileOrThrow(saved.workflow), options, { workflowId: id, version: saved.version });
  if (wantsEventStream(request)) return eventStream(request, (onEvent, signal) => run.start({ onEvent, signal }));
  return json(await run.start({ signal: request.signal }), 201);
});

async function readJsonOrEmpty(request: Request): Promise<unknown> {
  try {
    return await readJson(request);
  } catch (err) {
    if (err instanceof ApiError && err.message === "request body is empty") return {};
    throw err;
  }
}
