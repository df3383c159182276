import { expect, test } from "@playwright/test";

const NAMES = [
  "Cross Exchange Arbitrage", "Funding Rate Arbitrage", "Grid Trading", "RSI Mean Reversion", "MACD Crossover",
  "Bollinger Bands", "EMA Cross", "Volume Spike", "Support/Resistance", "Delta Neutral", "Market Making",
];

test("a first-time user is offered the gallery: eleven cards, each with a preview drawn from its graph", async ({ page }) => {
  // Other specs save workflows into this run's database; a first visit is one that finds none.
  await page.route("**/api/workflows", (route) => (route.request().method() === "GET" ? route.fulfill({ json: [] }) : route.continue()));
  await page.goto("/");
  const gallery = page.getByRole("dialog", { name: "Templates" });
  await expect(gallery).toBeVisible();
  await expect(gallery.getByRole("article")).toHaveCount(11);
  for (const name of NAMES) {
    const card = gallery.getByRole("article", { name, exact: true });
    await expect(card.getByRole("heading", { name, exact: true })).toBeVisible();
    const preview = card.getByRole("img", { name: `Preview of ${name}` });
    await expect(preview).toBeVisible();
    // The preview is drawn from the template: one box per block.
    expect(await preview.locator("g").count()).toBeGreaterThanOrEqual(4);
  }
});

for (const name of NAMES) {
  test(`${name}: loads from the gallery and every node succeeds when run`, async ({ page }) => {
    await page.addInitScript(() => localStorage.setItem("strategy-canvas:gallery-offered", "1"));
    await page.goto("/");
    await page.getByRole("button", { name: "Templates" }).click();
    const gallery = page.getByRole("dialog", { name: "Templates" });
    await gallery.getByRole("article", { name, exact: true }).getByRole("button", { name: "Use template" }).click();
    await expect(gallery).toBeHidden();
    await expect(page.getByLabel("Workflow name")).toHaveValue(name);
    await expect(page.getByTestId("save-state")).toHaveText("● Unsaved");
    const nodes = page.locator(".react-flow__node");
    const count = await nodes.count();
    expect(count).toBeGreaterThanOrEqual(4);

    await page.getByRole("button", { name: "▶ Run Workflow" }).click();
    const modal = page.getByRole("dialog", { name: "Execution results" });
    await expect(modal.getByTestId("run-summary")).toHaveAttribute("data-phase", "completed");
    await expect(modal.locator("tbody tr")).toHaveCount(count);
    await expect(modal.locator('tbody tr[data-status="succeeded"]')).toHaveCount(count);
    await modal.getByRole("button", { name: "Close" }).last().click();
    await expect(page.locator('.react-flow__node [data-status="succeeded"]')).toHaveCount(count);
  });
}
