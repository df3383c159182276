import { expect, test, type Page } from "@playwright/test";
import { inspector, openEditor, selectNode, toolbarButton } from "./helpers";

/** Every place a secret could show up in the browser: the markup, and the live value of every input. */
async function pageHolds(page: Page, secret: string): Promise<boolean> {
  const html = await page.content();
  const values = await page.evaluate(() => Array.from(document.querySelectorAll("input, textarea, select"), (el) => (el as HTMLInputElement).value));
  return html.includes(secret) || values.some((v) => v.includes(secret));
}

test("create a credential profile and delete it; its secrets never appear in the page or an API response", async ({ page }) => {
  const stamp = Date.now();
  const apiKey = `AKIA-e2e-${stamp}-key`;
  const apiSecret = `s3cr3t-e2e-${stamp}-never-shown`;
  const profileName = `Binance main ${stamp}`;

  await openEditor(page);
  await toolbarButton(page, "Credentials").click();
  const dialog = page.getByRole("dialog", { name: "Credentials" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Provider")).toHaveValue("binance");

  // A missing field is refused, and the message names the field without echoing what was typed.
  await dialog.getByLabel("Profile name").fill(profileName);
  await dialog.getByLabel("api_key").fill(apiKey);
  await dialog.getByRole("button", { name: "Save profile" }).click();
  await expect(dialog.getByRole("alert")).toContainText("invalid binance credentials");
  await expect(dialog.getByRole("alert")).toContainText("api_secret");
  await expect(dialog.getByRole("alert")).not.toContainText(apiKey);

  await dialog.getByLabel("api_secret").fill(apiSecret);
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/credentials/profiles") && r.request().method() === "POST"),
    dialog.getByRole("button", { name: "Save profile" }).click(),
  ]);
  expect(created.status()).toBe(201);
  const createdText = await created.text();
  expect(createdText).not.toContain(apiKey);
  expect(createdText).not.toContain(apiSecret);
  const profile = JSON.parse(createdText) as { id: string; fields: string[] };
  expect(profile.fields).toEqual(["api_key", "api_secret"]);

  const row = dialog.getByTestId(`profile-${profile.id}`);
  await expect(row).toContainText(profileName);
  await expect(row).toContainText("binance");
  await expect(row).toContainText("api_key: ••••••, api_secret: ••••••");
  // The form is cleared, and nothing on the page holds either secret.
  await expect(dialog.getByLabel("api_key")).toHaveValue("");
  await expect(dialog.getByLabel("api_secret")).toHaveValue("");
  await expect(dialog.getByLabel("Profile name")).toHaveValue("");
  expect(await pageHolds(page, apiKey)).toBe(false);
  expect(await pageHolds(page, apiSecret)).toBe(false);
  await page.screenshot({ path: ".tmp/credentials-dialog.png" });

  // The API lists the profile without its secrets.
  const listed = await page.request.get("/api/credentials/profiles");
  const listedText = await listed.text();
  expect(listedText).toContain(profile.id);
  expect(listedText).not.toContain(apiKey);
  expect(listedText).not.toContain(apiSecret);

  // A Binance node can use the profile, by name.
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toHaveCount(0);
  await page.getByTestId("palette-providers-binance").click();
  await selectNode(page, "binance_1");
  const select = inspector(page).getByLabel("Credential profile");
  await select.selectOption({ label: profileName });
  await expect(select).toHaveValue(profile.id);
  expect(await pageHolds(page, apiSecret)).toBe(false);

  // Delete it (confirming the browser's prompt).
  await toolbarButton(page, "Credentials").click();
  page.once("dialog", (d) => {
    expect(d.message()).toContain(profileName);
    void d.accept();
  });
  const [deleted] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/credentials/profiles/${profile.id}`) && r.request().method() === "DELETE"),
    row.getByRole("button", { name: "Delete" }).click(),
  ]);
  expect(deleted.status()).toBe(204);
  await expect(row).toHaveCount(0);
  const after = (await (await page.request.get("/api/credentials/profiles")).json()) as { id: string }[];
  expect(after.map((p) => p.id)).not.toContain(profile.id);
  expect(await pageHolds(page, apiKey)).toBe(false);
  expect(await pageHolds(page, apiSecret)).toBe(false);
});

test("dismissing the delete prompt keeps the profile", async ({ page }) => {
  const created = await page.request.post("/api/credentials/profiles", {
    data: { name: `Kalshi keep ${Date.now()}`, provider: "kalshi", credentials: { key_id: "kid-keep", private_key: "pk-keep" } },
  });
  const profile = (await created.json()) as { id: string };
  await openEditor(page);
  await toolbarButton(page, "Credentials").click();
  const row = page.getByRole("dialog", { name: "Credentials" }).getByTestId(`profile-${profile.id}`);
  await expect(row).toContainText("kalshi");
  await expect(row).toContainText("key_id: ••••••, private_key: ••••••");
  page.once("dialog", (d) => void d.dismiss());
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Credentials" }).getByRole("button", { name: "Close" }).click();
  await toolbarButton(page, "Credentials").click();
  await expect(row).toBeVisible();
  const list = (await (await page.request.get("/api/credentials/profiles")).json()) as { id: string }[];
  expect(list.map((p) => p.id)).toContain(profile.id);
});

test("a profile saved while the profile list is still loading shows up in the list", async ({ page }) => {
  // A slow first answer to the list (a cold server): the profile is saved before the list has arrived.
  let slowed = false;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/credentials/profiles", async (route) => {
    if (route.request().method() !== "GET" || slowed) return route.continue();
    slowed = true;
    const answer = await route.fetch();
    await released;
    await route.fulfill({ response: answer });
  });
  const name = `Slow list ${Date.now()}`;
  await openEditor(page);
  await toolbarButton(page, "Credentials").click();
  const dialog = page.getByRole("dialog", { name: "Credentials" });
  await dialog.getByLabel("Provider").selectOption("polymarket");
  await dialog.getByLabel("Profile name").fill(name);
  await dialog.getByLabel("private_key").fill("0xslow");
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/credentials/profiles") && r.request().method() === "POST"),
    dialog.getByRole("button", { name: "Save profile" }).click(),
  ]);
  expect(created.status()).toBe(201);
  release(); // the stale list (from before the save) arrives now
  await expect(dialog.getByRole("row").filter({ hasText: name })).toHaveCount(1);
  await expect(dialog.getByRole("row").filter({ hasText: name })).toContainText("polymarket");
});
