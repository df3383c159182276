import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type Node, type NodeChange } from "@xyflow/react";
import { createStore } from "zustand/vanilla";
import { Graph, layout } from "@dagrejs/dagre";
import type { NodeCatalog } from "../workflow/definition";
import { withDefaults } from "../workflow/properties";
import type { WorkflowDocument } from "../workflow/format";
import {
  checkConnection,
  documentFromFlow,
  edgeId,
  flowFromDocument,
  freshId,
  pruneEdges,
  type BlockData,
  type FlowEdge,
} from "../editor/model";

export type EditorNode = Node<BlockData, "block">;
type Snapshot = { nodes: EditorNode[]; edges: FlowEdge[] };

export interface Notice {
  kind: "error" | "info";
  text: string;
  /** Changes on every notice, so the same text twice still shows. */
  key: number;
}

export interface EditorMeta {
  workflowId: string | null;
  name: string;
  description: string;
  version: number | null;
}

export interface EditorState extends EditorMeta {
  nodes: EditorNode[];
  edges: FlowEdge[];
  dirty: boolean;
  past: Snapshot[];
  future: Snapshot[];
  clipboard: Snapshot | null;
  notice: Notice | null;
  /** Validation messages by block id (and "" for the document as a whole), shown on the nodes. */
  problems: Record<string, string[]>;
  /** Bumped whenever a document is loaded, so the canvas can fit it into view. */
  loads: number;

  onNodesChange(changes: NodeChange<EditorNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  connect(c: { source: string | null; target: string | null; sourceHandle?: string | null; targetHandle?: string | null }): boolean;
  addBlock(category: string, type: string, position: { x: number; y: number }): string | null;
  updateBlock(id: string, patch: { name?: string; properties?: Record<string, unknown> }): void;
  /** Call before a drag starts, so the move is one undo step. */
  beginMove(): void;
  deleteSelection(): void;
  selectAll(): void;
  copy(): number;
  paste(offset?: { x: number; y: number }): number;
  duplicate(): number;
  undo(): void;
  redo(): void;
  autoLayout(): void;
  setMeta(patch: Partial<Pick<EditorMeta, "name" | "description">>): void;
  load(input: EditorMeta & { document: WorkflowDocument }): void;
  markSaved(meta: EditorMeta): void;
  toDocument(): WorkflowDocument;
  setProblems(problems: Record<string, string[]>): void;
  notify(kind: Notice["kind"], text: string): void;
}

const HISTORY_LIMIT = 100;
let noticeKey = 0;

function strip(nodes: EditorNode[]): EditorNode[] {
  return nodes.map((n) => (n.selected || n.dragging ? { ...n, selected: false, dragging: false } : n));
}

/** Creates one editor's store. One per editor mount: never a module global shared between requests. */
export function createEditorStore(catalog: NodeCatalog, initial?: Partial<EditorMeta> & { document?: WorkflowDocument }) {
  const start = initial?.document ? flowFromDocument(catalog, initial.document) : { nodes: [], edges: [] };
  return createStore<EditorState>()((set, get) => {
    /** Records the current graph as an undo step, then applies a change to it. */
    const commit = (next: Partial<Pick<EditorState, "nodes" | "edges">> & Partial<EditorState>) => {
      const { nodes, edges, past } = get();
      set({
        ...next,
        past: [...past.slice(-(HISTORY_LIMIT - 1)), { nodes: strip(nodes), edges }],
        future: [],
        dirty: true,
        problems: {},
      });
    };

    const selected = () => {
      const { nodes, edges } = get();
      const ids = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
      return { ids, nodes: nodes.filter((n) => ids.has(n.id)), edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
    };

    const insert = (clip: Snapshot, offset: { x: number; y: number }): number => {
      const { nodes, edges } = get();
      const taken = new Set(nodes.map((n) => n.id));
      const rename = new Map<string, string>();
      const added: EditorNode[] = clip.nodes.map((n) => {
        const id = freshId(n.data.type, taken);
        taken.add(id);
        rename.set(n.id, id);
        return { ...n, id, selected: true, position: { x: n.position.x + offset.x, y: n.position.y + offset.y }, data: structuredClone(n.data) };
      });
      const wires: FlowEdge[] = clip.edges.map((e) => {
        const w = { ...e, source: rename.get(e.source)!, target: rename.get(e.target)!, selected: false };
        return { ...w, id: edgeId(w) };
      });
      commit({ nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added], edges: [...edges, ...wires] });
      return added.length;
    };

    return {
      workflowId: initial?.workflowId ?? null,
      name: initial?.name ?? "Untitled strategy",
      description: initial?.description ?? "",
      version: initial?.version ?? null,
      nodes: start.nodes as EditorNode[],
      edges: start.edges,
      dirty: false,
      past: [],
      future: [],
      clipboard: null,
      notice: null,
      problems: {},
      loads: 0,

      onNodesChange(changes) {
        const structural = changes.some((c) => c.type === "remove" || c.type === "add");
        if (structural) {
          const removed = new Set(changes.flatMap((c) => (c.type === "remove" ? [c.id] : [])));
          const { nodes, edges } = get();
          commit({ nodes: applyNodeChanges(changes, nodes), edges: edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) });
          return;
        }
        const moved = changes.some((c) => c.type === "position" && c.position);
        set((s) => ({ nodes: applyNodeChanges(changes, s.nodes), ...(moved ? { dirty: true } : {}) }));
      },

      onEdgesChange(changes) {
        const structural = changes.some((c) => c.type === "remove" || c.type === "add");
        if (structural) commit({ edges: applyEdgeChanges(changes, get().edges) });
        else set((s) => ({ edges: applyEdgeChanges(changes, s.edges) }));
      },

      connect(c) {
        const { nodes, edges } = get();
        const check = checkConnection(catalog, nodes as never, edges, c);
        if (!check.ok) {
          get().notify("error", check.reason);
          return false;
        }
        const wire = { source: c.source!, target: c.target!, sourceHandle: c.sourceHandle!, targetHandle: c.targetHandle! };
        commit({ edges: [...edges.filter((e) => e.id !== check.replaces), { id: edgeId(wire), ...wire }] });
        return true;
      },

      addBlock(category, type, position) {
        const def = catalog.get(category, type);
        if (!def) return null;
        const id = freshId(type, new Set(get().nodes.map((n) => n.id)));
        const node: EditorNode = { id, type: "block", position, selected: true, data: { category, type, properties: withDefaults(def.properties, {}) } };
        commit({ nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
        return id;
      },

      updateBlock(id, patch) {
        const nodes = get().nodes.map((n) => {
          if (n.id !== id) return n;
          const data: BlockData = { ...n.data };
          if (patch.name !== undefined) data.name = patch.name;
          if (patch.properties) {
            data.properties = { ...data.properties, ...patch.properties };
            // Declared port lists from an imported document would pin the old ports; let the catalog decide.
            delete data.declaredOutputs;
            delete data.declaredInputs;
          }
          return { ...n, data };
        });
        commit({ nodes, edges: pruneEdges(catalog, nodes as never, get().edges) });
      },

      beginMove() {
        const { nodes, edges, past } = get();
        set({ past: [...past.slice(-(HISTORY_LIMIT - 1)), { nodes: strip(nodes), edges }], future: [] });
      },

      deleteSelection() {
        const { nodes, edges } = get();
        const ids = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const keptEdges = edges.filter((e) => !e.selected && !ids.has(e.source) && !ids.has(e.target));
        if (ids.size === 0 && keptEdges.length === edges.length) return;
        commit({ nodes: nodes.filter((n) => !ids.has(n.id)), edges: keptEdges });
      },

      selectAll() {
        set((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) }));
      },

      copy() {
        const sel = selected();
        if (sel.nodes.length === 0) return 0;
        set({ clipboard: { nodes: strip(sel.nodes), edges: sel.edges } });
        return sel.nodes.length;
      },

      paste(offset = { x: 40, y: 40 }) {
        const clip = get().clipboard;
        return clip ? insert(clip, offset) : 0;
      },

      duplicate() {
        const sel = selected();
        if (sel.nodes.length === 0) return 0;
        return insert({ nodes: strip(sel.nodes), edges: sel.edges }, { x: 40, y: 40 });
      },

      undo() {
        const { past, future, nodes, edges } = get();
        const prev = past[past.length - 1];
        if (!prev) return;
        set({ nodes: prev.nodes, edges: prev.edges, past: past.slice(0, -1), future: [{ nodes: strip(nodes), edges }, ...future], dirty: true, problems: {} });
      },

      redo() {
        const { past, future, nodes, edges } = get();
        const next = future[0];
        if (!next) return;
        set({ nodes: next.nodes, edges: next.edges, future: future.slice(1), past: [...past, { nodes: strip(nodes), edges }], dirty: true, problems: {} });
      },

      autoLayout() {
        const { nodes, edges } = get();
        if (nodes.length === 0) return;
        const g = new Graph();
        g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
        g.setDefaultEdgeLabel(() => ({}));
        for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? 220, height: n.measured?.height ?? 120 });
        for (const e of edges) g.setEdge(e.source, e.target);
        layout(g);
        const laid = nodes.map((n) => {
          const p = g.node(n.id);
          const w = n.measured?.width ?? 220;
          const h = n.measured?.height ?? 120;
          return { ...n, position: { x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2) } };
        });
        commit({ nodes: laid });
      },

      setMeta(patch) {
        set({ ...patch, dirty: true });
      },

      load({ document, ...meta }) {
        const flow = flowFromDocument(catalog, document);
        set((s) => ({ ...meta, nodes: flow.nodes as EditorNode[], edges: flow.edges, dirty: false, past: [], future: [], problems: {}, loads: s.loads + 1 }));
      },

      markSaved(meta) {
        set({ ...meta, dirty: false });
      },

      toDocument() {
        const { nodes, edges } = get();
        return documentFromFlow(catalog, nodes as never, edges);
      },

      setProblems(problems) {
        set({ problems });
      },

      notify(kind, text) {
        set({ notice: { kind, text, key: ++noticeKey } });
      },
    };
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;
