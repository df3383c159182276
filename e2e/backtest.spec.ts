import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { openEditor, save, toolbarButton } from "./helpers";

/** BTC/USDT 1m candles of 2021-01-03 (test/fixtures/candles/btcusdt-1m-1440.json as CSV). */
const CSV = path.join(__dirname, "fixtures", "btcusdt-1m-2021-01-03.csv");
const DATASET = "btcusdt-1m-2021-01-03";

const backtestPanel = (page: Page) => page.getByRole("dialog", { name: "Backtest" });

/** Records every phase the progress block goes through, so a run too quick to watch is still seen running. */
async function watchPhases(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __phases: string[] }).__phases = seen;
    const note = () => {
      const phase = document.querySelector('[data-testid="backtest-progress"]')?.getAttribute("data-phase");
      if (phase && seen[seen.length - 1] !== phase) seen.push(phase);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-phase"] });
  });
  return () => page.evaluate(() => (window as unknown as { __phases: string[] }).__phases);
}

async function statNumber(panel: Locator, name: string): Promise<number> {
  const text = (await panel.getByTestId(`stat-${name}`).locator("dd").textContent()) ?? "";
  return Number(text.replace(/[^\d.-]/g, ""));
}

test("uploads a CSV, backtests a template, sees the progress bar, the statistics, the equity chart and the trade markers, and reopens it from the saved list", async ({ page }) => {
  await openEditor(page);
  await toolbarButton(page, "Templates").click();
  const gallery = page.getByRole("dialog", { name: "Templates" });
  await gallery.getByRole("article", { name: "EMA Cross", exact: true }).getByRole("button", { name: "Use template" }).click();
  await expect(gallery).toBeHidden();
  await save(page);

  await toolbarButton(page, "Backtest").click();
  const panel = backtestPanel(page);
  await expect(panel.getByTestId("backtest-target")).toContainText("saved version 1");
  await expect(panel.getByRole("link", { name: "TradingView Lightweight Charts™" })).toHaveAttribute("href", "https://www.tradingview.com/");

  // The data: a CSV uploaded in the panel, chosen once stored.
  await panel.getByRole("radiogroup", { name: "Data source" }).getByText("Dataset", { exact: true }).click();
  await panel.getByLabel("Upload CSV").setInputFiles(CSV);
  const dataset = panel.getByRole("list", { name: "Datasets" }).getByRole("listitem").filter({ hasText: DATASET });
  await expect(dataset).toContainText("1,440 bars · 1m · 2021-01-03 00:00 → 2021-01-03 23:59");
  await expect(dataset.getByRole("radio")).toBeChecked();
  await panel.getByLabel("Commission %").fill("0.1");

  const phases = await watchPhases(page);
  await panel.getByRole("button", { name: "▶ Run backtest" }).click();
  const progress = panel.getByRole("progressbar", { name: "Backtest progress" });
  await expect(progress).toBeVisible();
  await expect(panel.getByTestId("backtest-progress")).toHaveAttribute("data-phase", "completed", { timeout: 30_000 });
  await expect(progress).toHaveAttribute("aria-valuenow", "1440");
  await expect(panel.getByTestId("progress-counts")).toContainText("1,440 / 1,440 bars");
  expect(await phases()).toEqual(["running", "completed"]);

  // The report: statistics by backtesting.py's names, the equity chart, the trades marked on the candles.
  const report = panel.getByTestId("backtest-report");
  await expect(report).toBeVisible();
  for (const name of ["Return [%]", "Buy & Hold Return [%]", "Max. Drawdown [%]", "Sharpe Ratio", "# Trades"]) {
    await expect(report.getByTestId(`stat-${name}`)).toContainText(name);
  }
  await expect(report.getByTestId("stat-Return [%]").locator("dd")).toHaveText(/^[+-]?\d+\.\d\d %$/);
  const trades = await statNumber(report, "# Trades");
  expect(trades).toBeGreaterThan(0);
  await expect(panel.getByTestId("progress-counts")).toContainText(`${trades} trade`);
  const allStats = report.getByRole("table", { name: "All statistics" });
  await expect(allStats.getByRole("row", { name: /^Avg\. Trade Duration/ })).toHaveText(/(\d+ (d|h|min))$/);

  const equity = report.getByTestId("equity-chart");
  await expect(equity.locator("canvas").first()).toBeVisible();
  await expect(equity.getByRole("link")).toHaveAttribute("href", /tradingview\.com/);
  const price = report.getByTestId("price-chart");
  await expect(price.locator("canvas").first()).toBeVisible();
  await expect(price).toHaveAttribute("data-markers", String(trades * 2));
  await expect(price).toHaveAttribute("data-indicators", "2");

  const rows = report.getByRole("table", { name: "Trades" }).getByTestId("trade-row");
  await expect(rows).toHaveCount(trades);
  await rows.first().click();
  await expect(rows.first()).toHaveAttribute("aria-selected", "true");
  await expect(price).toHaveAttribute("data-selected-trade", "0");
  await expect(report.getByRole("table", { name: "Monthly returns" })).toContainText("2021");

  const savedList = panel.getByRole("region", { name: "Saved backtests" });
  await expect(savedList.getByTestId("saved-backtest")).toHaveCount(1);
  const id = await report.getAttribute("data-backtest-id");
  const returnText = await report.getByTestId("stat-Return [%]").locator("dd").textContent();

  // Closed and opened again, the panel lists the backtest; opening it shows the same report.
  await panel.getByRole("button", { name: "Close" }).last().click();
  await expect(panel).toBeHidden();
  await toolbarButton(page, "Backtest").click();
  await expect(panel.getByText("No report open")).toBeVisible();
  await savedList.getByTestId("saved-backtest").getByRole("button", { name: /^Open backtest of/ }).click();
  await expect(report).toHaveAttribute("data-backtest-id", id!);
  await expect(report.getByTestId("stat-Return [%]").locator("dd")).toHaveText(returnText!);
  await expect(report.getByTestId("price-chart")).toHaveAttribute("data-markers", String(trades * 2));

  // A second run, filling at the close and checked for look-ahead; then the two side by side.
  await panel.getByRole("radiogroup", { name: "Data source" }).getByText("Dataset", { exact: true }).click();
  await panel.getByRole("list", { name: "Datasets" }).getByRole("listitem").filter({ hasText: DATASET }).first().getByRole("radio").check();
  await panel.getByLabel("Fill timing").selectOption("close");
  await panel.getByRole("button", { name: "Check for look-ahead" }).click();
  await expect(panel.getByTestId("backtest-progress")).toHaveAttribute("data-phase", "completed", { timeout: 45_000 });
  await expect(report).not.toHaveAttribute("data-backtest-id", id!);
  await expect(report.getByTestId("lookahead-check")).toBeVisible();
  await expect(report.getByTestId("lookahead-check")).toContainText("Look-ahead");
  await expect(savedList.getByTestId("saved-backtest")).toHaveCount(2);
  for (const box of await savedList.getByRole("checkbox").all()) await box.check();
  await savedList.getByRole("button", { name: "Compare (2/2)" }).click();
  const compare = panel.getByTestId("backtest-compare");
  await expect(compare.getByTestId("compare-chart").locator("canvas").first()).toBeVisible();
  await expect(compare.getByRole("table", { name: "Statistics side by side" }).getByRole("row", { name: /^# Trades/ })).toBeVisible();
});

test("a bad CSV is refused with its row and column, and a dataset can be deleted", async ({ page }) => {
  await openEditor(page);
  await toolbarButton(page, "Backtest").click();
  const panel = backtestPanel(page);
  await panel.getByRole("radiogroup", { name: "Data source" }).getByText("Dataset", { exact: true }).click();
  await panel.getByLabel("Upload CSV").setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from("time,open,high,low,close\n2021-01-03T00:00:00Z,1,2,0.5,1.5\n2021-01-03T00:01:00Z,1,abc,0.5,1.5\n") });
  await expect(panel.getByRole("alert")).toContainText('row 3, column "high"');

  await panel.getByLabel("Upload CSV").setInputFiles({ name: "to-delete.csv", mimeType: "text/csv", buffer: Buffer.from("time,open,high,low,close\n2021-01-03T00:00:00Z,1,2,0.5,1.5\n2021-01-03T00:01:00Z,1.5,2,1,1.2\n") });
  const item = panel.getByRole("list", { name: "Datasets" }).getByRole("listitem").filter({ hasText: "to-delete" });
  await expect(item.getByRole("radio")).toBeChecked();
  page.once("dialog", (d) => void d.accept());
  await item.getByRole("button", { name: "Delete dataset to-delete" }).click();
  await expect(item).toHaveCount(0);
});

test("Stop ends a running backtest; it is kept as cancelled with the bars it covered", async ({ page }) => {
  await openEditor(page);
  await toolbarButton(page, "Templates").click();
  const gallery = page.getByRole("dialog", { name: "Templates" });
  await gallery.getByRole("article", { name: "RSI Mean Reversion", exact: true }).getByRole("button", { name: "Use template" }).click();
  await save(page);
  await toolbarButton(page, "Backtest").click();
  const panel = backtestPanel(page);
  await panel.getByRole("radiogroup", { name: "Data source" }).getByText("Simulated", { exact: true }).click();
  await panel.getByLabel("Interval").selectOption("1m");
  await panel.getByLabel("Bars").fill("1000000");
  await panel.getByRole("button", { name: "▶ Run backtest" }).click();
  await expect(panel.getByTestId("progress-counts")).toContainText("/ 1,000,000 bars", { timeout: 30_000 });
  await panel.getByRole("button", { name: "Stop" }).click();
  await expect(panel.getByTestId("backtest-progress")).toHaveAttribute("data-phase", "stopped");
  await expect(panel.getByRole("button", { name: "▶ Run backtest" })).toBeEnabled();
  const saved = panel.getByRole("region", { name: "Saved backtests" }).getByTestId("saved-backtest");
  await expect(saved).toHaveCount(1, { timeout: 10_000 });
  await expect(saved).toContainText("cancelled");
  await saved.getByRole("button", { name: /^Open backtest of/ }).click();
  const report = panel.getByTestId("backtest-report");
  await expect(report.getByRole("heading", { level: 3 }).first()).toContainText("cancelled");
  await expect(report.getByRole("listitem").filter({ hasText: /^Stopped after \d+ of 1000000 bars/ })).toHaveCount(1);
});
