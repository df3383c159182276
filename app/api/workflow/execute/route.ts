import { ExecuteRequestSchema } from "@/lib/api/schemas";
import { json, parseBody, readJson, route } from "@/lib/server/http";
import { compileOrThrow, prepareRun } from "@/lib/server/run-service";
import { eventStream, wantsEventStream } from "@/lib/server/sse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs a workflow document: JSON result, or Server-Sent Events with `Accept: text/event-stream`. */
export const POST = route(async (request) => {
  const { workflow, ...options } = parseBody(ExecuteRequestSchema, await readJson(request));
  const run = await prepareRun(compileOrThrow(workflow), options);
  if (wantsEventStream(request)) return eventStream(request, (onEvent, signal) => run.start({ onEvent, signal }));
  return json(await run.start({ signal: request.signal }));
});
