import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
/** The mock venue (e2e/mock-venues.ts) the app's Polymarket client is pointed at: no test reaches the internet. */
const VENUE_PORT = Number(process.env.E2E_VENUE_PORT ?? PORT + 9);
const VENUE = `http://127.0.0.1:${VENUE_PORT}`;
const chromium = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

/**
 * E2E tests drive the production build (`npm start`: migrate, build if needed, `next start`) on its own
 * port and a throwaway database, in Debian's Chromium: Playwright's own browser download is not
 * reachable on these machines.
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      ...(chromium ? { executablePath: chromium } : {}),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: [
    {
      command: `npx tsx e2e/mock-venues.ts ${VENUE_PORT}`,
      url: `${VENUE}/health`,
      timeout: 60_000,
      reuseExistingServer: !process.env.CI,
      stdout: "pipe",
      stderr: "pipe",
    },
    {
      command: "rm -rf .e2e && node scripts/start.mjs",
      url: `http://127.0.0.1:${PORT}/api/nodes`,
      timeout: 300_000,
      reuseExistingServer: !process.env.CI,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORT: String(PORT),
        HOST: "127.0.0.1",
        DATABASE_URL: "file:./.e2e/e2e.db",
        APP_SECRET_KEY: "",
        NEXT_TELEMETRY_DISABLED: "1",
        POLYMARKET_CLOB_URL: `${VENUE}/polymarket-clob`,
        POLYMARKET_GAMMA_URL: `${VENUE}/polymarket-gamma`,
        POLYMARKET_DATA_URL: `${VENUE}/polymarket-data`,
        BINANCE_BASE_URL: `${VENUE}/binance`,
        BINANCE_FUTURES_BASE_URL: `${VENUE}/binance-futures`,
        KALSHI_BASE_URL: `${VENUE}/kalshi/trade-api/v2`,
      },
    },
  ],
});
