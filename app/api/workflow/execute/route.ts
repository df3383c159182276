import { ExecuteRequestSchema } from "@/lib/api/schemas";
import { json, parseBody, readJson, route } from "@/lib/server/http";
import { compileOrThrow, runWorkflow } from "@/lib/server/run-service";
import { eventStream, wantsEventStream } from "@/lib/server/sse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs a workflow document: JSON result, or Server-Sent Events with `Accept: text/event-stream`. */
export const POST = route(async (request) => {
  const { workflow, ...options } = parseBody(ExecuteRequestSchema, await readJson(request));
  const compiled = compileOrThrow(workflow);
  if (wantsEventStream(request)) {
    return eventStream(request, (onEvent, signal) => runWorkflow(compiled, options, { onEvent, signal }));
  }
  return json(await runWorkflow(compiled, options, { signal: request.signal }));
});
