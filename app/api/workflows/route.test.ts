import { beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest, params } from "@/test/http";
import * as collection from "./route";
import * as item from "./[id]/route";
import * as versions from "./[id]/versions/route";
import * as runs from "./[id]/runs/route";
import * as runById from "../runs/[id]/route";

beforeAll(() => {
  useThrowawayDatabase();
});

const doc = {
  blocks: [
    { id: "poly", category: "providers", type: "polymarket", properties: { enabled_endpoints: ["price_feed"] }, position: { x: 0, y: 40 } },
    { id: "threshold", category: "conditions", type: "threshold", properties: { min: 0.01 }, position: { x: 260, y: 40 } },
    { id: "buy", category: "actions", type: "buy", properties: { amount: 10 }, position: { x: 520, y: 40 } },
  ],
  connections: [
    { from: { blockId: "poly", index: 0 }, to: { blockId: "threshold", index: 0 } },
    { from: { blockId: "threshold", index: 0 }, to: { blockId: "buy", index: 0 } },
  ],
};

type Saved = { id: string; name: string; description: string; version: number; workflow: typeof doc; created_at: string; updated_at: string };

async function create(body: unknown) {
  return collection.POST(jsonRequest("POST", "/api/workflows", body), undefined);
}

describe("/api/workflows", () => {
  it("creates, reads back exactly (positions included), lists, renames and deletes", async () => {
    const res = await create({ name: "Price threshold", description: "Buy above 0.5", workflow: doc });
    expect(res.status).toBe(201);
    const saved = (await res.json()) as Saved;
    expect(saved).toMatchObject({ name: "Price threshold", description: "Buy above 0.5", version: 1 });
    expect(saved.workflow).toEqual(doc);

    const got = (await (await item.GET(jsonRequest("GET", `/api/workflows/${saved.id}`), params({ id: saved.id }))).json()) as Saved;
    expect(got.workflow).toEqual(doc);

    const list = (await (await collection.GET(jsonRequest("GET", "/api/workflows"), undefined)).json()) as { id: string; blocks: number }[];
    expect(list.find((w) => w.id === saved.id)).toMatchObject({ blocks: 3 });

    const renamed = await item.PUT(jsonRequest("PUT", `/api/workflows/${saved.id}`, { name: "Renamed" }), params({ id: saved.id }));
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as Saved).name).toBe("Renamed");

    const del = await item.DELETE(jsonRequest("DELETE", `/api/workflows/${saved.id}`), params({ id: saved.id }));
    expect(del.status).toBe(204);
    expect((await item.GET(jsonRequest("GET", `/api/workflows/${saved.id}`), params({ id: saved.id }))).status).toBe(404);
    expect((await item.DELETE(jsonRequest("DELETE", `/api/workflows/${saved.id}`), params({ id: saved.id }))).status).toBe(404);
  });

  it("keeps earlier versions on save, newest first, and skips saves that change nothing", async () => {
    const saved = (await (await create({ name: "V", workflow: doc })).json()) as Saved;
    const changed = { ...doc, blocks: doc.blocks.map((b) => (b.id === "threshold" ? { ...b, properties: { min: 0.6 } } : b)) };
    const put = (body: unknown) => item.PUT(jsonRequest("PUT", `/api/workflows/${saved.id}`, body), params({ id: saved.id }));
    expect(((await (await put({ workflow: changed })).json()) as Saved).version).toBe(2);
    expect(((await (await put({ workflow: changed })).json()) as Saved).version).toBe(2);
    expect(((await (await put({ description: "now with 0.6" })).json()) as Saved).version).toBe(3);
    const list = (await (await versions.GET(jsonRequest("GET", "/"), params({ id: saved.id }))).json()) as { version: number; workflow: typeof doc; description: string }[];
    expect(list.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(list[2]!.workflow).toEqual(doc);
    expect(list[1]!.workflow.blocks[1]!.properties).toEqual({ min: 0.6 });
    expect(list[0]!.description).toBe("now with 0.6");
  });

  it("runs a saved workflow and stores the run with every node result", async () => {
    const saved = (await (await create({ name: "Runnable", workflow: doc })).json()) as Saved;
    const res = await runs.POST(jsonRequest("POST", `/api/workflows/${saved.id}/runs`, { seed: 3, at: "2026-11-25T10:00:00Z" }), params({ id: saved.id }));
    expect(res.status).toBe(201);
    const result = (await res.json()) as { runId: string; status: string; results: { nodeId: string; output: unknown }[] };
    expect(result.status).toBe("completed");

    const history = (await (await runs.GET(jsonRequest("GET", "/"), params({ id: saved.id }))).json()) as { id: string; status: string; version: number; mode: string }[];
    expect(history).toEqual([expect.objectContaining({ id: result.runId, status: "completed", version: 1, mode: "simulated" })]);

    const stored = (await (await runById.GET(jsonRequest("GET", "/"), params({ id: result.runId }))).json()) as { results: { nodeId: string; output: unknown; status: string }[]; status: string };
    expect(stored.status).toBe("completed");
    expect(stored.results.map((r) => [r.nodeId, r.status])).toEqual([
      ["poly", "succeeded"],
      ["threshold", "succeeded"],
      ["buy", "succeeded"],
    ]);
    expect(stored.results.map((r) => r.output)).toEqual(result.results.map((r) => r.output));
  });

  it("runs a saved workflow with no body at all", async () => {
    const saved = (await (await create({ name: "No body", workflow: doc })).json()) as Saved;
    const res = await runs.POST(new Request(`http://127.0.0.1/api/workflows/${saved.id}/runs`, { method: "POST" }), params({ id: saved.id }));
    expect(res.status).toBe(201);
  });

  it("streams a saved run and still stores it", async () => {
    const saved = (await (await create({ name: "Streamed", workflow: doc })).json()) as Saved;
    const res = await runs.POST(jsonRequest("POST", "/", {}, { accept: "text/event-stream" }), params({ id: saved.id }));
    const text = await res.text();
    expect(text.match(/event: node-finished/g)).toHaveLength(3);
    const runId = /"runId":"([^"]+)"/.exec(text)![1]!;
    const stored = await runById.GET(jsonRequest("GET", "/"), params({ id: runId }));
    expect(((await stored.json()) as { results: unknown[] }).results).toHaveLength(3);
  });

  it.each([
    ["no name", { workflow: doc }, "invalid request body: name"],
    ["an empty name", { name: "  ", workflow: doc }, "name must not be empty"],
    ["a wrong-typed description", { name: "x", description: 5, workflow: doc }, "description must be a string"],
    ["no workflow", { name: "x" }, "workflow is required"],
    ["an invalid workflow", { name: "x", workflow: { blocks: [{ id: "a", category: "values", type: "nope" }], connections: [] } }, 'unknown node type "values/nope"'],
  ])("refuses to create with %s", async (_label, body, message) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it("answers 404 for unknown ids on every route", async () => {
    const ghost = params({ id: "does-not-exist" });
    expect((await item.GET(jsonRequest("GET", "/"), ghost)).status).toBe(404);
    expect((await item.PUT(jsonRequest("PUT", "/", { name: "x" }), ghost)).status).toBe(404);
    expect((await versions.GET(jsonRequest("GET", "/"), ghost)).status).toBe(404);
    expect((await runs.GET(jsonRequest("GET", "/"), ghost)).status).toBe(404);
    expect((await runs.POST(jsonRequest("POST", "/", {}), ghost)).status).toBe(404);
    const missingRun = await runById.GET(jsonRequest("GET", "/"), ghost);
    expect(missingRun.status).toBe(404);
    expect(await missingRun.json()).toEqual({ error: "run not found", details: { id: "does-not-exist" } });
  });

  it("refuses an update with nothing in it, and one with malformed JSON", async () => {
    const saved = (await (await create({ name: "U", workflow: doc })).json()) as Saved;
    const empty = await item.PUT(jsonRequest("PUT", "/", {}), params({ id: saved.id }));
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toContain("give at least one of name, description, workflow");
    const bad = await item.PUT(jsonRequest("PUT", "/", "{"), params({ id: saved.id }));
    expect(bad.status).toBe(400);
  });
});
