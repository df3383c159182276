import { describe, expect, it } from "vitest";
import { IndexHeap, findCycles, topologicalOrder } from "./graph";

function graph(n: number, edges: [number, number][]) {
  const successors: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Array<number>(n).fill(0);
  for (const [a, b] of edges) {
    successors[a]!.push(b);
    indegree[b]! += 1;
  }
  return { successors, indegree };
}

describe("IndexHeap", () => {
  it("pops in ascending order whatever the push order", () => {
    const heap = new IndexHeap();
    const values = [9, 3, 7, 1, 8, 2, 6, 0, 5, 4, 3];
    values.forEach((v) => heap.push(v));
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});

describe("topologicalOrder", () => {
  it("puts every block after its dependencies, ties in block order", () => {
    // 3 -> 0, 2 -> 1: sources 2 and 3 are ready first; 2 comes first (lower index), then 1 is ready (index 1 < 3)
    const { successors, indegree } = graph(4, [
      [3, 0],
      [2, 1],
    ]);
    expect(topologicalOrder(4, successors, indegree)).toEqual({ order: [2, 1, 3, 0], blocked: [] });
  });

  it("orders the seed's example: two providers, a spread, a threshold, a buy", () => {
    const { successors, indegree } = graph(5, [
      [0, 2],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(topologicalOrder(5, successors, indegree).order).toEqual([0, 1, 2, 3, 4]);
  });

  it("reports the blocks it cannot order when there is a cycle", () => {
    const { successors, indegree } = graph(4, [
      [0, 1],
      [1, 2],
      [2, 1],
      [2, 3],
    ]);
    const { order, blocked } = topologicalOrder(4, successors, indegree);
    expect(order).toEqual([0]);
    expect(blocked).toEqual([1, 2, 3]);
  });
});

describe("findCycles", () => {
  it("finds each distinct cycle, starting from its earliest block", () => {
    const { successors } = graph(6, [
      [1, 2],
      [2, 3],
      [3, 1],
      [4, 5],
      [5, 4],
      [3, 4],
    ]);
    expect(findCycles([1, 2, 3, 4, 5], successors)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("finds a self-loop", () => {
    const { successors } = graph(2, [[1, 1]]);
    expect(findCycles([1], successors)).toEqual([[1]]);
  });

  it("handles a long cycle without recursion", () => {
    const n = 50_000;
    const edges: [number, number][] = [];
    for (let i = 0; i < n; i++) edges.push([i, (i + 1) % n]);
    const { successors } = graph(n, edges);
    const cycles = findCycles(Array.from({ length: n }, (_, i) => i), successors);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
  });
});
