import { copyFileSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";

/**
 * Points DATABASE_URL at a fresh copy of the migrated template database, in its own directory (so the
 * generated credential key file is the test's own too). Call at the top of a test file.
 */
export function useThrowawayDatabase(): { dir: string; file: string } {
  const template = inject("templateDb");
  const dir = mkdtempSync(path.join(path.dirname(template), "db-"));
  const file = path.join(dir, "test.db");
  copyFileSync(template, file);
  process.env.DATABASE_URL = `file:${file}`;
  delete process.env.APP_SECRET_KEY;
  return { dir, file };
}
