import "server-only";
import type { RunEvent } from "../workflow/events";

/** True when the client asked for Server-Sent Events. */
export function wantsEventStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/event-stream");
}

export function formatEvent(e: RunEvent): string {
  return `id: ${e.seq}\nevent: ${e.event}\ndata: ${JSON.stringify(e)}\n\n`;
}

/**
 * Streams a run's events as they happen. Each event is written when the executor emits it; the headers
 * keep `next start`'s compression and any proxy from holding events back. When the client goes away,
 * `signal` aborts, which cancels the run.
 */
export function eventStream(
  request: Request,
  run: (emit: (e: RunEvent) => void, signal: AbortSignal) => Promise<unknown>,
): Response {
  return sseResponse(request, (write, signal) => run((e) => write(formatEvent(e)), signal));
}

/** Streams named events (`event: <name>`, JSON data) written by `run`; a failure becomes an `error` event. */
export function namedEventStream(request: Request, run: (send: (event: string, data: unknown) => void, signal: AbortSignal) => Promise<unknown>): Response {
  let seq = 0;
  return sseResponse(request, (write, signal) => run((event, data) => write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`), signal));
}

function sseResponse(request: Request, run: (write: (text: string) => void, signal: AbortSignal) => Promise<unknown>): Response {
  const abort = new AbortController();
  const onClientGone = () => abort.abort(new Error("client disconnected"));
  request.signal.addEventListener("abort", onClientGone, { once: true });
  const encoder = new TextEncoder();
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          closed = true;
        }
      };
      write("retry: 5000\n\n");
      run(write, abort.signal)
        .catch((err: unknown) => {
          const details = (err as { details?: unknown })?.details ?? null;
          const known = (err as { code?: unknown })?.code !== undefined || (err as { status?: unknown })?.status !== undefined;
          if (!known) console.error(`[sse] ${new URL(request.url).pathname} failed: ${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`);
          write(`event: error\ndata: ${JSON.stringify({ error: known ? (err as Error).message : "internal error", details })}\n\n`);
        })
        .finally(() => {
          request.signal.removeEventListener("abort", onClientGone);
          if (!closed) {
            closed = true;
            controller.close();
          }
        });
    },
    cancel() {
      closed = true;
      abort.abort(new Error("client disconnected"));
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    },
  });
}
