import { expect, test } from "@playwright/test";

const slowWorkflow = {
  blocks: [
    { id: "price", category: "providers", type: "binance", properties: { enabled_endpoints: ["price_feed"] } },
    { id: "wait", category: "values", type: "delay", properties: { ms: 1500 } },
    { id: "check", category: "conditions", type: "threshold", properties: { min: 0 } },
  ],
  connections: [
    { from: { blockId: "price", index: 0 }, to: { blockId: "wait", index: 0 } },
    { from: { blockId: "price", index: 0 }, to: { blockId: "check", index: 0 } },
  ],
};

test("the production server streams each node's event as it finishes, not all at the end", async ({ baseURL }) => {
  const res = await fetch(`${baseURL}/api/workflow/execute`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", "accept-encoding": "gzip, deflate, br" },
    body: JSON.stringify({ workflow: slowWorkflow }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-encoding")).toBeNull();
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  // Read until the provider's result has arrived; the delay node is still waiting on the server, so
  // the run's last event cannot be in what we have read so far unless the server held events back.
  while (!text.includes('"nodeId":"price"') || !text.includes("event: node-finished")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  expect(text).toContain("event: node-finished");
  expect(text).not.toContain("event: run-finished");
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  expect(text).toContain("event: run-finished");
  expect(text.match(/event: node-finished/g)).toHaveLength(3);
});

test("bad input gets a clear 4xx from the production server, and it keeps serving", async ({ baseURL }) => {
  const bad = await fetch(`${baseURL}/api/workflow/execute`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: "malformed JSON" });
  const big = await fetch(`${baseURL}/api/workflow/execute`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(11 * 1024 * 1024) }) });
  expect(big.status).toBe(413);
  const missing = await fetch(`${baseURL}/api/runs/nope`);
  expect(missing.status).toBe(404);
  const ok = await fetch(`${baseURL}/api/nodes`);
  expect(ok.status).toBe(200);
});
