import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { buildStrategy, clearSelection, edge, edges, inspector, node, nodes, openEditor, save, selectNode, toolbarButton } from "./helpers";

const fixture = (name: string) => path.join(__dirname, "fixtures", name);

test("export, then import the file into a new workflow: the same graph, in the seed format, without secrets", async ({ page }) => {
  // A credential profile, so the exported provider refers to one.
  const secret = `pk-export-${Date.now()}-do-not-leak`;
  const created = await page.request.post("/api/credentials/profiles", { data: { name: "Export test wallet", provider: "polymarket", credentials: { private_key: secret } } });
  expect(created.status()).toBe(201);
  const profile = (await created.json()) as { id: string };

  await openEditor(page);
  await page.getByLabel("Workflow name").fill("Momentum buy");
  await buildStrategy(page, "0.4");
  await selectNode(page, "polymarket_1");
  await inspector(page).getByLabel("Credential profile").selectOption({ label: "Export test wallet" });
  await inspector(page).getByRole("group", { name: "Endpoints" }).getByLabel("Balance").check();
  await expect(node(page, "polymarket_1").locator('[data-handleid="out:balance"]')).toHaveCount(1);

  const [download] = await Promise.all([page.waitForEvent("download"), toolbarButton(page, "Export").click()]);
  expect(download.suggestedFilename()).toBe("Momentum-buy.json");
  const file = await download.path();
  const text = await readFile(file, "utf8");
  expect(text).not.toContain(secret);

  const doc = JSON.parse(text);
  expect(Object.keys(doc).sort()).toEqual(["blocks", "connections", "description", "name"]);
  expect(doc.name).toBe("Momentum buy");
  expect(doc.blocks.map((b: { id: string }) => b.id)).toEqual(["polymarket_1", "threshold_1", "buy_1"]);
  for (const b of doc.blocks) {
    expect(Object.keys(b).sort()).toEqual(["category", "id", "position", "properties", "type"]);
    expect(b.position).toEqual({ x: expect.any(Number), y: expect.any(Number) });
  }
  const provider = doc.blocks[0];
  expect(provider).toMatchObject({ category: "providers", type: "polymarket", properties: { profile_id: profile.id, enabled_endpoints: ["price_feed", "balance"] } });
  expect(doc.blocks[1]).toMatchObject({ category: "conditions", type: "threshold", properties: { min: 0.4 } });
  // Index-addressed connections, as in the seed: price_feed is output 0, value input 0; pass output 0, signal input 0.
  expect(doc.connections).toEqual([
    { from: { blockId: "polymarket_1", index: 0 }, to: { blockId: "threshold_1", index: 0 } },
    { from: { blockId: "threshold_1", index: 0 }, to: { blockId: "buy_1", index: 0 } },
  ]);

  // A new, empty workflow (discarding the unsaved one), then import the downloaded file.
  page.once("dialog", (d) => void d.accept());
  await toolbarButton(page, "New").click();
  await expect(nodes(page)).toHaveCount(0);
  await expect(page.getByTestId("save-state")).toHaveText("Not saved yet");
  await page.getByTestId("import-input").setInputFiles(file);
  await expect(page.getByTestId("notice")).toHaveText(`Imported 3 nodes from ${path.basename(file)}`);
  await expect(page.getByLabel("Workflow name")).toHaveValue("Momentum buy");
  await expect(page.getByTestId("save-state")).toHaveText("● Unsaved");
  await expect(nodes(page)).toHaveCount(3);
  await expect(edges(page)).toHaveCount(2);
  await expect(edge(page, "polymarket_1.price_feed", "threshold_1.value")).toHaveCount(1);
  await expect(edge(page, "threshold_1.pass", "buy_1.signal")).toHaveCount(1);
  await expect(node(page, "polymarket_1").locator('[data-handleid="out:balance"]')).toHaveCount(1);
  await selectNode(page, "threshold_1");
  await expect(inspector(page).getByRole("textbox", { name: "Min", exact: true })).toHaveValue("0.4");
  await clearSelection(page);
  await selectNode(page, "polymarket_1");
  await expect(inspector(page).getByLabel("Credential profile")).toHaveValue(profile.id);

  // Exported again, the imported graph is the same document.
  const [again] = await Promise.all([page.waitForEvent("download"), toolbarButton(page, "Export").click()]);
  expect(JSON.parse(await readFile(await again.path(), "utf8"))).toEqual(doc);
});

test("an import with a cycle, an unknown node type or broken JSON is refused with a clear message", async ({ page }) => {
  await openEditor(page);
  await page.getByTestId("palette-conditions-threshold").click();
  await expect(nodes(page)).toHaveCount(1);
  const input = page.getByTestId("import-input");
  const notice = page.getByTestId("notice");

  await input.setInputFiles(fixture("cycle.json"));
  await expect(notice).toHaveAttribute("role", "alert");
  await expect(notice).toContainText("Import failed: Cycle: not_");
  await expect(notice).toContainText("a workflow must not loop back on itself");

  await input.setInputFiles(fixture("unknown-type.json"));
  await expect(notice).toHaveText('Import failed: Block "oracle": unknown node type "conditions/crystal_ball"');

  await input.setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from("{ this is not json") });
  await expect(notice).toContainText("Import failed: notes.json is not JSON");

  // The canvas is left as it was.
  await expect(nodes(page)).toHaveCount(1);
  await expect(node(page, "threshold_1")).toBeVisible();
  await expect(page.getByLabel("Workflow name")).toHaveValue("Untitled strategy");
});

test("the Workflows dialog opens, renames, duplicates and deletes saved workflows", async ({ page }) => {
  await openEditor(page);
  const name = `Dialog test ${Date.now()}`;
  await page.getByLabel("Workflow name").fill(name);
  await buildStrategy(page);
  await save(page);
  const id = await page.evaluate(() => localStorage.getItem("strategy-canvas:last-workflow"));

  // Start another workflow, then open the saved one from the dialog.
  await toolbarButton(page, "New").click();
  await expect(nodes(page)).toHaveCount(0);
  await toolbarButton(page, "Open").click();
  const dialog = page.getByRole("dialog", { name: "Workflows" });
  const row = dialog.getByTestId(`workflow-${id}`);
  await expect(row).toContainText(name);
  await expect(row).toContainText("v1");
  await row.getByRole("button", { name: "Open" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(nodes(page)).toHaveCount(3);
  await expect(page.getByLabel("Workflow name")).toHaveValue(name);
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v1");

  await toolbarButton(page, "Open").click();
  await row.getByRole("button", { name: "Rename" }).click();
  await row.getByRole("textbox", { name: "New name" }).fill(`${name} renamed`);
  await row.getByRole("button", { name: "OK" }).click();
  await expect(row).toContainText(`${name} renamed`);
  await expect(row).toContainText("v2");
  // The open workflow was the one renamed: the toolbar follows, so the next save keeps the new name.
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(page.getByLabel("Workflow name")).toHaveValue(`${name} renamed`);
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v2");
  await save(page, 2); // nothing changed, so no new version
  await expect(page.getByTestId("notice")).toHaveText(`Saved “${name} renamed” (version 2)`);
  expect((await (await page.request.get(`/api/workflows/${id}`)).json()).name).toBe(`${name} renamed`);

  await toolbarButton(page, "Open").click();

  await row.getByRole("button", { name: "Duplicate" }).click();
  const copy = dialog.getByRole("row").filter({ hasText: `${name} renamed (copy)` });
  await expect(copy).toHaveCount(1);
  await expect(copy).toContainText("3"); // nodes

  page.on("dialog", (d) => void d.accept());
  await copy.getByRole("button", { name: "Delete" }).click();
  await expect(copy).toHaveCount(0);
  await expect(row).toBeVisible();
  const list = (await (await page.request.get("/api/workflows")).json()) as { name: string }[];
  expect(list.filter((w) => w.name.startsWith(name)).map((w) => w.name)).toEqual([`${name} renamed`]);
});
