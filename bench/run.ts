/**
 * How much faster is the executor than the seed prototype's algorithm, and does its cost stay linear?
 *
 * Runs both, in this one process, on the same synthetic compute-only DAGs (math/compare/and nodes, about
 * two edges per node) and prints nodes per second and the ratio. Ours is timed from the raw document:
 * validated, sorted and executed. The seed's is O(N x E); at 100k nodes it would take many minutes, so
 * there it is projected from the 10k measurement (and marked as projected), not run.
 */
import { catalog } from "../lib/nodes";
import { SimulatedMarket } from "../lib/providers/simulated-market";
import { PaperBroker } from "../lib/providers/paper-broker";
import { executeWorkflow } from "../lib/workflow/executor";
import { validateWorkflow } from "../lib/workflow/validate";
import { syntheticDag } from "./dag";
import { SeedExecutor } from "./seed-baseline";

const now = Date.parse("2026-11-25T12:00:00Z");
const market = new SimulatedMarket({ now });
const services = { market, broker: new PaperBroker(market), notifier: { notify() {} } };

async function ours(doc: ReturnType<typeof syntheticDag>): Promise<number> {
  const t0 = performance.now();
  const compiled = validateWorkflow(doc, catalog);
  if (!compiled.ok) throw new Error(`synthetic DAG invalid: ${compiled.problems[0]?.message}`);
  const result = await executeWorkflow(compiled.workflow, { services, now: new Date(now) });
  const ms = performance.now() - t0;
  if (result.status !== "completed") throw new Error(`run ${result.status}: ${result.errors[0]?.message}`);
  return ms;
}

async function seed(doc: ReturnType<typeof syntheticDag>): Promise<number> {
  const copy = structuredClone(doc);
  const t0 = performance.now();
  const result = await new SeedExecutor(copy).execute();
  const ms = performance.now() - t0;
  if (result.status !== "completed") throw new Error("baseline run failed");
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main() {
  const sizes = [1_000, 10_000, 100_000];
  const rows: { n: number; edges: number; oursMs: number; seedMs: number; seedProjected: boolean }[] = [];
  let seedPerPair = 0; // seed cost per (node x connection), measured at 10k, used to project 100k
  for (const n of sizes) {
    const doc = syntheticDag(n);
    const edges = doc.connections.length;
    await ours(doc); // warm-up
    const oursRuns: number[] = [];
    for (let i = 0; i < (n >= 100_000 ? 3 : 7); i++) oursRuns.push(await ours(doc));
    let seedMs: number;
    let projected = false;
    if (n <= 10_000) {
      const seedRuns: number[] = [];
      for (let i = 0; i < (n >= 10_000 ? 2 : 5); i++) seedRuns.push(await seed(doc));
      seedMs = median(seedRuns);
      seedPerPair = seedMs / (n * edges);
    } else {
      seedMs = seedPerPair * n * edges;
      projected = true;
    }
    rows.push({ n, edges, oursMs: median(oursRuns), seedMs, seedProjected: projected });
  }

  console.log("Executor vs the seed's algorithm (median wall time; ours = validate + sort + execute)");
  console.log("nodes     edges     ours ms   ours nodes/s   seed ms        seed nodes/s   speed-up");
  for (const r of rows) {
    const seedCell = `${fmt(r.seedMs)}${r.seedProjected ? " (proj.)" : ""}`;
    console.log(
      `${fmt(r.n).padEnd(9)} ${fmt(r.edges).padEnd(9)} ${r.oursMs.toFixed(1).padEnd(9)} ${fmt((r.n / r.oursMs) * 1000).padEnd(14)} ${seedCell.padEnd(14)} ${fmt((r.n / r.seedMs) * 1000).padEnd(14)} ${(r.seedMs / r.oursMs).toFixed(0)}x`,
    );
  }
  const per = rows.map((r) => (r.oursMs / (r.n + r.edges)) * 1e6);
  console.log(`\nours, ns per (node + edge): ${per.map((p) => p.toFixed(0)).join(" / ")} at ${rows.map((r) => fmt(r.n)).join(" / ")} nodes (flat = linear)`);
  const tenK = rows.find((r) => r.n === 10_000)!;
  console.log(`10k-node DAG validated, sorted and executed in ${tenK.oursMs.toFixed(1)} ms (target < 50 ms)`);
}

void main();
