/**
 * Runs a benchmark the way production code runs: bundled by esbuild without tsx's keepNames wrapping (a
 * `__name()` call per closure created, which Next.js builds do not have), then executed by Node.
 * Usage: node scripts/bench.mjs bench/backtest.ts [args...]
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import path from "node:path";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/bench.mjs <bench file> [args...]");
  process.exit(2);
}
const outfile = path.join(".tmp", "bench", `${path.basename(entry, path.extname(entry))}.mjs`);
await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile, logLevel: "warning", sourcemap: "inline" });
const run = spawnSync(process.execPath, ["--enable-source-maps", outfile, ...args], { stdio: "inherit" });
process.exit(run.status ?? 1);
