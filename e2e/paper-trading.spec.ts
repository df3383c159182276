import { expect, test } from "@playwright/test";
import { buildStrategy, inspector, openEditor, resultsDialog, runSummary, selectNode, setProperty, toolbarButton } from "./helpers";
import { RECORDED_TOKEN } from "./mock-venues";

/**
 * Paper trading on venue data: the app's Polymarket client reads the mock venue (e2e/mock-venues.ts,
 * recorded CLOB responses), the Buy fills on the workflow's paper account, and a second run continues
 * the same account.
 */
test("the price-threshold strategy runs in paper mode on the venue's book and updates the paper account", async ({ page }) => {
  await openEditor(page);
  const ids = await buildStrategy(page, "0.1");
  // Point the provider and the Buy at the recorded Polymarket outcome token.
  await selectNode(page, ids.provider);
  await setProperty(page, "Token id or slug:YES", RECORDED_TOKEN);
  await selectNode(page, ids.buy);
  await setProperty(page, "Market", RECORDED_TOKEN);

  await page.getByRole("combobox", { name: "Run mode" }).selectOption("paper");
  await toolbarButton(page, "▶ Run Workflow").click();
  // A paper run saves the workflow first: the paper account belongs to the saved workflow.
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v1");

  const dialog = resultsDialog(page);
  await expect(runSummary(page)).toHaveAttribute("data-phase", "completed");
  await expect(dialog.getByTestId("run-mode")).toHaveText("paper");
  await expect(runSummary(page)).toContainText("live venue data, this workflow's paper account");
  // The price is the venue's midpoint, 0.1515 in the recorded response.
  const providerRow = dialog.getByTestId(`result-${ids.provider}`);
  await expect(providerRow).toContainText("0.1515");
  // The Buy filled 10 shares on paper at the recorded book's best ask, 0.995: ccxt's recording keeps the
  // first five entries of each side, and Polymarket lists the best prices last, so only the outer levels
  // are in it (the venue's midpoint, 0.1515, is from its own recording).
  const buyRow = dialog.getByTestId(`result-${ids.buy}`);
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/paper-results.png` });
  await expect(buyRow).toContainText('"status": "filled"');
  await expect(buyRow).toContainText('"broker": "paper"');
  await expect(buyRow).toContainText('"averagePrice": 0.995');

  await dialog.getByRole("button", { name: "Paper account" }).click();
  const account = page.getByRole("dialog", { name: "Paper account" });
  await expect(account.getByTestId("paper-balance-polymarket")).toContainText("9,990.05 USDC");
  await expect(account.getByTestId("paper-order")).toHaveCount(1);
  await expect(account.getByTestId("paper-order").first()).toContainText("filled");
  await expect(account.getByRole("table", { name: "Paper positions" })).toContainText("10");
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/paper-account.png` });
  await account.getByRole("button", { name: "Close" }).last().click();

  // A second paper run continues the same account.
  await toolbarButton(page, "▶ Run Workflow").click();
  await expect(runSummary(page)).toHaveAttribute("data-phase", "completed");
  await resultsDialog(page).getByRole("button", { name: "Paper account" }).click();
  await expect(account.getByTestId("paper-balance-polymarket")).toContainText("9,980.1 USDC");
  await expect(account.getByTestId("paper-order")).toHaveCount(2);
  await expect(inspector(page)).toBeVisible();
});

test("a market the venue does not know is a clear error on its node, and nothing is bought", async ({ page }) => {
  await openEditor(page);
  const ids = await buildStrategy(page, "0.1");
  await selectNode(page, ids.provider);
  await setProperty(page, "Token id or slug:YES", "123456789");
  await page.getByRole("combobox", { name: "Run mode" }).selectOption("paper");
  await toolbarButton(page, "▶ Run Workflow").click();
  const dialog = resultsDialog(page);
  await expect(runSummary(page)).toHaveAttribute("data-phase", "failed");
  await expect(dialog.getByTestId(`result-${ids.provider}`)).toContainText('market "123456789" does not exist on Polymarket');
  await expect(dialog.getByTestId(`result-${ids.buy}`)).toContainText("skipped");
});
