/**
 * A faithful TypeScript port of the seed prototype's executor (phase-2 design document, executor.py):
 * Kahn's algorithm over a graph built from the connections, then, for every node, `_get_node_inputs`
 * scanning every connection and `_get_node` scanning every block, one awaited handler per node.
 * It exists only as the benchmark's baseline.
 */

type Block = { id: string; name?: string; category: string; type: string; properties?: Record<string, unknown>; inputs?: { name: string }[]; outputs?: { name: string }[] };
type Conn = { from: { blockId: string; index: number }; to: { blockId: string; index: number } };

const PORTS: Record<string, { inputs: string[]; outputs: string[] }> = {
  constant: { inputs: [], outputs: ["value"] },
  math: { inputs: ["a", "b"], outputs: ["result"] },
  compare: { inputs: ["value1", "operator", "value2"], outputs: ["result"] },
  and: { inputs: ["input1", "input2"], outputs: ["output"] },
};

export class SeedExecutor {
  private readonly nodeOutputs = new Map<string, Record<string, unknown>>();
  constructor(private readonly workflow: { blocks: Block[]; connections: Conn[] }) {
    // The seed's blocks carry their port lists; give the synthetic ones theirs.
    for (const b of workflow.blocks) {
      const p = PORTS[b.type]!;
      b.inputs ??= p.inputs.map((name) => ({ name }));
      b.outputs ??= p.outputs.map((name) => ({ name }));
    }
  }

  private topologicalSort(): string[] {
    const graph = new Map<string, string[]>();
    const inDegree = new Map<string, number>();
    const allNodes = this.workflow.blocks.map((b) => b.id);
    for (const conn of this.workflow.connections) {
      const from = conn.from.blockId;
      const to = conn.to.blockId;
      if (!graph.has(from)) graph.set(from, []);
      graph.get(from)!.push(to);
      inDegree.set(to, (inDegree.get(to) ?? 0) + 1);
    }
    const queue = allNodes.filter((n) => (inDegree.get(n) ?? 0) === 0);
    const result: string[] = [];
    let head = 0;
    while (head < queue.length) {
      const node = queue[head++]!;
      result.push(node);
      for (const neighbor of graph.get(node) ?? []) {
        const d = (inDegree.get(neighbor) ?? 0) - 1;
        inDegree.set(neighbor, d);
        if (d === 0) queue.push(neighbor);
      }
    }
    if (result.length !== allNodes.length) throw new Error("Workflow contains cycles - cannot execute");
    return result;
  }

  private getNode(id: string): Block | undefined {
    for (const b of this.workflow.blocks) if (b.id === id) return b;
    return undefined;
  }

  private async getNodeInputs(nodeId: string): Promise<Record<string, unknown>> {
    const inputs: Record<string, unknown> = {};
    for (const conn of this.workflow.connections) {
      if (conn.to.blockId === nodeId) {
        const fromNode = this.getNode(conn.from.blockId)!;
        const fromName = fromNode.outputs![conn.from.index]!.name;
        const out = this.nodeOutputs.get(conn.from.blockId);
        if (out) {
          const toNode = this.getNode(nodeId)!;
          inputs[toNode.inputs![conn.to.index]!.name] = out[fromName];
        }
      }
    }
    return inputs;
  }

  private async executeNode(node: Block, inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const p = node.properties ?? {};
    switch (node.type) {
      case "constant":
        return { value: p.value };
      case "math": {
        const a = Number(inputs.a ?? 0);
        const b = Number(inputs.b ?? 0);
        return { result: p.operation === "max" ? Math.max(a, b) : Math.min(a, b) };
      }
      case "compare":
        return { result: Number(inputs.value1 ?? 0) > Number(inputs.value2 ?? 0) };
      case "and":
        return { output: Boolean(inputs.input1) && Boolean(inputs.input2) };
      default:
        return {};
    }
  }

  async execute(): Promise<{ status: string; duration: number; results: unknown[]; errors: unknown[] }> {
    const start = performance.now();
    const order = this.topologicalSort();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const nodeId of order) {
      const node = this.getNode(nodeId)!;
      const t0 = performance.now();
      try {
        const inputs = await this.getNodeInputs(nodeId);
        const output = await this.executeNode(node, inputs);
        this.nodeOutputs.set(nodeId, output);
        results.push({ nodeId, nodeName: node.name ?? node.type, nodeType: node.category, output, duration: performance.now() - t0 });
      } catch (e) {
        errors.push({ nodeId, error: String(e) });
      }
    }
    return { status: errors.length ? "failed" : "completed", duration: performance.now() - start, results, errors };
  }
}
