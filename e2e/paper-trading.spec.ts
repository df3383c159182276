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

test("live trading cannot start by accident: Run LIVE asks to arm, and arming needs a live-capable profile and the venue typed", async ({ page, request }) => {
  await openEditor(page);
  const ids = await buildStrategy(page, "0.1");
  await page.getByRole("combobox", { name: "Run mode" }).selectOption("live");
  // An unsaved workflow is never run live, and is not saved on the user's behalf.
  await toolbarButton(page, "▶ Run LIVE").click();
  await expect(page.getByTestId("notice")).toContainText("Save the workflow first");
  await expect(resultsDialog(page)).toHaveCount(0);

  // Saved, but no provider names a live-capable profile: the arm dialog says what is missing.
  await toolbarButton(page, "Save").click();
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v1");
  await toolbarButton(page, "▶ Run LIVE").click();
  const arm = page.getByRole("dialog", { name: "Arm live trading" });
  await expect(arm).toContainText("needs a provider node with a live-capable credential profile");
  await arm.getByRole("button", { name: "Close" }).click();
  await expect(resultsDialog(page)).toHaveCount(0);

  // With a live-capable profile picked on the provider, arming needs the venue's name typed.
  const profile = (await (await request.post("/api/credentials/profiles", { data: { name: "Desk", provider: "polymarket", credentials: { private_key: `0x${"11".repeat(32)}` }, live_capable: true } })).json()) as { id: string };
  await page.reload();
  await expect(page.getByTestId(`node-${ids.provider}`)).toBeVisible();
  await selectNode(page, ids.provider);
  await inspector(page).getByLabel("Credential profile").selectOption(profile.id);
  await toolbarButton(page, "Save").click();
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v2");
  await page.getByRole("combobox", { name: "Run mode" }).selectOption("live");
  await toolbarButton(page, "▶ Run LIVE").click();
  await expect(arm).toContainText("real orders with real money");
  const confirm = arm.getByRole("button", { name: "Arm live trading on polymarket" });
  await expect(confirm).toBeDisabled();
  await arm.getByLabel(/^Type polymarket to confirm/).fill("polymarke");
  await expect(confirm).toBeDisabled();
  await arm.getByLabel("Maximum order value").fill("25");
  await expect(arm).toContainText("with orders up to 25");
  await arm.getByRole("button", { name: "Close" }).click();
  // Nothing was armed.
  const workflowId = await page.evaluate(() => localStorage.getItem("strategy-canvas:last-workflow"));
  expect(await (await request.get(`/api/workflows/${workflowId}/arm`)).json()).toMatchObject({ armed: false });
});
