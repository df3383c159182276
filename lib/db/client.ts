import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";
import { resolveDatabaseUrl } from "./url";

const holder = globalThis as typeof globalThis & { __strategyCanvasDb?: { url: string; client: PrismaClient } };

/** The Prisma client for DATABASE_URL (one per process and URL; reused across hot reloads). */
export function getDb(): PrismaClient {
  const url = resolveDatabaseUrl(process.env.DATABASE_URL);
  if (holder.__strategyCanvasDb?.url !== url) {
    void holder.__strategyCanvasDb?.client.$disconnect();
    holder.__strategyCanvasDb = { url, client: new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) }) };
  }
  return holder.__strategyCanvasDb.client;
}
