/**
 * npm run backtest -- --workflow FILE.json (--csv FILE | --venue V --symbol S --interval I --from D --to D
 *   | --simulated BARS [--seed N] [--interval I]) [--cash N] [--commission PCT] [--slippage BPS]
 *   [--fill next_open|close] [--check] [--json]
 *
 * Prints the statistics (or the whole report as JSON) and the engine's speed. FILE.json is a workflow
 * document in the seed format, bare, wrapped as { "workflow": ... } as the API takes it, or a file the
 * editor's Export wrote. Venue history goes through the candle store (DATABASE_URL), so a second run over
 * the same range sends no request.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseBarsCsv, CsvError } from "../lib/backtest/csv";
import { providerMarkets } from "../lib/backtest/plan";
import { buildReport } from "../lib/backtest/report";
import { DataSourceSchema, SettingsSchema, withDefaults } from "../lib/backtest/settings";
import { runChecks } from "../lib/backtest/checks";
import { STAT_NAMES } from "../lib/backtest/types";
import { compileWorkflow } from "../lib/runs/compile";
import { RunRefusal } from "../lib/runs/errors";
import { assembleBacktest, prepareBacktest, runEngine } from "../lib/server/backtest-service";

function fail(message: string): never {
  console.error(`backtest: ${message}`);
  process.exit(2);
}

function workflowOf(file: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (parsed && typeof parsed === "object" && "workflow" in parsed && !("blocks" in parsed)) return (parsed as { workflow: unknown }).workflow;
  return parsed;
}

function number(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`${what} must be a number, got "${value}"`);
  return n;
}

function format(value: number | string | null): string {
  if (value === null) return "n/a";
  if (typeof value === "string") return value;
  return Math.abs(value) >= 1000 ? value.toFixed(2) : Number(value.toPrecision(6)).toString();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workflow: { type: "string" },
      csv: { type: "string" },
      venue: { type: "string" },
      symbol: { type: "string" },
      interval: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      simulated: { type: "string" },
      seed: { type: "string" },
      cash: { type: "string" },
      commission: { type: "string" },
      slippage: { type: "string" },
      fill: { type: "string" },
      check: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.workflow) fail("--workflow FILE.json is required");
  const settingsParse = SettingsSchema.safeParse({
    ...(values.cash !== undefined ? { cash: number(values.cash, "--cash") } : {}),
    ...(values.commission !== undefined ? { commission_pct: number(values.commission, "--commission") } : {}),
    ...(values.slippage !== undefined ? { slippage_bps: number(values.slippage, "--slippage") } : {}),
    ...(values.fill !== undefined ? { fill: values.fill } : {}),
  });
  if (!settingsParse.success) fail(settingsParse.error.issues.map((i) => i.message).join("; "));
  const settings = withDefaults(settingsParse.data);
  const workflow = compileWorkflow(workflowOf(values.workflow));

  let prepared;
  if (values.csv) {
    let parsed;
    try {
      parsed = parseBarsCsv(readFileSync(values.csv, "utf8"), { maxBytes: 2 ** 31 });
    } catch (error) {
      if (error instanceof CsvError) fail(`${values.csv}: ${error.message}`);
      throw error;
    }
    const readers = providerMarkets(workflow);
    if (readers.length === 0) fail("the workflow has no provider node: a backtest replays the market data a provider node reads");
    const b = parsed.bars;
    prepared = assembleBacktest(
      workflow,
      [
        {
          readers,
          bars: b,
          kind: "dataset",
          summary: { source: "dataset", label: values.csv, nodes: readers.map((r) => r.nodeId), interval: parsed.interval, bars: b.length, from: new Date(b.time[0]!).toISOString(), to: new Date(b.time[b.length - 1]!).toISOString(), gaps: [], duplicates: 0 },
        },
      ],
      settings,
    );
  } else {
    const source = values.simulated
      ? { simulated: { bars: number(values.simulated, "--simulated"), interval: values.interval ?? "1h", ...(values.seed ? { seed: number(values.seed, "--seed") } : {}) } }
      : { venue: values.venue, symbol: values.symbol, interval: values.interval, from: values.from, to: values.to };
    const data = DataSourceSchema.safeParse(source);
    if (!data.success) fail(`give --csv FILE, --simulated BARS, or --venue V --symbol S --interval I --from D --to D (${data.error.issues.map((i) => i.message).join("; ")})`);
    prepared = await prepareBacktest(workflow, data.data, settings);
  }

  const { output, path, reason } = await runEngine(prepared.input);
  const barsPerSecond = output.seconds > 0 ? Math.round(output.barsDone / output.seconds) : 0;
  const report = buildReport(prepared.input, output, { path, ...(reason ? { reason } : {}), bars_per_second: barsPerSecond }, prepared.notes);
  const check = values.check ? await runChecks(prepared.input, output, {}, async (i, h) => (await runEngine(i, h)).output) : undefined;

  if (values.json) {
    console.log(JSON.stringify({ data: prepared.summaries, settings, ...report, ...(check ? { check } : {}) }));
  } else {
    for (const d of prepared.summaries) console.log(`data: ${d.label}, ${d.bars} bars of ${d.interval}, ${d.from} to ${d.to}`);
    const width = Math.max(...STAT_NAMES.map((n) => n.length));
    for (const name of STAT_NAMES) console.log(`${name.padEnd(width)}  ${format(report.stats[name])}`);
    for (const note of report.notes) console.log(`note: ${note}`);
    if (check) {
      console.log(`look-ahead check: ${check.lookahead.passed ? "passed" : "FAILED"} (${check.lookahead.cuts} cuts)`);
      for (const f of check.lookahead.findings) console.log(`  ${f.message}`);
      console.log(`history check: ${check.history.passed ? "passed" : "indicators depend on the candles loaded"}`);
      for (const f of check.history.findings) console.log(`  ${f.label}: up to ${format(f.max_difference)} apart with ${f.compared_with} candles instead of ${f.candles}`);
    }
  }
  console.error(`${report.engine.path} path: ${barsPerSecond} bars/s${reason ? ` (${reason})` : ""}`);
}

main().catch((error: unknown) => {
  if (error instanceof RunRefusal) fail(error.message);
  console.error(error);
  process.exit(1);
});
