import { expect, test, type Page } from "@playwright/test";
import { canvas, canvasKey, clearSelection, connect, dropNode, edge, edges, inspector, node, nodes, openEditor, positionOnCanvas, selectNode, setProperty } from "./helpers";

test("undo and redo step the graph back and forth, by button and by keyboard", async ({ page }) => {
  await openEditor(page);
  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  await expect(undo).toBeDisabled();
  await page.getByTestId("palette-providers-binance").click();
  await page.getByTestId("palette-conditions-compare").click();
  await page.getByTestId("palette-actions-sell").click();
  await expect(nodes(page)).toHaveCount(3);
  await expect(redo).toBeDisabled();

  await undo.click();
  await expect(nodes(page)).toHaveCount(2);
  await expect(node(page, "sell_1")).toHaveCount(0);
  await undo.click();
  await expect(nodes(page)).toHaveCount(1);
  await expect(node(page, "binance_1")).toBeVisible();
  await redo.click();
  await expect(nodes(page)).toHaveCount(2);
  await expect(node(page, "compare_1")).toBeVisible();

  await canvasKey(page, "Control+z");
  await expect(nodes(page)).toHaveCount(1);
  await canvasKey(page, "Control+z");
  await expect(nodes(page)).toHaveCount(0);
  await expect(undo).toBeDisabled();
  await canvasKey(page, "Control+Shift+z");
  await expect(nodes(page)).toHaveCount(1);
  await canvasKey(page, "Control+y");
  await expect(nodes(page)).toHaveCount(2);
  await canvasKey(page, "Control+y");
  await expect(nodes(page)).toHaveCount(3);
  await expect(node(page, "sell_1")).toBeVisible();
  await expect(redo).toBeDisabled();

  // A property edit is one undo step too.
  await selectNode(page, "sell_1");
  await setProperty(page, "Amount", "42");
  await canvasKey(page, "Control+z");
  await selectNode(page, "sell_1");
  await expect(inspector(page).getByRole("textbox", { name: "Amount", exact: true })).toHaveValue("10");
  await canvasKey(page, "Control+y");
  await selectNode(page, "sell_1");
  await expect(inspector(page).getByRole("textbox", { name: "Amount", exact: true })).toHaveValue("42");
});

test("copy and paste adds a copy of the selection with its inner connection", async ({ page }) => {
  await openEditor(page);
  await dropNode(page, "providers-polymarket", { x: 200, y: 200 }, "polymarket_1");
  await dropNode(page, "conditions-threshold", { x: 520, y: 240 }, "threshold_1");
  await connect(page, ["polymarket_1", "price_feed"], ["threshold_1", "value"]);
  await expect(edges(page)).toHaveCount(1);
  await selectNode(page, "threshold_1");
  await setProperty(page, "Min", "0.3");

  await canvasKey(page, "Control+a");
  await expect(inspector(page)).toContainText("2 nodes selected");
  await canvasKey(page, "Control+c");
  await expect(page.getByTestId("notice")).toHaveText("Copied");
  await canvasKey(page, "Control+v");
  await expect(nodes(page)).toHaveCount(4);
  await expect(edges(page)).toHaveCount(2);
  await expect(edge(page, "polymarket_1.price_feed", "threshold_1.value")).toHaveCount(1);
  await expect(edge(page, "polymarket_2.price_feed", "threshold_2.value")).toHaveCount(1);

  // The copy sits 40 px right and below the original, and carries its property values.
  const original = await positionOnCanvas(page, "polymarket_1");
  const copy = await positionOnCanvas(page, "polymarket_2");
  expect(Math.round(copy.x - original.x)).toBe(40);
  expect(Math.round(copy.y - original.y)).toBe(40);
  await clearSelection(page);
  await selectNode(page, "threshold_2");
  await expect(inspector(page).getByRole("textbox", { name: "Min", exact: true })).toHaveValue("0.3");

  // Pasting again makes a third copy with fresh ids.
  await canvasKey(page, "Control+v");
  await expect(nodes(page)).toHaveCount(6);
  await expect(edge(page, "polymarket_3.price_feed", "threshold_3.value")).toHaveCount(1);
});

test("duplicate and delete: Ctrl+D copies one node without outside wires, Delete removes a node and its wires", async ({ page }) => {
  await openEditor(page);
  await dropNode(page, "providers-polymarket", { x: 200, y: 200 }, "polymarket_1");
  await dropNode(page, "conditions-threshold", { x: 520, y: 240 }, "threshold_1");
  await connect(page, ["polymarket_1", "price_feed"], ["threshold_1", "value"]);
  await expect(edges(page)).toHaveCount(1);

  await selectNode(page, "threshold_1");
  await canvasKey(page, "Control+d");
  await expect(nodes(page)).toHaveCount(3);
  await expect(node(page, "threshold_2")).toBeVisible();
  await expect(edges(page)).toHaveCount(1); // the wire from outside the selection is not copied
  await expect(inspector(page)).toContainText("threshold_2"); // the copy is selected

  await canvasKey(page, "Delete");
  await expect(nodes(page)).toHaveCount(2);
  await expect(node(page, "threshold_2")).toHaveCount(0);

  await selectNode(page, "polymarket_1");
  await canvasKey(page, "Backspace");
  await expect(nodes(page)).toHaveCount(1);
  await expect(edges(page)).toHaveCount(0);
  await expect(node(page, "threshold_1")).toBeVisible();
});

test("auto-layout lays nodes out left to right in dependency order", async ({ page }) => {
  await openEditor(page);
  // Dropped right to left, against the flow of data.
  await dropNode(page, "actions-buy", { x: 160, y: 120 }, "buy_1");
  await dropNode(page, "conditions-threshold", { x: 440, y: 420 }, "threshold_1");
  await dropNode(page, "providers-polymarket", { x: 720, y: 200 }, "polymarket_1");
  await connect(page, ["polymarket_1", "price_feed"], ["threshold_1", "value"]);
  await connect(page, ["threshold_1", "pass"], ["buy_1", "signal"]);
  await expect(edges(page)).toHaveCount(2);
  const ids = ["polymarket_1", "threshold_1", "buy_1"];
  const before = await Promise.all(ids.map((id) => positionOnCanvas(page, id)));

  await page.getByRole("button", { name: "Auto-layout" }).click();
  await expect.poll(async () => (await positionOnCanvas(page, "buy_1")).x).not.toBeCloseTo(before[2]!.x, 0);
  const after = await Promise.all(ids.map((id) => positionOnCanvas(page, id)));
  for (let i = 0; i < ids.length; i++) expect(after[i], `${ids[i]} moved`).not.toEqual(before[i]);
  // Provider, then condition, then action, each entirely to the right of the one it depends on.
  const boxes = await Promise.all(ids.map((id) => page.getByTestId(`rf__node-${id}`).boundingBox()));
  expect(boxes[0]!.x + boxes[0]!.width).toBeLessThan(boxes[1]!.x);
  expect(boxes[1]!.x + boxes[1]!.width).toBeLessThan(boxes[2]!.x);
  await expect(edges(page)).toHaveCount(2);

  // Auto-layout is one undo step.
  await page.getByRole("button", { name: "Undo" }).click();
  await expect.poll(async () => positionOnCanvas(page, "buy_1")).toEqual(before[2]);
});

test("the inspector edits a node: rename it, and an invalid value is refused with a message", async ({ page }) => {
  await openEditor(page);
  await dropNode(page, "actions-buy", { x: 300, y: 200 }, "buy_1");
  await selectNode(page, "buy_1");
  await expect(inspector(page).getByRole("heading", { name: "Buy" })).toBeVisible();

  const name = inspector(page).getByRole("textbox", { name: "Name", exact: true });
  await name.fill("Buy the dip");
  await name.press("Enter");
  await expect(node(page, "buy_1")).toContainText("Buy the dip");

  const amount = inspector(page).getByRole("textbox", { name: "Amount", exact: true });
  await expect(amount).toHaveValue("10");
  await amount.fill("-5");
  await amount.press("Enter");
  await expect(inspector(page).getByRole("alert")).toContainText("Amount");
  // Not committed: select another node and come back, the stored value is unchanged.
  await clearSelection(page);
  await selectNode(page, "buy_1");
  await expect(inspector(page).getByRole("textbox", { name: "Amount", exact: true })).toHaveValue("10");
});

/** An empty editor with a Polymarket price wired into a Threshold; returns that wire. */
async function wiredPair(page: Page) {
  await openEditor(page);
  await dropNode(page, "providers-polymarket", { x: 200, y: 200 }, "polymarket_1");
  await dropNode(page, "conditions-threshold", { x: 560, y: 260 }, "threshold_1");
  await connect(page, ["polymarket_1", "price_feed"], ["threshold_1", "value"]);
  return edge(page, "polymarket_1.price_feed", "threshold_1.value");
}

/** Where a user grabs a node to drag it: on its title. */
async function grabPoint(page: Page, id: string): Promise<{ x: number; y: number }> {
  const title = (await node(page, id).getByTitle(id, { exact: true }).boundingBox())!;
  return { x: title.x + 10, y: title.y + title.height / 2 };
}

/** Presses at `at` and starts a drag there: React Flow starts a drag at the first move and measures from there, so a first move of 2 px starts it. */
async function pressAndStartDrag(page: Page, at: { x: number; y: number }): Promise<void> {
  await page.mouse.move(at.x - 2, at.y);
  await page.mouse.down();
  await page.mouse.move(at.x, at.y);
}

/**
 * Gives the page `window.__fire(target, "down" | "move" | "up", x, y)`, which dispatches a mouse pointer's
 * pointer and mouse events: for input that must arrive in one task (one script), with nothing run between.
 */
async function installFire(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __fire: unknown }).__fire = (target: EventTarget, type: "down" | "move" | "up", x: number, y: number) => {
      const init = { bubbles: true, cancelable: true, composed: true, clientX: x, clientY: y, button: 0, buttons: type === "up" ? 0 : 1, view: window };
      target.dispatchEvent(new PointerEvent(`pointer${type}`, { ...init, pointerId: 1, isPrimary: true, pointerType: "mouse" }));
      target.dispatchEvent(new MouseEvent(`mouse${type}`, init));
    };
  });
}
type Fire = (target: EventTarget, type: "down" | "move" | "up", x: number, y: number) => void;

test("a wire is selected by clicking it and removed with Delete; clicking a node or the pane unselects it", async ({ page }) => {
  const wire = await wiredPair(page);
  const selected = /(^|\s)selected(\s|$)/;
  await expect(wire).toHaveCount(1);

  await wire.click();
  await expect(wire).toHaveClass(selected);
  await clearSelection(page);
  await expect(wire).not.toHaveClass(selected);

  // Selecting a node unselects the wire; selecting the wire unselects the node.
  await wire.click();
  await selectNode(page, "threshold_1");
  await expect(wire).not.toHaveClass(selected);
  await wire.click();
  await expect(wire).toHaveClass(selected);
  await expect(inspector(page)).toContainText("Select a node to edit its properties.");

  await canvasKey(page, "Delete");
  await expect(edges(page)).toHaveCount(0);
  await expect(nodes(page)).toHaveCount(2);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(wire).toHaveCount(1);
});

/** Where the one wire on the canvas ends, in page coordinates: the end of its drawn path. */
async function wireEnd(page: Page): Promise<{ x: number; y: number }> {
  await expect(canvas(page).locator("path.react-flow__edge-path")).toHaveCount(1);
  return page.evaluate(() => {
    const path = document.querySelector<SVGPathElement>("path.react-flow__edge-path")!;
    const p = path.getPointAtLength(path.getTotalLength()).matrixTransform(path.getScreenCTM()!);
    return { x: p.x, y: p.y };
  });
}

/** Where a wire meets an input port: the middle of the port's left edge (as React Flow draws it). */
async function inputPort(page: Page, nodeId: string, port: string): Promise<{ x: number; y: number }> {
  const box = await node(page, nodeId).locator(`[data-handleid="in:${port}"]`).boundingBox();
  if (!box) throw new Error(`port ${port} of ${nodeId} has no box`);
  return { x: box.x, y: box.y + box.height / 2 };
}

/** The opacity (0-255) of the drag canvas' pixel at a page point: above 0 where a dragged wire is drawn. */
async function dragCanvasAlpha(page: Page, at: { x: number; y: number }): Promise<number> {
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(1);
  return page.evaluate(({ x, y }) => {
    const el = document.querySelector<HTMLCanvasElement>("canvas.sc-drag-wires")!;
    const r = el.getBoundingClientRect();
    const scale = el.width / r.width;
    return el.getContext("2d")!.getImageData(Math.round((x - r.left) * scale), Math.round((y - r.top) * scale), 1, 1).data[3]!;
  }, at);
}

async function expectNear(actual: { x: number; y: number }, expected: { x: number; y: number }, what: string) {
  expect(Math.abs(actual.x - expected.x), `${what}: x ${actual.x} vs ${expected.x}`).toBeLessThan(2);
  expect(Math.abs(actual.y - expected.y), `${what}: y ${actual.y} vs ${expected.y}`).toBeLessThan(2);
}

test("dragging a node carries its wires while it moves, and the move is one undo step", async ({ page }) => {
  const wire = await wiredPair(page);
  await expect(wire).toHaveCount(1);
  const start = await positionOnCanvas(page, "threshold_1");
  const before = await inputPort(page, "threshold_1", "value");
  await expectNear(await wireEnd(page), before, "wire before the drag");

  // Drag the threshold by its title; halfway, the node and the end of its wire have moved together.
  const grab = await grabPoint(page, "threshold_1");
  const startDrag = () => pressAndStartDrag(page, grab);
  await startDrag();
  await page.mouse.move(grab.x + 60, grab.y + 40, { steps: 6 });
  await expect.poll(async () => (await positionOnCanvas(page, "threshold_1")).x - start.x).toBeCloseTo(60, 0);
  expect((await positionOnCanvas(page, "threshold_1")).y - start.y).toBeCloseTo(40, 0);
  // Meanwhile the wire is drawn on the drag canvas: it reaches the port where it now is, not where it was.
  const port = await inputPort(page, "threshold_1", "value");
  expect(await dragCanvasAlpha(page, { x: port.x - 2, y: port.y })).toBeGreaterThan(0);
  expect(await dragCanvasAlpha(page, { x: before.x - 2, y: before.y })).toBe(0);
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/drag-midway.png` });
  await page.mouse.move(grab.x + 120, grab.y + 80, { steps: 6 });
  await page.mouse.up();

  const dropped = await positionOnCanvas(page, "threshold_1");
  expect(Math.round(dropped.x - start.x)).toBe(120);
  expect(Math.round(dropped.y - start.y)).toBe(80);
  await expect(wire).toHaveCount(1);
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(0);
  await expectNear(await wireEnd(page), await inputPort(page, "threshold_1", "value"), "wire after the drop");
  await expect(page.getByTestId("save-state")).toContainText("Unsaved");

  // One undo puts the node, and its wire, back where the drag began.
  await page.getByRole("button", { name: "Undo" }).click();
  await expect.poll(async () => (await positionOnCanvas(page, "threshold_1")).x).toBeCloseTo(start.x, 0);
  expect((await positionOnCanvas(page, "threshold_1")).y).toBeCloseTo(start.y, 0);
  await expectNear(await wireEnd(page), await inputPort(page, "threshold_1", "value"), "wire after undo");

  // With both nodes selected, dragging one moves both; the wire keeps both its ends on their ports.
  await canvasKey(page, "Control+a");
  const providerStart = await positionOnCanvas(page, "polymarket_1");
  await startDrag();
  await page.mouse.move(grab.x - 50, grab.y + 30, { steps: 6 });
  await page.mouse.up();
  const providerEnd = await positionOnCanvas(page, "polymarket_1");
  expect(Math.round(providerEnd.x - providerStart.x)).toBe(-50);
  expect(Math.round(providerEnd.y - providerStart.y)).toBe(30);
  expect(Math.round((await positionOnCanvas(page, "threshold_1")).x - start.x)).toBe(-50);
  await expectNear(await wireEnd(page), await inputPort(page, "threshold_1", "value"), "wire after moving both");
});

test("a node grabbed unselected is drawn selected while it moves and is selected at the drop", async ({ page }) => {
  await wiredPair(page);
  // The node dropped last (the threshold) is the selected one.
  await expect(inspector(page)).toContainText("threshold_1");
  const outlined = (id: string) => node(page, id).evaluate((el) => getComputedStyle(el).boxShadow !== "none");
  expect(await outlined("threshold_1")).toBe(true);
  expect(await outlined("polymarket_1")).toBe(false);

  const start = await positionOnCanvas(page, "polymarket_1");
  const grab = await grabPoint(page, "polymarket_1");
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x + 40, grab.y + 20, { steps: 5 });
  // Midway: the dragged node has the selected outline and the threshold has lost it.
  await expect.poll(() => outlined("polymarket_1")).toBe(true);
  expect(await outlined("threshold_1")).toBe(false);
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/drag-select-midway.png` });
  await page.mouse.up();

  // At the drop the selection is the dragged node's: the inspector shows it, and the outlines stay as drawn.
  await expect(inspector(page)).toContainText("polymarket_1");
  await expect(canvas(page).locator('.react-flow__node.selected[data-id="polymarket_1"]')).toHaveCount(1);
  await expect(canvas(page).locator(".react-flow__node.selected")).toHaveCount(1);
  expect(await outlined("polymarket_1")).toBe(true);
  expect(await outlined("threshold_1")).toBe(false);
  // One undo puts the node back where it was grabbed (selection is not part of the history).
  await page.getByRole("button", { name: "Undo" }).click();
  await expect.poll(async () => (await positionOnCanvas(page, "polymarket_1")).x).toBeCloseTo(start.x, 0);
  expect((await positionOnCanvas(page, "polymarket_1")).y).toBeCloseTo(start.y, 0);
});

test("a drop is drawn selected in every frame while React Flow takes it, and a drag right after it starts where it landed", async ({ page }) => {
  await wiredPair(page);
  const start = await positionOnCanvas(page, "polymarket_1");
  const grab = await grabPoint(page, "polymarket_1");
  await pressAndStartDrag(page, grab);
  await page.mouse.move(grab.x + 40, grab.y + 20, { steps: 5 });
  // From here to well after the drop, sample every frame: the grabbed node keeps its selected outline and
  // its place, and it is drawn over the threshold (the drop commits, React Flow renders, the preview goes).
  await page.evaluate(() => {
    const w = window as unknown as { __samples: string[]; __sampling: boolean };
    const el = document.querySelector<HTMLElement>('.react-flow__node[data-id="polymarket_1"]')!;
    const body = el.querySelector<HTMLElement>('[data-testid="node-polymarket_1"]')!;
    const other = document.querySelector<HTMLElement>('.react-flow__node[data-id="threshold_1"]')!;
    w.__samples = [];
    w.__sampling = true;
    const tick = () => {
      if (!w.__sampling) return;
      const z = Number(getComputedStyle(el).zIndex) || 0;
      const outlined = getComputedStyle(body).boxShadow !== "none";
      w.__samples.push(`${outlined ? "outlined" : "plain"} ${el.style.transform} ${z > (Number(getComputedStyle(other).zIndex) || 0) ? "above" : "below"}`);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.up();
  // A second drag at once, before React Flow may have taken the drop: it moves on from where the node is.
  await page.mouse.down();
  await page.mouse.move(grab.x + 42, grab.y + 20);
  await page.mouse.move(grab.x + 72, grab.y + 50, { steps: 4 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const samples = await page.evaluate(() => {
    const w = window as unknown as { __samples: string[]; __sampling: boolean };
    w.__sampling = false;
    return w.__samples;
  });
  expect(samples.length).toBeGreaterThan(5);
  for (const s of samples) expect(s).toMatch(/^outlined translate\(.+\) above$/);
  const end = await positionOnCanvas(page, "polymarket_1");
  expect(Math.round(end.x - start.x)).toBe(70);
  expect(Math.round(end.y - start.y)).toBe(50);
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(0);
  await expect(inspector(page)).toContainText("polymarket_1");
});

test("a drag that starts in the same task as the drop before it, before React Flow has taken that drop, moves on from where the node landed", async ({ page }) => {
  await wiredPair(page);
  const start = await positionOnCanvas(page, "polymarket_1");
  const grab = await grabPoint(page, "polymarket_1");
  // The first drag with the mouse; its drop and the whole second drag as one script, so nothing (no frame,
  // no background render) runs between them.
  await pressAndStartDrag(page, grab);
  await page.mouse.move(grab.x + 40, grab.y + 20, { steps: 5 });
  await installFire(page);
  await page.evaluate(({ x, y }) => {
    const fire = (window as unknown as { __fire: Fire }).__fire;
    const el = document.elementFromPoint(x + 40, y + 20)!;
    fire(window, "up", x + 40, y + 20); // the first drop
    fire(el, "down", x + 40, y + 20);
    fire(window, "move", x + 42, y + 20); // starts the second drag
    for (let i = 1; i <= 3; i++) fire(window, "move", x + 42 + i * 10, y + 20 + i * 10);
    fire(window, "up", x + 72, y + 50);
  }, grab);
  await page.mouse.up();
  await expect.poll(async () => Math.round((await positionOnCanvas(page, "polymarket_1")).x - start.x)).toBe(70);
  expect(Math.round((await positionOnCanvas(page, "polymarket_1")).y - start.y)).toBe(50);
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(0);
});

test("Ctrl+Z in the same task as a drop, before React Flow has taken it, puts the node and its wire back where the drag began", async ({ page }) => {
  await wiredPair(page);
  const start = await positionOnCanvas(page, "threshold_1");
  const grab = await grabPoint(page, "threshold_1");
  await pressAndStartDrag(page, grab);
  await page.mouse.move(grab.x + 60, grab.y + 40, { steps: 5 });
  await installFire(page);
  await page.evaluate(({ x, y }) => {
    (window as unknown as { __fire: Fire }).__fire(window, "up", x, y); // the drop
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "z", code: "KeyZ", ctrlKey: true, bubbles: true, cancelable: true }));
  }, { x: grab.x + 60, y: grab.y + 40 });
  await page.mouse.up();
  await expect.poll(async () => Math.round((await positionOnCanvas(page, "threshold_1")).x - start.x)).toBe(0);
  expect(Math.round((await positionOnCanvas(page, "threshold_1")).y - start.y)).toBe(0);
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(0);
  await expectNear(await wireEnd(page), await inputPort(page, "threshold_1", "value"), "wire after the undo");
});

test("a key pressed during a drag acts on the dragged node: Delete mid-drag removes it, not the node selected before", async ({ page }) => {
  await wiredPair(page);
  await expect(inspector(page)).toContainText("threshold_1");
  const grab = await grabPoint(page, "polymarket_1");
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x + 40, grab.y + 20, { steps: 5 });
  await page.keyboard.press("Delete");
  await page.mouse.move(grab.x + 60, grab.y + 30, { steps: 2 });
  await page.mouse.up();
  await expect(node(page, "polymarket_1")).toHaveCount(0);
  await expect(node(page, "threshold_1")).toHaveCount(1);
  await expect(edges(page)).toHaveCount(0);
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(0);
  // And the canvas still drags afterwards.
  const start = await positionOnCanvas(page, "threshold_1");
  const at = await grabPoint(page, "threshold_1");
  await pressAndStartDrag(page, at);
  await page.mouse.move(at.x + 30, at.y + 20, { steps: 5 });
  await page.mouse.up();
  expect(Math.round((await positionOnCanvas(page, "threshold_1")).x - start.x)).toBe(30);
  expect(Math.round((await positionOnCanvas(page, "threshold_1")).y - start.y)).toBe(20);
});

test("a shortcut mid-drag commits the grab's selection where the node is: no wire left behind, the node stays on top", async ({ page }) => {
  const wire = await wiredPair(page);
  const grab = await grabPoint(page, "polymarket_1");
  await pressAndStartDrag(page, grab);
  await page.mouse.move(grab.x + 40, grab.y + 20, { steps: 4 });
  await page.keyboard.press("Control+c");
  await page.mouse.move(grab.x + 80, grab.y + 40, { steps: 4 });
  // The wire is still carried by the drag canvas only: no copy of it was put back where the drag began.
  await expect(wire).toHaveCount(0);
  await page.mouse.up();
  await expect(wire).toHaveCount(1);
  await expectNear(await wireEnd(page), await inputPort(page, "threshold_1", "value"), "wire after the drop");
  // Selected, the dropped node is raised over unselected ones as React Flow does (z-index 1000 and up).
  const z = await canvas(page).locator('.react-flow__node[data-id="polymarket_1"]').evaluate((el) => Number(getComputedStyle(el).zIndex));
  expect(z).toBeGreaterThanOrEqual(1000);
  // Ctrl+C copied the dragged node: a paste adds a Polymarket copy.
  await canvasKey(page, "Control+v");
  await expect(node(page, "polymarket_2")).toHaveCount(1);
});

test("pressing a port to draw a wire leaves the node's wires where they are", async ({ page }) => {
  await wiredPair(page);
  const port = await node(page, "threshold_1").locator('[data-handleid="in:value"]').boundingBox();
  await page.mouse.move(port!.x + port!.width / 2, port!.y + port!.height / 2);
  await page.mouse.down();
  await page.mouse.move(port!.x - 80, port!.y + 60, { steps: 4 });
  await expect(canvas(page).locator("canvas.sc-drag-wires")).toHaveCount(0);
  await expect(edges(page)).toHaveCount(1);
  await page.mouse.up();
});

test("a Shift-drag box selects the nodes it catches, even when it starts on a node, and a node dragged next takes the selection", async ({ page }) => {
  await wiredPair(page);
  await dropNode(page, "conditions-threshold", { x: 300, y: 520 }, "threshold_2");
  await selectNode(page, "polymarket_1");
  await expect(inspector(page)).toContainText("polymarket_1");
  const b = (await node(page, "threshold_1").boundingBox())!;
  const c = (await node(page, "threshold_2").boundingBox())!;
  // With Shift held, from inside the lower Threshold up past the first one: a box that catches the first
  // Threshold whole (a node is caught when it is wholly inside).
  await page.keyboard.down("Shift");
  await page.mouse.move(c.x + 20, c.y + 20);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width + 20, b.y - 20, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await expect(inspector(page)).toContainText("threshold_1");
  await expect(canvas(page).locator(".react-flow__node.selected")).toHaveCount(1);
  await expect(canvas(page).locator(".react-flow__nodesselection-rect")).toHaveCount(1);
  // The box started on a node but did not move it.
  expect((await node(page, "threshold_2").boundingBox())!.x).toBeCloseTo(c.x, 0);

  // Dragging the lower Threshold makes it the selection, and the box's frame goes.
  const at = await grabPoint(page, "threshold_2");
  await pressAndStartDrag(page, at);
  await page.mouse.move(at.x + 50, at.y + 10, { steps: 4 });
  await page.mouse.up();
  await expect(inspector(page)).toContainText("threshold_2");
  await expect(canvas(page).locator(".react-flow__node.selected")).toHaveCount(1);
  await expect(canvas(page).locator(".react-flow__nodesselection-rect")).toHaveCount(0);
});

test("the minimap draws each node in its category's colour where it is, follows a drop, and pans the canvas when dragged", async ({ page }) => {
  await wiredPair(page);
  const minimap = canvas(page).getByTestId("rf__minimap");
  await expect(minimap.getByRole("img", { name: "Minimap" })).toBeVisible();
  // The bounding box, in minimap pixels, of the pixels drawn in a colour (a category's), or null.
  const drawn = (rgb: [number, number, number]) =>
    minimap.locator("canvas").evaluate((el: HTMLCanvasElement, [r, g, b]) => {
      const { width, height } = el;
      const data = el.getContext("2d")!.getImageData(0, 0, width, height).data;
      let box: { left: number; top: number; right: number; bottom: number } | null = null;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) > 8 || Math.abs(data[i + 1]! - g) > 8 || Math.abs(data[i + 2]! - b) > 8 || data[i + 3]! < 200) continue;
        const x = (i / 4) % width;
        const y = Math.floor(i / 4 / width);
        box = box ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y) } : { left: x, top: y, right: x, bottom: y };
      }
      return box;
    }, rgb);
  const provider: [number, number, number] = [0x4f, 0x9d, 0xff];
  const condition: [number, number, number] = [0xa8, 0x79, 0xff];
  await expect.poll(() => drawn(provider)).not.toBeNull();
  const before = (await drawn(provider))!;
  const threshold = (await drawn(condition))!;
  expect(threshold).not.toBeNull();
  // The threshold was dropped to the right of the provider, and lower.
  expect(threshold.left).toBeGreaterThan(before.right);
  expect(threshold.top).toBeGreaterThan(before.top);

  // Drop the provider far below: the minimap draws it there.
  const at = await grabPoint(page, "polymarket_1");
  await pressAndStartDrag(page, at);
  await page.mouse.move(at.x, at.y + 250, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await drawn(provider))!.top).toBeGreaterThan(threshold.bottom);

  // Dragging inside the minimap pans the canvas.
  const viewport = () => canvas(page).locator(".react-flow__viewport").evaluate((el) => (el as HTMLElement).style.transform);
  const start = await viewport();
  const box = (await minimap.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2 + 20, { steps: 5 });
  await page.mouse.up();
  await expect.poll(viewport).not.toBe(start);
});
