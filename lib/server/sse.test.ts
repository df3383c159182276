import { describe, expect, it } from "vitest";
import type { RunEvent } from "../workflow/events";
import { eventStream } from "./sse";

const started: RunEvent = { event: "run-started", seq: 1, runId: "r", mode: "simulated", at: "2026-01-01T00:00:00.000Z", order: [] };
const finished: RunEvent = { event: "run-finished", seq: 2, runId: "r", status: "completed", duration: 1 };

describe("eventStream", () => {
  it("delivers each event as it is emitted, not when the run ends", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const res = eventStream(new Request("http://x/"), async (emit) => {
      emit(started);
      await gate;
      emit(finished);
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("event: run-started")) text += decoder.decode((await reader.read()).value);
    // The run is still held at the gate: its last event cannot have been written yet.
    expect(text).not.toContain("run-finished");
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain("id: 2\nevent: run-finished\n");
  });

  it("aborts the run when the client goes away", async () => {
    const client = new AbortController();
    let seen: AbortSignal | undefined;
    const res = eventStream(new Request("http://x/", { signal: client.signal }), (emit, signal) => {
      seen = signal;
      emit(started);
      return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    });
    const reader = res.body!.getReader();
    await reader.read();
    expect(seen!.aborted).toBe(false);
    await reader.cancel();
    expect(seen!.aborted).toBe(true);
  });
});
