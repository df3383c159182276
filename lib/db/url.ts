/** Default SQLite location, relative to the project root (the process's working directory). */
export const DEFAULT_DATABASE_URL = "file:./data/strategy-canvas.db";

/**
 * Normalises DATABASE_URL for the better-sqlite3 adapter: accepts `file:path`, `file://path`
 * or a bare path; returns a `file:` URL. Only SQLite files are supported.
 */
export function resolveDatabaseUrl(raw: string | undefined): string {
  const value = (raw ?? "").trim() || DEFAULT_DATABASE_URL;
  if (value === ":memory:") return value;
  if (value.startsWith("file://")) return `file:${value.slice("file://".length)}`;
  if (value.startsWith("file:")) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(`DATABASE_URL must point at a SQLite file (file:./data/app.db), got a ${value.split(":")[0]} URL`);
  }
  return `file:${value}`;
}

/** The filesystem path of a `file:` URL (query string dropped). */
export function databaseFilePath(url: string): string {
  return url.replace(/^file:/, "").split("?")[0] ?? "";
}
