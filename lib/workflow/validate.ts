import type { z } from "zod";
import { WorkflowDocumentSchema, type Block, type WorkflowDocument } from "./format";
import { portsCompatible, type PortSpec } from "./ports";
import { checkProperties, propertiesSchema, withDefaults, type PropertyValues } from "./properties";
import { resolvePorts, type AnyNodeDefinition, type NodeCatalog } from "./definition";
import { findCycles, topologicalOrder } from "./graph";

/** One thing wrong with a workflow, precise enough to point at a block, a connection or a port. */
export type Problem =
  | { code: "schema"; path: string; blockId?: string; message: string }
  | { code: "unknown-node"; blockId: string; message: string }
  | { code: "duplicate-block"; blockId: string; message: string }
  | { code: "bad-property"; blockId: string; property: string; message: string }
  | { code: "unknown-port"; blockId: string; port: string; direction: "input" | "output"; message: string }
  | { code: "missing-block"; connection: number; blockId: string; end: "from" | "to"; message: string }
  | { code: "port-out-of-range"; connection: number; blockId: string; end: "from" | "to"; index: number; message: string }
  | { code: "input-taken"; connection: number; blockId: string; port: string; message: string }
  | { code: "type-mismatch"; connection: number; blockId: string; port: string; message: string }
  | { code: "cycle"; blockIds: string[]; message: string };

export interface CompiledBlock {
  index: number;
  id: string;
  name: string;
  category: string;
  type: string;
  def: AnyNodeDefinition;
  props: PropertyValues;
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
}

/** A source for one input: the upstream block (by index) and the output port name read from it. */
export interface InputSource {
  block: number;
  port: string;
}

/** A validated workflow, with the indexes the executor needs built once. */
export interface CompiledWorkflow {
  document: WorkflowDocument;
  blocks: CompiledBlock[];
  /** inputSources[b][k]: what feeds input k of block b, if anything. */
  inputSources: (InputSource | undefined)[][];
  /** Distinct downstream blocks of each block. */
  successors: number[][];
  /** Number of distinct upstream blocks of each block. */
  indegree: number[];
  /** A topological order, ties broken by block order. */
  order: number[];
  /** Things worth telling the user that do not stop a run (a node trading a market no provider reads). */
  warnings?: { blockId: string; message: string }[];
}

export type ValidationResult = { ok: true; workflow: CompiledWorkflow } | { ok: false; problems: Problem[] };

const schemaCache = new WeakMap<AnyNodeDefinition, z.ZodType<PropertyValues>>();
function propsSchemaOf(def: AnyNodeDefinition): z.ZodType<PropertyValues> {
  let s = schemaCache.get(def);
  if (!s) {
    s = propertiesSchema(def.properties);
    schemaCache.set(def, s);
  }
  return s;
}

function describePath(path: readonly PropertyKey[], raw: unknown): { path: string; blockId?: string } {
  let text = "";
  for (const p of path) text += typeof p === "number" ? `[${p}]` : text ? `.${String(p)}` : String(p);
  let blockId: string | undefined;
  if (path[0] === "blocks" && typeof path[1] === "number" && raw && typeof raw === "object") {
    const blocks = (raw as { blocks?: unknown }).blocks;
    const b = Array.isArray(blocks) ? (blocks[path[1]] as { id?: unknown } | undefined) : undefined;
    if (b && typeof b.id === "string") blockId = b.id;
  }
  return { path: text || "(document)", blockId };
}

/**
 * Resolves a block's effective ports: the catalog's, or, when the block lists its own (as the seed's
 * documents do), that list in that order, each name checked against the catalog.
 */
export function effectivePorts(
  block: Block,
  direction: "input" | "output",
  catalogPorts: readonly PortSpec[],
  problems: Problem[],
): readonly PortSpec[] {
  const declared = direction === "input" ? block.inputs : block.outputs;
  if (!declared) return catalogPorts;
  const byName = new Map(catalogPorts.map((p) => [p.name, p]));
  const out: PortSpec[] = [];
  for (const ref of declared) {
    const spec = byName.get(ref.name);
    if (!spec) {
      const known = catalogPorts.map((p) => p.name).join(", ") || "none";
      problems.push({
        code: "unknown-port",
        blockId: block.id,
        port: ref.name,
        direction,
        message: `Block "${block.id}" lists ${direction} "${ref.name}", which ${block.category}/${block.type} does not have here (its ${direction}s: ${known})`,
      });
      continue;
    }
    out.push(spec);
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown) => typeof v === "string" && v.length >= 1 && v.length <= 200;

function plainPorts(v: unknown): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  for (const p of v) if (!isObject(p) || typeof p.name !== "string" || p.name.length < 1) return false;
  return true;
}

function plainEndpoint(v: unknown): boolean {
  return isObject(v) && isId(v.blockId) && typeof v.index === "number" && Number.isInteger(v.index) && v.index >= 0;
}

/**
 * The structural check on its fast path: returns the document when it plainly satisfies every rule of
 * WorkflowDocumentSchema (checked field by field, no stricter and no looser), else null, and then the
 * zod schema itself decides and words the problems. Keeps 100k-block documents cheap to validate.
 */
export function plainDocument(raw: unknown): WorkflowDocument | null {
  if (!isObject(raw) || !Array.isArray(raw.blocks) || raw.blocks.length > 200_000) return null;
  const connections = raw.connections === undefined ? [] : raw.connections;
  if (!Array.isArray(connections) || connections.length > 400_000) return null;
  for (const b of raw.blocks as unknown[]) {
    if (!isObject(b) || !isId(b.id) || typeof b.category !== "string" || typeof b.type !== "string") return null;
    if (b.name !== undefined && (typeof b.name !== "string" || b.name.length > 200)) return null;
    if (b.properties !== undefined && !isObject(b.properties)) return null;
    if (!plainPorts(b.inputs) || !plainPorts(b.outputs)) return null;
    if (b.position !== undefined) {
      const p = b.position;
      if (!isObject(p) || typeof p.x !== "number" || !Number.isFinite(p.x) || typeof p.y !== "number" || !Number.isFinite(p.y)) return null;
    }
  }
  for (const c of connections as unknown[]) if (!isObject(c) || !plainEndpoint(c.from) || !plainEndpoint(c.to)) return null;
  return (raw.connections === undefined ? { ...raw, connections: [] } : raw) as WorkflowDocument;
}

/**
 * Validates a workflow document against the catalog and compiles it for execution. Collects every
 * problem it can find rather than stopping at the first; structural (schema) problems stop it early.
 */
export function validateWorkflow(raw: unknown, catalog: NodeCatalog): ValidationResult {
  const fast = plainDocument(raw);
  const parsed = fast ? { success: true as const, data: fast } : WorkflowDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.slice(0, 50).map((issue) => {
        const where = describePath(issue.path, raw);
        return {
          code: "schema" as const,
          path: where.path,
          ...(where.blockId ? { blockId: where.blockId } : {}),
          message: `${where.path}${where.blockId ? ` (block "${where.blockId}")` : ""}: ${issue.message}`,
        };
      }),
    };
  }
  const document = parsed.data;
  const problems: Problem[] = [];
  const blocks: CompiledBlock[] = [];
  const indexById = new Map<string, number>();

  document.blocks.forEach((block, index) => {
    if (indexById.has(block.id)) {
      problems.push({ code: "duplicate-block", blockId: block.id, message: `Block id "${block.id}" is used more than once (blocks ${indexById.get(block.id)} and ${index})` });
      return;
    }
    indexById.set(block.id, index);
    const def = catalog.get(block.category, block.type);
    if (!def) {
      const sameType = catalog.list().find((d) => d.type === block.type);
      problems.push({
        code: "unknown-node",
        blockId: block.id,
        message: sameType
          ? `Block "${block.id}": "${block.type}" belongs to category "${sameType.category}", not "${block.category}"`
          : `Block "${block.id}": unknown node type "${block.category}/${block.type}"`,
      });
      return;
    }
    const checked = checkProperties(def.properties, propsSchemaOf(def), block.properties ?? {});
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const property = String(issue.path[0] ?? "");
        problems.push({
          code: "bad-property",
          blockId: block.id,
          property,
          message: `Block "${block.id}": property "${property}" ${issue.message}`,
        });
      }
      return;
    }
    const props = withDefaults(def.properties, checked.data);
    blocks[index] = {
      index,
      id: block.id,
      name: block.name?.trim() || def.label,
      category: def.category,
      type: def.type,
      def,
      props,
      inputs: effectivePorts(block, "input", resolvePorts(def.inputs, props), problems),
      outputs: effectivePorts(block, "output", resolvePorts(def.outputs, props), problems),
    };
  });

  const n = document.blocks.length;
  const inputSources: (InputSource | undefined)[][] = [];
  const successors: number[][] = [];
  const indegree: number[] = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    inputSources.push(new Array<InputSource | undefined>(blocks[i]?.inputs.length ?? 0));
    successors.push([]);
  }

  document.connections.forEach((conn, c) => {
    const fromIndex = indexById.get(conn.from.blockId);
    const toIndex = indexById.get(conn.to.blockId);
    const label = `Connection ${c} (${conn.from.blockId}[${conn.from.index}] -> ${conn.to.blockId}[${conn.to.index}])`;
    if (fromIndex === undefined) {
      problems.push({ code: "missing-block", connection: c, blockId: conn.from.blockId, end: "from", message: `${label}: no block "${conn.from.blockId}"` });
    }
    if (toIndex === undefined) {
      problems.push({ code: "missing-block", connection: c, blockId: conn.to.blockId, end: "to", message: `${label}: no block "${conn.to.blockId}"` });
    }
    if (fromIndex === undefined || toIndex === undefined) return;
    const from = blocks[fromIndex];
    const to = blocks[toIndex];
    if (!from || !to) return; // that block already has its own problem
    const out = from.outputs[conn.from.index];
    const inp = to.inputs[conn.to.index];
    if (!out) {
      problems.push({
        code: "port-out-of-range",
        connection: c,
        blockId: from.id,
        end: "from",
        index: conn.from.index,
        message: `${label}: block "${from.id}" has no output ${conn.from.index} (it has ${from.outputs.length}: ${from.outputs.map((p) => p.name).join(", ") || "none"})`,
      });
    }
    if (!inp) {
      problems.push({
        code: "port-out-of-range",
        connection: c,
        blockId: to.id,
        end: "to",
        index: conn.to.index,
        message: `${label}: block "${to.id}" has no input ${conn.to.index} (it has ${to.inputs.length}: ${to.inputs.map((p) => p.name).join(", ") || "none"})`,
      });
    }
    if (!out || !inp) return;
    if (!portsCompatible(out.type, inp.type)) {
      problems.push({
        code: "type-mismatch",
        connection: c,
        blockId: to.id,
        port: inp.name,
        message: `${label}: output "${out.name}" of "${from.id}" is ${out.type}, but input "${inp.name}" of "${to.id}" takes ${inp.type}`,
      });
      return;
    }
    const sources = inputSources[toIndex]!;
    const existing = sources[conn.to.index];
    if (existing) {
      problems.push({
        code: "input-taken",
        connection: c,
        blockId: to.id,
        port: inp.name,
        message: `${label}: input "${inp.name}" of "${to.id}" is already connected from "${blocks[existing.block]!.id}"; an input takes one connection`,
      });
      return;
    }
    // Two connections between the same pair of blocks are one dependency. A block has few inputs, so
    // scanning its own sources keeps this O(1) per connection.
    const alreadyDepends = sources.some((s) => s !== undefined && s.block === fromIndex);
    sources[conn.to.index] = { block: fromIndex, port: out.name };
    if (!alreadyDepends) {
      successors[fromIndex]!.push(toIndex);
      indegree[toIndex]! += 1;
    }
  });

  const { order, blocked } = topologicalOrder(n, successors, indegree);
  if (blocked.length > 0) {
    for (const cycle of findCycles(blocked, successors)) {
      const ids = cycle.map((i) => document.blocks[i]!.id);
      problems.push({ code: "cycle", blockIds: ids, message: `Cycle: ${[...ids, ids[0]].join(" -> ")}; a workflow must not loop back on itself` });
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, workflow: { document, blocks, inputSources, successors, indegree, order } };
}
