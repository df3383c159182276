/**
 * Graph algorithms over blocks numbered 0..n-1 (their position in the document), with successor lists
 * built once. Everything here is O(N + E) apart from the heap that keeps ties in block order.
 */

/** A binary min-heap of block indices: among ready blocks, the earliest in the document goes first. */
export class IndexHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (p <= value) break;
      a[i] = p;
      i = parent;
    }
    a[i] = value;
  }

  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]! < a[l]! ? r : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/**
 * Kahn's algorithm with ties broken by block order. Returns the order, or null for the blocks that could
 * not be ordered (they lie on or downstream of a cycle) in `blocked`.
 */
export function topologicalOrder(
  count: number,
  successors: readonly (readonly number[])[],
  indegree: readonly number[],
): { order: number[]; blocked: number[] } {
  const remaining = indegree.slice();
  const heap = new IndexHeap();
  for (let i = 0; i < count; i++) if (remaining[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const node = heap.pop()!;
    order.push(node);
    for (const next of successors[node]!) {
      const left = remaining[next]! - 1;
      remaining[next] = left;
      if (left === 0) heap.push(next);
    }
  }
  const blocked: number[] = [];
  if (order.length !== count) for (let i = 0; i < count; i++) if (remaining[i]! > 0) blocked.push(i);
  return { order, blocked };
}

/**
 * Finds up to `limit` distinct cycles among `candidates` (iterative DFS, so deep graphs do not overflow
 * the stack). Each cycle is listed in edge order, starting from its earliest block.
 */
export function findCycles(
  candidates: readonly number[],
  successors: readonly (readonly number[])[],
  limit = 5,
): number[][] {
  const inScope = new Set(candidates);
  const state = new Map<number, 1 | 2>(); // 1 = on the current path, 2 = finished
  const cycles: number[][] = [];
  const seen = new Set<string>();
  for (const start of candidates) {
    if (state.has(start) || cycles.length >= limit) continue;
    const path: number[] = [start];
    const cursor: number[] = [0];
    state.set(start, 1);
    while (path.length > 0 && cycles.length < limit) {
      const top = path.length - 1;
      const node = path[top]!;
      const succ = successors[node]!;
      const k = cursor[top]!;
      if (k >= succ.length) {
        state.set(node, 2);
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[top] = k + 1;
      const next = succ[k]!;
      if (!inScope.has(next)) continue;
      const s = state.get(next);
      if (s === 1) {
        const cycle = path.slice(path.indexOf(next));
        const minAt = cycle.indexOf(Math.min(...cycle));
        const rotated = [...cycle.slice(minAt), ...cycle.slice(0, minAt)];
        const key = rotated.join(",");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(rotated);
        }
      } else if (s === undefined) {
        state.set(next, 1);
        path.push(next);
        cursor.push(0);
      }
    }
  }
  return cycles;
}
