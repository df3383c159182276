import { describe, expect, it } from "vitest";
import { createRunStore } from "./run-store";

const ref = (nodeId: string) => ({ nodeId, nodeName: nodeId, nodeType: "values", blockType: "constant" });

describe("run store", () => {
  it("fills in node results as events arrive, changing only the node an event is about", () => {
    const store = createRunStore();
    store.getState().apply({ event: "run-started", seq: 1, runId: "r", mode: "simulated", at: "t", order: ["a", "b"] });
    store.getState().apply({ event: "node-started", seq: 2, ...ref("a") });
    store.getState().apply({ event: "node-finished", seq: 3, ...ref("a"), output: { value: 1 }, duration: 2 });
    const a = store.getState().byNode.a;
    store.getState().apply({ event: "node-started", seq: 4, ...ref("b") });
    expect(store.getState().byNode.a).toBe(a); // untouched entry keeps its identity
    expect(store.getState().byNode.b).toEqual({ status: "running" });
    store.getState().apply({ event: "node-failed", seq: 5, ...ref("b"), error: "boom", duration: 1 });
    store.getState().apply({ event: "node-skipped", seq: 6, ...ref("c"), reason: "upstream", blockedBy: "b" });
    store.getState().apply({ event: "run-finished", seq: 7, runId: "r", status: "failed", duration: 9 });
    expect(store.getState()).toMatchObject({ phase: "failed", duration: 9, rows: ["a", "b", "c"] });
    expect(store.getState().byNode.b).toEqual({ status: "failed", duration: 1, error: "boom" });
  });

  it("shows a stored run from the history", () => {
    const store = createRunStore();
    store.getState().show({ runId: "r2", mode: "simulated", status: "completed", duration: 5, results: [{ ...ref("a"), status: "succeeded", output: { value: 2 }, duration: 1 }] });
    expect(store.getState()).toMatchObject({ phase: "completed", runId: "r2", rows: ["a"] });
  });

  it("records a refused or stopped run with its messages", () => {
    const store = createRunStore();
    store.getState().begin();
    store.getState().fail("cancelled", ["Stopped"]);
    expect(store.getState()).toMatchObject({ phase: "cancelled", messages: ["Stopped"] });
  });
});
