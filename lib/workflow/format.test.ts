import { describe, expect, it } from "vitest";
import { WorkflowDocumentSchema } from "./format";
import { plainDocument } from "./validate";

/** Deterministic generator of slightly broken documents, to check the fast path against the schema. */
function* mutations(): Generator<unknown> {
  const base = () => ({
    blocks: [
      { id: "a", category: "values", type: "constant", properties: { value: 1 }, position: { x: 1, y: 2 } },
      { id: "b", category: "values", type: "math", name: "Sum", inputs: [{ name: "a" }], outputs: [{ name: "result" }] },
    ],
    connections: [{ from: { blockId: "a", index: 0 }, to: { blockId: "b", index: 0 } }],
  });
  const values: unknown[] = [undefined, null, 0, -1, 1.5, "", "x", "x".repeat(201), [], {}, [{}], { name: "" }, Infinity, true];
  const paths: (string | number)[][] = [
    ["blocks"], ["connections"], ["blocks", 0], ["blocks", 0, "id"], ["blocks", 0, "category"], ["blocks", 0, "type"],
    ["blocks", 1, "name"], ["blocks", 0, "properties"], ["blocks", 1, "inputs"], ["blocks", 1, "outputs"], ["blocks", 1, "inputs", 0],
    ["blocks", 1, "inputs", 0, "name"], ["blocks", 0, "position"], ["blocks", 0, "position", "x"], ["connections", 0],
    ["connections", 0, "from"], ["connections", 0, "from", "blockId"], ["connections", 0, "to", "index"],
  ];
  yield base();
  for (const path of paths) {
    for (const value of values) {
      const doc = base() as Record<string, unknown>;
      let node: Record<string | number, unknown> = doc;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      const last = path[path.length - 1]!;
      if (value === undefined) delete node[last];
      else node[last] = value;
      yield doc;
    }
  }
}

describe("the structural fast path", () => {
  it("accepts a document only when the zod schema accepts it, and returns the same data", () => {
    let accepted = 0;
    let checked = 0;
    for (const doc of mutations()) {
      checked++;
      const fast = plainDocument(doc);
      const slow = WorkflowDocumentSchema.safeParse(doc);
      if (fast) {
        accepted++;
        expect(slow.success, JSON.stringify(doc)).toBe(true);
        if (slow.success) expect(fast).toEqual(slow.data);
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(accepted).toBeGreaterThan(10);
  });
});
