import { beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest } from "@/test/http";
import { POST } from "./route";

beforeAll(() => {
  useThrowawayDatabase();
});

const seedRequest = {
  workflow: {
    blocks: [
      { id: "provider_poly", category: "providers", type: "polymarket", properties: { profile_id: "prod_1", enabled_endpoints: ["price_feed"] }, outputs: [{ name: "price_feed" }] },
      { id: "threshold_1", category: "conditions", type: "threshold", inputs: [{ name: "value" }, { name: "min" }], outputs: [{ name: "pass" }] },
    ],
    connections: [{ from: { blockId: "provider_poly", index: 0 }, to: { blockId: "threshold_1", index: 0 } }],
  },
};

const execute = (body: unknown, headers: Record<string, string> = {}) => POST(jsonRequest("POST", "/api/workflow/execute", body, headers), undefined);

function parseSse(text: string) {
  return text
    .split("\n\n")
    .filter((chunk) => chunk.includes("event: "))
    .map((chunk) => {
      const lines = Object.fromEntries(chunk.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
      return { id: lines.id, event: lines.event, data: JSON.parse(lines.data!) as Record<string, unknown> };
    });
}

describe("POST /api/workflow/execute", () => {
  it("answers the seed's request example with the seed's response shape", async () => {
    const res = await execute(seedRequest);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { results: Record<string, unknown>[] };
    expect(body).toMatchObject({ status: "completed", errors: [] });
    expect(typeof body.duration).toBe("number");
    expect(body.results).toHaveLength(2);
    expect(body.results[0]).toMatchObject({ nodeId: "provider_poly", nodeName: "Polymarket", nodeType: "providers" });
    expect(Object.keys(body.results[0]!.output as object)).toEqual(["price_feed"]);
    expect(body.results[1]).toMatchObject({ nodeId: "threshold_1", nodeName: "Threshold", nodeType: "conditions", output: { pass: true } });
    for (const r of body.results) expect(typeof r.duration).toBe("number");
  });

  it("reproduces a run exactly from its seed and instant", async () => {
    const at = "2026-11-20T09:30:00Z";
    const provider = { id: "p", category: "providers", type: "binance", properties: { enabled_endpoints: ["price_feed", "orderbook"] } };
    const request = { workflow: { blocks: [provider], connections: [] }, at };
    const a = (await (await execute({ ...request, seed: 42 })).json()) as { results: { output: unknown }[] };
    const b = (await (await execute({ ...request, seed: 42 })).json()) as { results: { output: unknown }[] };
    const c = (await (await execute({ ...request, seed: 43 })).json()) as { results: { output: unknown }[] };
    expect(a.results[0]!.output).toEqual(b.results[0]!.output);
    expect(a.results[0]!.output).not.toEqual(c.results[0]!.output);
  });

  it("streams Server-Sent Events, numbered, one per executor event", async () => {
    const res = await execute(seedRequest, { accept: "text/event-stream" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(["run-started", "node-started", "node-finished", "node-started", "node-finished", "run-finished"]);
    expect(events.map((e) => e.id)).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(events[2]!.data).toMatchObject({ nodeId: "provider_poly", nodeType: "providers" });
    expect(events[5]!.data).toMatchObject({ status: "completed" });
  });

  it.each([
    ["malformed JSON", "{not json", 400, "malformed JSON"],
    ["an empty body", "", 400, "request body is empty"],
    ["a missing workflow", {}, 400, "invalid request body: workflow is required"],
    ["a wrong-typed field", { workflow: { blocks: "many", connections: [] } }, 400, "invalid workflow: blocks: must be a list of blocks"],
    ["an unknown mode", { ...seedRequest, mode: "yolo" }, 400, 'invalid request body: mode must be "simulated", "paper" or "live"'],
    ["a live run of an unsaved workflow", { ...seedRequest, mode: "live" }, 400, "a live run needs a saved workflow"],
    ["a bad seed", { ...seedRequest, seed: 1.5 }, 400, "invalid request body: seed must be a whole number"],
  ])("rejects %s with a clear 400", async (_label, body, status, error) => {
    const res = await execute(body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; details: unknown };
    expect(json.error).toContain(error);
    expect(json).toHaveProperty("details");
  });

  it("rejects an invalid workflow listing every problem with its block", async () => {
    const res = await execute({
      workflow: {
        blocks: [...seedRequest.workflow.blocks, { id: "threshold_1", category: "conditions", type: "threshold" }],
        connections: [...seedRequest.workflow.connections, { from: { blockId: "provider_poly", index: 4 }, to: { blockId: "nowhere", index: 0 } }],
      },
    });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; details: { code: string; blockId: string }[] };
    expect(json.error).toMatch(/^invalid workflow: /);
    expect(json.details.map((d) => [d.code, d.blockId])).toEqual([
      ["duplicate-block", "threshold_1"],
      ["missing-block", "nowhere"],
    ]);
  });

  it("refuses a body over the size limit with 413", async () => {
    const prev = process.env.MAX_BODY_BYTES;
    process.env.MAX_BODY_BYTES = "1000";
    try {
      const res = await execute({ ...seedRequest, padding: "x".repeat(2_000) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toBe("request body too large");
    } finally {
      if (prev === undefined) delete process.env.MAX_BODY_BYTES;
      else process.env.MAX_BODY_BYTES = prev;
    }
  });

  it("refuses a body that is not JSON with 415", async () => {
    const res = await POST(new Request("http://127.0.0.1/api/workflow/execute", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }), undefined);
    expect(res.status).toBe(415);
  });
});
