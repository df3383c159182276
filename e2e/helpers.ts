import { expect, type Locator, type Page } from "@playwright/test";

/** Small, reusable steps for driving the editor the way a user does: pointer, keyboard and visible labels. */

export const canvas = (page: Page) => page.getByTestId("canvas");
export const nodes = (page: Page) => canvas(page).locator(".react-flow__node");
export const edges = (page: Page) => canvas(page).locator(".react-flow__edge");
export const node = (page: Page, id: string) => page.getByTestId(`node-${id}`);
/** An edge by its ends; the editor names edges `<source>.<port>-><target>.<port>`. */
export const edge = (page: Page, from: string, to: string) => page.getByTestId(`rf__edge-${from}->${to}`);
/** A toolbar button by its exact name ("Open" alone would also match palette items that mention it). */
export const toolbarButton = (page: Page, name: string) => page.getByRole("banner").getByRole("button", { name, exact: true });
export const inspector = (page: Page) => page.getByRole("complementary", { name: "Inspector" });
export const resultsDialog = (page: Page) => page.getByRole("dialog", { name: "Execution results" });
export const runSummary = (page: Page) => page.getByTestId("run-summary");

/**
 * Opens the editor on an empty canvas and waits until it is ready for input. The template gallery a
 * first-time visitor is offered is marked as already offered (e2e/templates.spec.ts tests that offer).
 */
export async function openEditor(page: Page): Promise<void> {
  await page.addInitScript(() => localStorage.setItem("strategy-canvas:gallery-offered", "1"));
  await page.goto("/");
  await expect(canvas(page).locator(".react-flow__pane")).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Node palette" })).toBeVisible();
}

/**
 * Drags a palette item onto the canvas, dropping it at `at` (pixels from the canvas' top-left corner),
 * and waits for the new node, whose id must be `expectedId`.
 */
export async function dropNode(page: Page, paletteId: string, at: { x: number; y: number }, expectedId: string): Promise<Locator> {
  const before = await nodes(page).count();
  await page.getByTestId(`palette-${paletteId}`).dragTo(canvas(page), { targetPosition: at });
  await expect(nodes(page)).toHaveCount(before + 1);
  const added = node(page, expectedId);
  await expect(added).toBeVisible();
  return added;
}

/** The centre of a node's port handle, in page coordinates. */
export async function handleCentre(page: Page, nodeId: string, handle: string): Promise<{ x: number; y: number }> {
  const h = node(page, nodeId).locator(`[data-handleid="${handle}"]`);
  await expect(h).toBeVisible();
  const box = await h.boundingBox();
  if (!box) throw new Error(`handle ${handle} of ${nodeId} has no box`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Draws a wire with the mouse from `from`'s output port to `to`'s input port. */
export async function connect(page: Page, from: [nodeId: string, outPort: string], to: [nodeId: string, inPort: string]): Promise<void> {
  const a = await handleCentre(page, from[0], `out:${from[1]}`);
  const b = await handleCentre(page, to[0], `in:${to[1]}`);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

/** Selects a node by clicking its title, and waits for the inspector to show it. */
export async function selectNode(page: Page, id: string): Promise<void> {
  await node(page, id).getByTitle(id, { exact: true }).click();
  await expect(inspector(page).getByText(id, { exact: true })).toBeVisible();
}

/** Clicks an empty spot of the canvas (its top strip), which clears the selection. */
export async function clearSelection(page: Page): Promise<void> {
  await canvas(page).locator(".react-flow__pane").click({ position: { x: 120, y: 16 } });
  await expect(inspector(page)).toContainText("Select a node to edit its properties.");
}

/** Types a value into one of the selected node's text or number fields and commits it with Enter. */
export async function setProperty(page: Page, label: string, value: string): Promise<void> {
  const field = inspector(page).getByRole("textbox", { name: label, exact: true });
  await field.fill(value);
  await field.press("Enter");
  await expect(field).not.toBeFocused();
}

/** A node's top-left corner relative to the canvas, in screen pixels. */
export async function positionOnCanvas(page: Page, id: string): Promise<{ x: number; y: number }> {
  const [box, frame] = await Promise.all([page.getByTestId(`rf__node-${id}`).boundingBox(), canvas(page).boundingBox()]);
  if (!box || !frame) throw new Error(`node ${id} is not on screen`);
  return { x: box.x - frame.x, y: box.y - frame.y };
}

/**
 * Builds the demo strategy by hand: Polymarket price -> Threshold (min) -> Buy signal, and returns the
 * node ids. The Threshold's Min is set to `min` in the inspector.
 */
export async function buildStrategy(page: Page, min = "0.01"): Promise<{ provider: string; threshold: string; buy: string }> {
  await dropNode(page, "providers-polymarket", { x: 170, y: 220 }, "polymarket_1");
  await dropNode(page, "conditions-threshold", { x: 450, y: 250 }, "threshold_1");
  await dropNode(page, "actions-buy", { x: 730, y: 220 }, "buy_1");
  await connect(page, ["polymarket_1", "price_feed"], ["threshold_1", "value"]);
  await expect(edge(page, "polymarket_1.price_feed", "threshold_1.value")).toHaveCount(1);
  await connect(page, ["threshold_1", "pass"], ["buy_1", "signal"]);
  await expect(edge(page, "threshold_1.pass", "buy_1.signal")).toHaveCount(1);
  await selectNode(page, "threshold_1");
  await setProperty(page, "Min", min);
  return { provider: "polymarket_1", threshold: "threshold_1", buy: "buy_1" };
}

/** Saves with the toolbar button and waits for the save state to say which version was stored. */
export async function save(page: Page, version = 1): Promise<void> {
  await toolbarButton(page, "Save").click();
  await expect(page.getByTestId("save-state")).toHaveText(`Saved · v${version}`);
}

/** Sends a keyboard shortcut to the editor, not to a field: blurs whatever has focus (the selection stays). */
export async function canvasKey(page: Page, keys: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(keys);
}
