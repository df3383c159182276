#!/usr/bin/env node
// `npm start`: prepare the database, build if the sources changed, then serve the app.
// 1. generate the Prisma client; 2. create and migrate the SQLite database (prisma migrate deploy);
// 3. `next build` when there is no build or the sources differ from the last one; 4. `next start`.
import { spawnSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
env.DATABASE_URL = env.DATABASE_URL?.trim() || "file:./data/strategy-canvas.db";
const host = env.HOST || "127.0.0.1";
const port = env.PORT || "3000";
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`\nstrategy-canvas: ${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

const dbPath = env.DATABASE_URL.replace(/^file:(\/\/)?/, "").split("?")[0];
if (dbPath && dbPath !== ":memory:") mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });

run(bin("prisma"), ["generate"], "generating the Prisma client");
run(bin("prisma"), ["migrate", "deploy"], "migrating the database");

// A fingerprint of everything the build depends on; a build is reused only while it matches.
function fingerprint() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith(".test.ts") && !entry.name.endsWith(".test.tsx")) {
        const s = statSync(full);
        hash.update(`${full}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  ["app", "components", "lib", "public"].forEach(walk);
  for (const f of ["package-lock.json", "next.config.js", "tsconfig.json", "prisma/schema.prisma"]) if (existsSync(f)) hash.update(readFileSync(f));
  return hash.digest("hex");
}

const stampFile = path.join(".next", "source-stamp");
const stamp = fingerprint();
const built = existsSync(path.join(".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
if (!built || env.FORCE_BUILD === "1") {
  run(bin("next"), ["build"], "building the app");
  writeFileSync(stampFile, stamp);
}

console.log(`strategy-canvas: serving on http://${host}:${port} (database ${env.DATABASE_URL})`);
const server = spawn(bin("next"), ["start", "-H", host, "-p", port], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.kill(sig));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
