import { expect, test } from "@playwright/test";

test("the home page loads and lists the node catalog from the server", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Strategy Canvas", level: 1 })).toBeVisible();
  const catalog = page.getByRole("region", { name: /Node catalog/ });
  await expect(catalog).toContainText("Polymarket");
  await expect(catalog).toContainText("Threshold");
  await expect(catalog).toContainText("Kill switch");
});
