/**
 * The editor's graph model, pure TypeScript: conversion between the workflow document (index-addressed
 * ports, the seed's format) and the canvas (React Flow nodes and edges, with handles named by port so a
 * provider's outputs can change without rewiring the wrong ports), and the connection rules, which use
 * the same catalog, port types and port resolution as the server's validator.
 */
import type { Block, WorkflowDocument } from "../workflow/format";
import type { NodeCatalog } from "../workflow/definition";
import { resolvePorts } from "../workflow/definition";
import { portsCompatible, type PortSpec } from "../workflow/ports";
import { withDefaults } from "../workflow/properties";
import { effectivePorts } from "../workflow/validate";

/** What a canvas node carries: the block minus its id and position. */
export interface BlockData {
  [key: string]: unknown;
  category: string;
  type: string;
  name?: string;
  properties: Record<string, unknown>;
  /** The block's own port lists, when its document gave them (the seed's documents do). */
  declaredInputs?: { name: string }[];
  declaredOutputs?: { name: string }[];
  /** Any other fields the block had, kept so that nothing a document carried is lost. */
  extra?: Record<string, unknown>;
}

export interface FlowNode {
  id: string;
  type: "block";
  position: { x: number; y: number };
  data: BlockData;
  selected?: boolean;
}

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
  selected?: boolean;
}

export const outHandle = (port: string) => `out:${port}`;
export const inHandle = (port: string) => `in:${port}`;
export const portOfHandle = (handle: string | null | undefined) => (handle ?? "").replace(/^(in|out):/, "");
export const edgeId = (e: { source: string; sourceHandle: string; target: string; targetHandle: string }) =>
  `${e.source}.${portOfHandle(e.sourceHandle)}->${e.target}.${portOfHandle(e.targetHandle)}`;

const KNOWN = new Set(["id", "category", "type", "name", "properties", "inputs", "outputs", "position"]);

export interface NodePorts {
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
}

/** A node's ports, resolved exactly as the validator resolves them. Unknown node types have none. */
export function portsOf(catalog: NodeCatalog, data: BlockData): NodePorts {
  const def = catalog.get(data.category, data.type);
  if (!def) return { inputs: [], outputs: [] };
  const props = withDefaults(def.properties, data.properties);
  const block = { id: "", category: data.category, type: data.type, inputs: data.declaredInputs, outputs: data.declaredOutputs } as Block;
  return {
    inputs: effectivePorts(block, "input", resolvePorts(def.inputs, props), []),
    outputs: effectivePorts(block, "output", resolvePorts(def.outputs, props), []),
  };
}

/** Document -> canvas. Blocks without a position are laid out on a simple grid (auto-layout can tidy). */
export function flowFromDocument(catalog: NodeCatalog, doc: WorkflowDocument): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes: FlowNode[] = doc.blocks.map((b, i) => {
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) if (!KNOWN.has(k)) extra[k] = v;
    const data: BlockData = { category: b.category, type: b.type, properties: { ...(b.properties ?? {}) } };
    if (b.name !== undefined) data.name = b.name;
    if (b.inputs) data.declaredInputs = b.inputs.map((p) => ({ name: p.name }));
    if (b.outputs) data.declaredOutputs = b.outputs.map((p) => ({ name: p.name }));
    if (Object.keys(extra).length > 0) data.extra = extra;
    return { id: b.id, type: "block", position: b.position ? { x: b.position.x, y: b.position.y } : { x: (i % 4) * 280, y: Math.floor(i / 4) * 180 }, data };
  });
  const ports = new Map(nodes.map((n) => [n.id, portsOf(catalog, n.data)]));
  const edges: FlowEdge[] = [];
  for (const c of doc.connections) {
    const out = ports.get(c.from.blockId)?.outputs[c.from.index];
    const inp = ports.get(c.to.blockId)?.inputs[c.to.index];
    if (!out || !inp) continue; // the validator reports these; the canvas cannot draw them
    const e = { source: c.from.blockId, sourceHandle: outHandle(out.name), target: c.to.blockId, targetHandle: inHandle(inp.name) };
    edges.push({ id: edgeId(e), ...e });
  }
  return { nodes, edges };
}

/** Canvas -> document, in the seed's format, port indices resolved from the current ports. */
export function documentFromFlow(catalog: NodeCatalog, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): WorkflowDocument {
  const ports = new Map(nodes.map((n) => [n.id, portsOf(catalog, n.data)]));
  const blocks = nodes.map((n) => {
    const d = n.data;
    const block: Block = {
      id: n.id,
      category: d.category,
      type: d.type,
      ...(d.name ? { name: d.name } : {}),
      properties: { ...d.properties },
      ...(d.declaredInputs ? { inputs: d.declaredInputs } : {}),
      ...(d.declaredOutputs ? { outputs: d.declaredOutputs } : {}),
      position: { x: Math.round(n.position.x * 100) / 100, y: Math.round(n.position.y * 100) / 100 },
      ...(d.extra ?? {}),
    };
    return block;
  });
  const connections = [];
  for (const e of edges) {
    const from = ports.get(e.source)?.outputs.findIndex((p) => p.name === portOfHandle(e.sourceHandle)) ?? -1;
    const to = ports.get(e.target)?.inputs.findIndex((p) => p.name === portOfHandle(e.targetHandle)) ?? -1;
    if (from < 0 || to < 0) continue;
    connections.push({ from: { blockId: e.source, index: from }, to: { blockId: e.target, index: to } });
  }
  return { blocks, connections };
}

/** Drops edges whose ports no longer exist (e.g. a provider endpoint was switched off). */
export function pruneEdges(catalog: NodeCatalog, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): FlowEdge[] {
  const ports = new Map(nodes.map((n) => [n.id, portsOf(catalog, n.data)]));
  const kept = edges.filter((e) => {
    const out = ports.get(e.source)?.outputs.some((p) => p.name === portOfHandle(e.sourceHandle));
    const inp = ports.get(e.target)?.inputs.some((p) => p.name === portOfHandle(e.targetHandle));
    return out && inp;
  });
  return kept.length === edges.length ? (edges as FlowEdge[]) : kept;
}

export type ConnectionCheck = { ok: true; replaces?: string } | { ok: false; reason: string };

/**
 * May this wire be drawn? The validator's rules, applied to one new connection: both ports exist,
 * their types are compatible, and it does not close a cycle. A wire into an input that already has one
 * replaces it (the input still takes one connection); `replaces` names the edge that goes.
 */
export function checkConnection(
  catalog: NodeCatalog,
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  c: { source: string | null; target: string | null; sourceHandle?: string | null; targetHandle?: string | null },
): ConnectionCheck {
  if (!c.source || !c.target) return { ok: false, reason: "Drop the wire on a port" };
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target) return { ok: false, reason: "That node no longer exists" };
  const srcName = source.data.name || labelOf(catalog, source.data);
  const tgtName = target.data.name || labelOf(catalog, target.data);
  if (c.source === c.target) return { ok: false, reason: `${srcName} cannot feed itself` };
  const out = portsOf(catalog, source.data).outputs.find((p) => p.name === portOfHandle(c.sourceHandle));
  const inp = portsOf(catalog, target.data).inputs.find((p) => p.name === portOfHandle(c.targetHandle));
  if (!out || !inp) return { ok: false, reason: "Connect an output (right side) to an input (left side)" };
  if (!portsCompatible(out.type, inp.type)) {
    return { ok: false, reason: `${srcName}.${out.name} is ${out.type}, but ${tgtName}.${inp.name} takes ${inp.type}` };
  }
  // A cycle: the target already reaches the source.
  const adjacency = new Map<string, string[]>();
  for (const e of edges) {
    const list = adjacency.get(e.source);
    if (list) list.push(e.target);
    else adjacency.set(e.source, [e.target]);
  }
  const parent = new Map<string, string>([[target.id, ""]]);
  const stack = [target.id];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === source.id) {
      const path: string[] = [];
      for (let at = id; at; at = parent.get(at) ?? "") path.unshift(at);
      const names = [source.id, ...path].map((nid) => {
        const n = nodes.find((x) => x.id === nid)!;
        return n.data.name || labelOf(catalog, n.data);
      });
      return { ok: false, reason: `That would close a cycle: ${names.join(" → ")}` };
    }
    for (const next of adjacency.get(id) ?? []) {
      if (!parent.has(next)) {
        parent.set(next, id);
        stack.push(next);
      }
    }
  }
  const taken = edges.find((e) => e.target === target.id && portOfHandle(e.targetHandle) === inp.name);
  return taken ? { ok: true, replaces: taken.id } : { ok: true };
}

export function labelOf(catalog: NodeCatalog, data: { category: string; type: string }): string {
  return catalog.get(data.category, data.type)?.label ?? `${data.category}/${data.type}`;
}

/** A block id not yet used: `<type>_<n>`. */
export function freshId(type: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = `${type}_${n}`;
    if (!taken.has(id)) return id;
  }
}
