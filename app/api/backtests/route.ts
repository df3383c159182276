import { BacktestRequestSchema } from "@/lib/backtest/settings";
import { json, parseBody, readJson, route } from "@/lib/server/http";
import { runBacktest } from "@/lib/server/backtest-service";
import { namedEventStream, wantsEventStream } from "@/lib/server/sse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs and stores a backtest: JSON result, or `progress` events then `result` with `Accept: text/event-stream`. */
export const POST = route(async (request) => {
  const body = parseBody(BacktestRequestSchema, await readJson(request));
  if (wantsEventStream(request)) {
    return namedEventStream(request, async (send, signal) => send("result", await runBacktest(body, { signal, onProgress: (p) => send("progress", p) })));
  }
  return json(await runBacktest(body, { signal: request.signal }), 201);
});
