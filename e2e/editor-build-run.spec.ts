import { expect, test, type Page } from "@playwright/test";
import {
  buildStrategy,
  canvas,
  connect,
  dropNode,
  edge,
  edges,
  inspector,
  node,
  nodes,
  openEditor,
  positionOnCanvas,
  resultsDialog,
  runSummary,
  save,
  selectNode,
  setProperty,
} from "./helpers";

const lastWorkflowId = (page: Page) => page.evaluate(() => localStorage.getItem("strategy-canvas:last-workflow"));

test("the page loads as the editor: toolbar, palette, empty canvas, a new workflow", async ({ page }) => {
  await openEditor(page);
  await expect(page).toHaveTitle("Strategy Canvas");
  await expect(page.getByLabel("Workflow name")).toHaveValue("Untitled strategy");
  await expect(page.getByTestId("save-state")).toHaveText("Not saved yet");
  await expect(nodes(page)).toHaveCount(0);
  const palette = page.getByRole("complementary", { name: "Node palette" });
  for (const item of ["providers-polymarket", "conditions-threshold", "actions-buy", "values-delay", "risk-kill_switch"]) {
    await expect(palette.getByTestId(`palette-${item}`)).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Undo" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "History" })).toBeDisabled();
  await expect(inspector(page)).toContainText("Select a node to edit its properties.");

  // The palette search narrows the list.
  await palette.getByRole("searchbox", { name: "Search nodes" }).fill("thresh");
  await expect(palette.getByTestId("palette-conditions-threshold")).toBeVisible();
  await expect(palette.getByTestId("palette-actions-buy")).toHaveCount(0);
  await palette.getByRole("searchbox", { name: "Search nodes" }).fill("no such node");
  await expect(palette).toContainText("No node matches");
});

test("nodes dragged from the palette land where they are dropped", async ({ page }) => {
  await openEditor(page);
  const drops = [
    { item: "providers-polymarket", id: "polymarket_1", at: { x: 200, y: 150 } },
    { item: "conditions-threshold", id: "threshold_1", at: { x: 480, y: 420 } },
  ];
  for (const d of drops) {
    await dropNode(page, d.item, d.at, d.id);
    // The node's header is under the pointer: its top-left corner is 100 px left and 14 px above the drop.
    const at = await positionOnCanvas(page, d.id);
    expect(Math.abs(at.x - (d.at.x - 100))).toBeLessThan(3);
    expect(Math.abs(at.y - (d.at.y - 14))).toBeLessThan(3);
  }
  await expect(node(page, "polymarket_1")).toHaveAttribute("data-status", "idle");
  // Clicking an item adds it too, with the next free id.
  await page.getByTestId("palette-conditions-threshold").click();
  await expect(node(page, "threshold_2")).toBeVisible();
  await expect(nodes(page)).toHaveCount(3);
});

test("an incompatible connection is refused with its reason; a compatible one is drawn", async ({ page }) => {
  await openEditor(page);
  await dropNode(page, "providers-polymarket", { x: 200, y: 200 }, "polymarket_1");
  await dropNode(page, "actions-buy", { x: 560, y: 300 }, "buy_1");

  await connect(page, ["polymarket_1", "price_feed"], ["buy_1", "signal"]);
  const notice = page.getByTestId("notice");
  await expect(notice).toHaveText("Polymarket.price_feed is number, but Buy.signal takes boolean");
  await expect(notice).toHaveAttribute("role", "alert");
  await expect(edges(page)).toHaveCount(0);

  // number into the Buy's amount (a number) is fine.
  await connect(page, ["polymarket_1", "price_feed"], ["buy_1", "amount"]);
  await expect(edges(page)).toHaveCount(1);
  await expect(edge(page, "polymarket_1.price_feed", "buy_1.amount")).toHaveCount(1);
});

test("build a strategy, save it, reload: the same nodes, wires and property values come back", async ({ page }) => {
  await openEditor(page);
  await page.getByLabel("Workflow name").fill("Cheap YES buyer");
  await buildStrategy(page, "0.25");
  await selectNode(page, "buy_1");
  await setProperty(page, "Amount", "25");
  await inspector(page).getByLabel("Order type").selectOption("limit");
  await setProperty(page, "Limit price", "0.9");
  await expect(page.getByTestId("save-state")).toHaveText("● Unsaved");
  await page.screenshot({ path: ".tmp/built-strategy.png" });

  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v1");
  await expect(page.getByTestId("notice")).toHaveText("Saved “Cheap YES buyer” (version 1)");
  const id = await lastWorkflowId(page);
  expect(id).toBeTruthy();

  await page.reload();
  await expect(page.getByTestId("save-state")).toHaveText("Saved · v1");
  await expect(page.getByLabel("Workflow name")).toHaveValue("Cheap YES buyer");
  await expect(nodes(page)).toHaveCount(3);
  for (const n of ["polymarket_1", "threshold_1", "buy_1"]) await expect(node(page, n)).toBeVisible();
  await expect(edges(page)).toHaveCount(2);
  await expect(edge(page, "polymarket_1.price_feed", "threshold_1.value")).toHaveCount(1);
  await expect(edge(page, "threshold_1.pass", "buy_1.signal")).toHaveCount(1);
  await selectNode(page, "threshold_1");
  await expect(inspector(page).getByRole("textbox", { name: "Min", exact: true })).toHaveValue("0.25");
  await selectNode(page, "buy_1");
  await expect(inspector(page).getByRole("textbox", { name: "Amount", exact: true })).toHaveValue("25");
  await expect(inspector(page).getByLabel("Order type")).toHaveValue("limit");
  await expect(inspector(page).getByRole("textbox", { name: "Limit price", exact: true })).toHaveValue("0.9");

  // What the server stored is the same graph.
  const stored = await (await page.request.get(`/api/workflows/${id}`)).json();
  expect(stored.workflow.blocks.map((b: { id: string }) => b.id).sort()).toEqual(["buy_1", "polymarket_1", "threshold_1"]);
  expect(stored.workflow.connections).toHaveLength(2);
  expect(stored.workflow.blocks.find((b: { id: string }) => b.id === "threshold_1").properties.min).toBe(0.25);
});

test("run the saved strategy: the modal fills in with every node's result, badges appear on the canvas", async ({ page }) => {
  await openEditor(page);
  const ids = await buildStrategy(page, "0.01");
  await save(page);

  await expect(resultsDialog(page)).toHaveCount(0);
  await page.getByRole("button", { name: "▶ Run Workflow" }).click();
  const dialog = resultsDialog(page);
  await expect(dialog).toBeVisible();
  await expect(runSummary(page)).toHaveAttribute("data-phase", "completed");
  await expect(runSummary(page)).toContainText("Completed");
  await expect(runSummary(page)).toContainText("3 nodes");
  for (const id of Object.values(ids)) await expect(dialog.getByTestId(`result-${id}`)).toHaveAttribute("data-status", "succeeded");
  await expect(dialog.locator("tbody tr")).toHaveCount(3);
  // The threshold passed, so the buy placed a (paper) order.
  await expect(dialog.getByTestId(`result-${ids.threshold}`)).toContainText('"pass": true');
  await expect(dialog.getByTestId(`result-${ids.buy}`)).toContainText('"status": "filled"');
  // A saved, unchanged workflow runs through its runs endpoint and is kept in its history.
  const history = dialog.getByRole("list", { name: "Run history" });
  await expect(history.getByRole("listitem")).toHaveCount(1);
  await expect(history.getByRole("listitem")).toContainText("completed");
  await expect(history.getByRole("listitem")).toContainText("v1");
  await page.screenshot({ path: ".tmp/results-modal.png" });

  await dialog.getByRole("button", { name: "Close" }).first().click();
  await expect(dialog).toHaveCount(0);
  for (const id of Object.values(ids)) {
    await expect(node(page, id)).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId(`status-${id}`)).toContainText("ok");
  }
  await selectNode(page, ids.provider);
  await expect(inspector(page).getByTestId("inspector-output")).toContainText('"price_feed":');

  // Ctrl+Enter runs again; the history now holds two runs.
  await page.keyboard.press("Control+Enter");
  await expect(runSummary(page)).toHaveAttribute("data-phase", "completed");
  await expect(resultsDialog(page).getByRole("list", { name: "Run history" }).getByRole("listitem")).toHaveCount(2);
});

test("Stop cancels a slow run, in the modal, on the canvas and on the server", async ({ page }) => {
  await openEditor(page);
  await dropNode(page, "providers-polymarket", { x: 180, y: 200 }, "polymarket_1");
  await dropNode(page, "values-delay", { x: 460, y: 260 }, "delay_1");
  await dropNode(page, "conditions-threshold", { x: 740, y: 200 }, "threshold_1");
  await connect(page, ["polymarket_1", "price_feed"], ["delay_1", "value"]);
  await connect(page, ["delay_1", "value"], ["threshold_1", "value"]);
  await expect(edges(page)).toHaveCount(2);
  await selectNode(page, "delay_1");
  await setProperty(page, "Wait (ms)", "20000");
  await save(page);
  const id = await lastWorkflowId(page);

  await page.getByRole("button", { name: "▶ Run Workflow" }).click();
  const dialog = resultsDialog(page);
  await expect(dialog.getByTestId("result-polymarket_1")).toHaveAttribute("data-status", "succeeded");
  await expect(node(page, "delay_1")).toHaveAttribute("data-status", "running");
  await expect(runSummary(page)).toHaveAttribute("data-phase", "running");
  await expect(page.getByRole("button", { name: "Running…" })).toBeDisabled();

  await dialog.getByRole("button", { name: "Stop" }).click();
  await expect(runSummary(page)).toHaveAttribute("data-phase", "cancelled");
  await expect(runSummary(page)).toContainText("Stopped");
  await expect(dialog.getByRole("button", { name: "Stop" })).toHaveCount(0);
  // Nothing is left looking as if it still ran: the interrupted delay failed, the threshold never started.
  await expect(dialog.getByTestId("result-delay_1")).toHaveAttribute("data-status", "failed");
  await expect(dialog.getByTestId("result-delay_1")).toContainText("cancelled while running");
  await expect(node(page, "delay_1")).toHaveAttribute("data-status", "failed");
  await expect(node(page, "threshold_1")).toHaveAttribute("data-status", "idle");
  await expect(dialog.getByTestId("result-threshold_1")).toHaveCount(0);
  // The run history shows the run as the server stored it.
  await expect(dialog.getByRole("list", { name: "Run history" }).getByRole("listitem")).toContainText("cancelled");
  await expect(page.getByRole("button", { name: "▶ Run Workflow" })).toBeEnabled();
  await page.screenshot({ path: ".tmp/run-stopped.png" });

  // The server stopped the run too (long before the 20 s delay would have ended), and stored it as cancelled.
  await expect
    .poll(async () => (await (await page.request.get(`/api/workflows/${id}/runs`)).json())[0]?.status, { timeout: 10_000 })
    .toBe("cancelled");
});

test("an empty canvas is not run: the modal says what to do", async ({ page }) => {
  await openEditor(page);
  await page.getByRole("button", { name: "▶ Run Workflow" }).click();
  await expect(runSummary(page)).toHaveAttribute("data-phase", "invalid");
  await expect(resultsDialog(page).getByRole("alert")).toHaveText("The canvas is empty: drag nodes from the palette first.");
  await page.keyboard.press("Escape");
  await expect(resultsDialog(page)).toHaveCount(0);
  await expect(canvas(page)).toBeVisible();
});
