import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest, params } from "@/test/http";
import { barsToCsv } from "@/lib/backtest/csv";
import { fixtureBars } from "@/test/bars";
import { STAT_NAMES, type BacktestRecord, type BacktestSummary, type DatasetSummary } from "@/lib/backtest/types";
import * as backtests from "./route";
import * as backtestById from "./[id]/route";
import * as datasets from "../datasets/route";
import * as datasetById from "../datasets/[id]/route";
import * as workflows from "../workflows/route";
import * as workflowBacktests from "../workflows/[id]/backtests/route";

beforeAll(() => {
  useThrowawayDatabase();
});

const bars = fixtureBars("btcusdt-1m-1440.json");
const csv = barsToCsv(bars);
const template = JSON.parse(readFileSync(path.join(__dirname, "../../../lib/templates/ema-cross.json"), "utf8")) as { workflow: unknown };

const post = (body: unknown, headers: Record<string, string> = {}) => backtests.POST(jsonRequest("POST", "/api/backtests", body, headers), undefined);

async function upload(name = "BTC 2021-01-03"): Promise<DatasetSummary> {
  const res = await datasets.POST(jsonRequest("POST", "/api/datasets", { name, csv }), undefined);
  expect(res.status).toBe(201);
  return (await res.json()) as DatasetSummary;
}

describe("/api/datasets", () => {
  it("stores a CSV, lists it, reads it and deletes it", async () => {
    const ds = await upload();
    expect(ds).toMatchObject({ name: "BTC 2021-01-03", bars: 1440, interval: "1m", from: "2021-01-03T00:00:00.000Z", to: "2021-01-03T23:59:00.000Z" });
    const list = (await (await datasets.GET(jsonRequest("GET", "/api/datasets"), undefined)).json()) as DatasetSummary[];
    expect(list.map((d) => d.id)).toContain(ds.id);
    const got = await datasetById.GET(jsonRequest("GET", `/api/datasets/${ds.id}`), params({ id: ds.id }));
    expect(((await got.json()) as DatasetSummary).bars).toBe(1440);
    expect((await datasetById.DELETE(jsonRequest("DELETE", `/api/datasets/${ds.id}`), params({ id: ds.id }))).status).toBe(204);
    expect((await datasetById.GET(jsonRequest("GET", `/api/datasets/${ds.id}`), params({ id: ds.id }))).status).toBe(404);
  });

  it("refuses a bad CSV naming the row and column, and stores nothing", async () => {
    const before = ((await (await datasets.GET(jsonRequest("GET", "/api/datasets"), undefined)).json()) as DatasetSummary[]).length;
    const bad = "time,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,0.4,0.5,1,10\n";
    const res = await datasets.POST(jsonRequest("POST", "/api/datasets", { name: "bad", csv: bad }), undefined);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; details: { row: number; column: string } };
    expect(body.error).toMatch(/row 3/);
    expect(body.details).toMatchObject({ row: 3 });
    const empty = await datasets.POST(jsonRequest("POST", "/api/datasets", { name: "empty", csv: "" }), undefined);
    expect(empty.status).toBe(400);
    const after = ((await (await datasets.GET(jsonRequest("GET", "/api/datasets"), undefined)).json()) as DatasetSummary[]).length;
    expect(after).toBe(before);
  });
});

describe("/api/backtests", () => {
  it("backtests a saved template on a dataset, stores it under the workflow and reads it back", async () => {
    const ds = await upload();
    const saved = (await (await workflows.POST(jsonRequest("POST", "/api/workflows", { name: "EMA cross", workflow: template.workflow }), undefined)).json()) as { id: string; version: number };
    const res = await post({ workflow_id: saved.id, data: { dataset_id: ds.id }, settings: { commission_pct: 0.1 } });
    expect(res.status).toBe(201);
    const record = (await res.json()) as BacktestRecord;
    expect(record).toMatchObject({ workflow_id: saved.id, version: saved.version, status: "completed", bars: 1440 });
    expect(Object.keys(record.stats)).toEqual([...STAT_NAMES]);
    expect(record.stats["# Trades"]).toBe(record.trades.length);
    expect(record.trades.length).toBeGreaterThan(0);
    // Every trade fills at a bar's open after the bar that decided it.
    for (const t of record.trades) {
      expect(t.entry_bar).toBeGreaterThan(record.warmup);
      expect(t.entry_price).toBe(bars.open[t.entry_bar]);
    }
    expect(record.equity[0]![1]).toBe(10_000);
    expect(record.stats["Equity Final [$]"]).toBeCloseTo(record.equity.at(-1)![1], 6);
    expect(record.data[0]).toMatchObject({ source: "dataset", bars: 1440, nodes: ["market"] });
    expect(record.price.bars).toHaveLength(1440);
    expect(record.indicators.map((i) => i.nodeId).sort()).toEqual(["fast", "slow"]);
    expect(record.node_versions).toMatchObject({ "actions/buy": 2, "indicators/ema": 1, "providers/binance": 1 });

    const got = (await (await backtestById.GET(jsonRequest("GET", `/api/backtests/${record.id}`), params({ id: record.id }))).json()) as BacktestRecord;
    expect(got.trades).toEqual(record.trades);
    expect(got.stats).toEqual(record.stats);
    const list = (await (await workflowBacktests.GET(jsonRequest("GET", `/api/workflows/${saved.id}/backtests`), params({ id: saved.id }))).json()) as BacktestSummary[];
    expect(list.map((b) => b.id)).toEqual([record.id]);
    expect(list[0]!.stats["Return [%]"]).toBe(record.stats["Return [%]"]);
  });

  it("runs offline on simulated data, the same seed giving the same result", async () => {
    const body = { workflow: template.workflow, data: { simulated: { seed: 7, interval: "1h", bars: 500, end: "2026-06-01T00:00:00Z" } } };
    const a = (await (await post(body)).json()) as BacktestRecord;
    const b = (await (await post(body)).json()) as BacktestRecord;
    expect(a.status).toBe("completed");
    expect(a.data[0]).toMatchObject({ source: "simulated", bars: 500, to: "2026-06-01T00:00:00.000Z" });
    expect(b.trades).toEqual(a.trades);
    expect(b.stats).toEqual(a.stats);
  });

  it("streams progress events, then the result", async () => {
    const res = await post({ workflow: template.workflow, data: { simulated: { seed: 3, interval: "1m", bars: 3000 } } }, { accept: "text/event-stream" });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) as Record<string, unknown> }));
    expect(events.at(-1)!.event).toBe("result");
    expect((events.at(-1)!.data as unknown as BacktestRecord).bars).toBe(3000);
    const progress = events.filter((e) => e.event === "progress");
    for (const p of progress) expect(p.data).toMatchObject({ bars_total: 3000 });
  });

  it("refuses bad requests with a 4xx that names the problem", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ workflow: { blocks: [{ id: "k", category: "values", type: "constant" }], connections: [] }, data: { simulated: { interval: "1h", bars: 10 } } }, 400, /no provider node/],
      [{ workflow: template.workflow, data: { dataset_id: "nope" } }, 404, /dataset "nope" does not exist/],
      [{ workflow_id: "nope", data: { dataset_id: "x" } }, 404, /workflow "nope" does not exist/],
      [{ workflow: template.workflow, data: { simulated: { interval: "1h", bars: 10 } }, settings: { cash: 0 } }, 400, /cash must be above 0/],
      [{ workflow: template.workflow, data: { simulated: { interval: "1h", bars: 10 } }, settings: { commission_pct: 100 } }, 400, /commission_pct must be below 100%/],
      [{ workflow: template.workflow, data: { simulated: { interval: "7h", bars: 10 } } }, 400, /data/],
      [{ data: { simulated: { interval: "1h", bars: 10 } } }, 400, /exactly one of workflow and workflow_id/],
      [{ workflow: template.workflow, data: { by_node: { ghost: { simulated: { interval: "1h", bars: 10 } } } } }, 400, /"ghost", which is not a provider node/],
      [{ workflow: template.workflow, data: { venue: "binance", symbol: "BTCUSDT", interval: "1h", from: "2024-02-01", to: "2024-01-01" } }, 400, /starts after it ends/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      const json = (await res.json()) as { error: string };
      expect({ status: res.status, error: json.error }).toEqual({ status, error: expect.stringMatching(message) });
    }
  });

  it("passes the look-ahead check on every template, on simulated data", async () => {
    const dir = path.join(__dirname, "../../../lib/templates");
    const names = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(names.length).toBe(11);
    for (const name of names) {
      const tpl = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as { workflow: { blocks: { category: string }[] } };
      if (!tpl.workflow.blocks.some((b) => b.category === "providers")) {
        // Delta Neutral reads only its positions: with no provider there is no market data to replay.
        const refused = await post({ workflow: tpl.workflow, data: { simulated: { interval: "1h", bars: 300 } } });
        expect({ name, status: refused.status }).toEqual({ name, status: 400 });
        continue;
      }
      const res = await post({ workflow: tpl.workflow, data: { simulated: { seed: 11, interval: "1h", bars: 300, end: "2026-03-01T00:00:00Z" } }, check: true });
      const record = (await res.json()) as BacktestRecord & { check: { lookahead: { passed: boolean; cuts: number; findings: unknown[] } } };
      expect({ name, status: res.status, findings: record.check?.lookahead.findings }).toEqual({ name, status: 201, findings: [] });
      expect(record.check.lookahead.cuts).toBeGreaterThan(0);
    }
  });

  it("refuses more bars than the limit", async () => {
    process.env.MAX_BACKTEST_BARS = "100";
    try {
      const res = await post({ workflow: template.workflow, data: { simulated: { interval: "1m", bars: 101 } } });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(/101 simulated bars are more than the limit of 100/);
    } finally {
      delete process.env.MAX_BACKTEST_BARS;
    }
  });
});
