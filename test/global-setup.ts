import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Builds one migrated SQLite database with `prisma migrate deploy`; test files copy it (test/db.ts).
 * Each Vitest run gets its own directory, so concurrent runs cannot pull the floor from under each other.
 */
export default function setup(project: TestProject) {
  mkdirSync(path.resolve(".tmp/vitest"), { recursive: true });
  const dir = mkdtempSync(path.resolve(".tmp/vitest/run-"));
  const template = path.join(dir, "template.db");
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${template}` },
    stdio: "pipe",
  });
  project.provide("templateDb", template);
}
