import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest, params } from "@/test/http";
import { listRuns } from "@/lib/db/runs";
import { loadPaperAccount } from "@/lib/db/paper-accounts";
import * as collection from "../../route";
import * as schedule from "./route";

beforeAll(() => {
  useThrowawayDatabase();
});
afterEach(() => {
  vi.useRealTimers();
});

const block = (id: string, type: string, category: string, properties: Record<string, unknown> = {}) => ({ id, category, type, properties });
async function saved(blocks: unknown[], connections: unknown[] = []): Promise<string> {
  const res = await collection.POST(jsonRequest("POST", "/api/workflows", { name: "Loop", workflow: { blocks, connections } }), undefined);
  return ((await res.json()) as { id: string }).id;
}
const put = (id: string, body: unknown) => schedule.PUT(jsonRequest("PUT", "/", body), params({ id }));
const state = async (id: string) => (await (await schedule.GET(jsonRequest("GET", "/"), params({ id }))).json()) as Record<string, unknown>;

describe("/api/workflows/:id/schedule", () => {
  it("runs a saved workflow every N seconds, storing each run, until stopped", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const id = await saved([block("price", "binance", "providers"), block("check", "threshold", "conditions", { min: 0 })], [{ from: { blockId: "price", index: 0 }, to: { blockId: "check", index: 0 } }]);
    const res = await put(id, { every_seconds: 5 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ active: true, every_seconds: 5, running: false });
    expect(await listRuns(id)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(async () => expect(await listRuns(id)).toHaveLength(1), { timeout: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(async () => expect(await listRuns(id)).toHaveLength(2), { timeout: 5_000 });
    expect(await state(id)).toMatchObject({ active: true, last_status: "completed" });

    const stopped = await schedule.DELETE(jsonRequest("DELETE", "/"), params({ id }));
    expect(await stopped.json()).toMatchObject({ active: false, every_seconds: null });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await listRuns(id)).toHaveLength(2);
  });

  it("runs on paper: each scheduled run continues the workflow's paper account; live is never scheduled", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const id = await saved(
      [
        block("price", "binance", "providers", { data_source: "simulated" }),
        block("check", "threshold", "conditions", { min: 0 }),
        block("buy", "buy", "actions", { venue: "binance", symbol: "BTCUSDT", amount: 0.01 }),
      ],
      [
        { from: { blockId: "price", index: 0 }, to: { blockId: "check", index: 0 } },
        { from: { blockId: "check", index: 0 }, to: { blockId: "buy", index: 0 } },
      ],
    );
    const live = await put(id, { every_seconds: 5, mode: "live" });
    expect(live.status).toBe(400);
    expect(JSON.stringify(await live.json())).toContain("live trading is never scheduled");
    expect(await (await put(id, { every_seconds: 5, mode: "paper" })).json()).toMatchObject({ active: true, mode: "paper" });
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(async () => expect(await listRuns(id)).toHaveLength(1), { timeout: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(async () => expect(await listRuns(id)).toHaveLength(2), { timeout: 5_000 });
    await schedule.DELETE(jsonRequest("DELETE", "/"), params({ id }));
    expect((await listRuns(id)).map((r) => r.mode)).toEqual(["paper", "paper"]);
    const account = await loadPaperAccount(id);
    expect(Object.values(account.orders).map((o) => o.status)).toEqual(["filled", "filled"]);
    expect(account.positions["binance:BTCUSDT"]?.quantity).toBeCloseTo(0.02, 8);
  });

  it("skips a tick while the previous run is still going, instead of piling runs up", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
    const id = await saved([block("wait", "delay", "values", { ms: 12_000 })]);
    await put(id, { every_seconds: 5 });
    await vi.advanceTimersByTimeAsync(5_000); // run 1 starts, waits 12 s
    await vi.advanceTimersByTimeAsync(5_000); // tick while running: skipped
    expect(await state(id)).toMatchObject({ running: true, skipped_ticks: 1 });
    await vi.advanceTimersByTimeAsync(3_000); // run 1 ends
    await vi.waitFor(async () => expect((await state(id)).running).toBe(false), { timeout: 5_000 });
    expect(await listRuns(id)).toHaveLength(1);
    await put(id, { every_seconds: null });
  });

  it.each([
    [{ every_seconds: 1 }, "every_seconds must be at least 5 seconds"],
    [{ every_seconds: 2.5 }, "every_seconds must be a whole number of seconds"],
    [{ every_seconds: "often" }, "every_seconds must be a number of seconds, or null to stop"],
    [{}, "every_seconds"],
  ])("refuses %j with a clear 400", async (body, message) => {
    const id = await saved([block("k", "constant", "values")]);
    const res = await put(id, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it("404s for a workflow that does not exist", async () => {
    expect((await put("nope", { every_seconds: 10 })).status).toBe(404);
    expect((await schedule.GET(jsonRequest("GET", "/"), params({ id: "nope" }))).status).toBe(404);
  });
});
