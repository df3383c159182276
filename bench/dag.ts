/** Synthetic compute-only workflows for the executor benchmark: math, compare and `and` nodes, about two edges per node. */

export interface SyntheticDoc {
  blocks: { id: string; category: string; type: string; properties?: Record<string, unknown> }[];
  connections: { from: { blockId: string; index: number }; to: { blockId: string; index: number } }[];
}

/** A deterministic pseudo-random DAG of `n` nodes; every input is fed by an earlier node. */
export function syntheticDag(n: number, seed = 1): SyntheticDoc {
  let state = seed >>> 0 || 1;
  const rand = (k: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % k;
  };
  const blocks: SyntheticDoc["blocks"] = [];
  const connections: SyntheticDoc["connections"] = [];
  const numbers: number[] = [];
  const booleans: number[] = [];
  // Pick from the recent past so the graph is deep as well as wide.
  const pick = (pool: number[]) => pool[pool.length - 1 - rand(Math.min(pool.length, 64))]!;
  for (let i = 0; i < n; i++) {
    const id = `n${i}`;
    if (i < 8) {
      blocks.push({ id, category: "values", type: "constant", properties: { value: i + 1 } });
      numbers.push(i);
      continue;
    }
    const kind = i % 4;
    if (kind === 3 && booleans.length >= 2) {
      blocks.push({ id, category: "conditions", type: "and" });
      connections.push({ from: { blockId: `n${pick(booleans)}`, index: 0 }, to: { blockId: id, index: 0 } });
      connections.push({ from: { blockId: `n${pick(booleans)}`, index: 0 }, to: { blockId: id, index: 1 } });
      booleans.push(i);
    } else if (kind === 2) {
      blocks.push({ id, category: "conditions", type: "compare", properties: { operator: ">" } });
      connections.push({ from: { blockId: `n${pick(numbers)}`, index: 0 }, to: { blockId: id, index: 0 } });
      connections.push({ from: { blockId: `n${pick(numbers)}`, index: 0 }, to: { blockId: id, index: 2 } });
      booleans.push(i);
    } else {
      blocks.push({ id, category: "values", type: "math", properties: { operation: rand(2) ? "min" : "max" } });
      connections.push({ from: { blockId: `n${pick(numbers)}`, index: 0 }, to: { blockId: id, index: 0 } });
      connections.push({ from: { blockId: `n${pick(numbers)}`, index: 0 }, to: { blockId: id, index: 1 } });
      numbers.push(i);
    }
  }
  return { blocks, connections };
}
