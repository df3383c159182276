"use client";
/**
 * The canvas' wires, drawn in one layer instead of by React Flow.
 *
 * React Flow gives every edge its own wrapper with its own store selector, and every one of those
 * selectors recomputes its wire's end points whenever any node moves: dragging one node cost O(edges)
 * per frame (at 500 nodes and 1,000 wires, half of every drag frame). Here one subscription to React
 * Flow's store notices which nodes changed (their internal node objects are replaced when they move or
 * are measured) and recomputes only the wires that touch them; each wire re-renders only when its own
 * path changes. So React Flow is given no edges at all: the wires live in the editor store, which keeps
 * their selection, and this layer does what React Flow's edge wrapper did for users: the same DOM and
 * class names (so React Flow's styles apply), click and keyboard selection, multi-selection with the
 * multi-selection key, and selection of the wires touching nodes caught by a selection box.
 */
import { getBezierPath, Position, useStore, useStoreApi, type EdgeChange, type InternalNode, type NodeChange, type ReactFlowState, type XYPosition } from "@xyflow/react";
import { memo, useCallback, useLayoutEffect, useMemo, useSyncExternalStore, type KeyboardEvent } from "react";
import { createPortal } from "react-dom";
import type { FlowEdge } from "@/lib/editor/model";
import type { EditorNode, EditorStore } from "@/lib/store/editor-store";
import type { DragPreview } from "./drag-preview";
import { useEditor, useEditorStores } from "./editor-context";

type RfStore = ReturnType<typeof useStoreApi>;

/** A handle's connection point, as React Flow computes it (getHandlePosition in @xyflow/system). */
function handlePoint(node: InternalNode, kind: "source" | "target", handleId: string | null | undefined, at: XYPosition) {
  const bounds = node.internals.handleBounds?.[kind];
  const h = bounds ? (handleId ? bounds.find((b) => b.id === handleId) : bounds[0]) : undefined;
  if (!h || node.measured.width === undefined || node.measured.height === undefined) return null;
  const x = at.x + h.x;
  const y = at.y + h.y;
  switch (h.position) {
    case Position.Top:
      return { x: x + h.width / 2, y, position: h.position };
    case Position.Right:
      return { x: x + h.width, y: y + h.height / 2, position: h.position };
    case Position.Bottom:
      return { x: x + h.width / 2, y: y + h.height, position: h.position };
    default:
      return { x, y: y + h.height / 2, position: Position.Left };
  }
}

/**
 * The wire's bezier path, or null while either end is not measured yet (React Flow draws nothing then too).
 * `moved` gives where nodes being dragged are drawn (see DragPreview); other nodes are where React Flow has them.
 */
export function edgePath(edge: FlowEdge, nodeLookup: ReadonlyMap<string, InternalNode>, moved?: ReadonlyMap<string, XYPosition>): string | null {
  const sourceNode = nodeLookup.get(edge.source);
  const targetNode = nodeLookup.get(edge.target);
  if (!sourceNode || !targetNode || sourceNode.hidden || targetNode.hidden) return null;
  const s = handlePoint(sourceNode, "source", edge.sourceHandle, moved?.get(edge.source) ?? sourceNode.internals.positionAbsolute);
  const t = handlePoint(targetNode, "target", edge.targetHandle, moved?.get(edge.target) ?? targetNode.internals.positionAbsolute);
  if (!s || !t) return null;
  return getBezierPath({ sourceX: s.x, sourceY: s.y, sourcePosition: s.position, targetX: t.x, targetY: t.y, targetPosition: t.position })[0];
}

/** Paths by edge id, with one listener per edge, so a change re-renders only that edge. */
class EdgePaths {
  private paths = new Map<string, string | null>();
  private listeners = new Map<string, () => void>();
  get = (id: string) => this.paths.get(id) ?? null;
  set(id: string, d: string | null, notify: boolean) {
    if ((this.paths.get(id) ?? null) === d) return;
    this.paths.set(id, d);
    if (notify) this.listeners.get(id)?.();
  }
  has = (id: string) => this.paths.has(id);
  subscribe(id: string, listener: () => void) {
    this.listeners.set(id, listener);
    return () => {
      if (this.listeners.get(id) === listener) this.listeners.delete(id);
    };
  }
  retain(ids: ReadonlySet<string>) {
    for (const id of this.paths.keys()) if (!ids.has(id)) this.paths.delete(id);
  }
}

const selectDomNode = (s: ReactFlowState) => s.domNode;
const selectRfId = (s: ReactFlowState) => s.rfId;

/** Selects one wire the way React Flow's edge wrapper does (addSelectedEdges / unselectNodesAndEdges). */
function selectEdge(editor: EditorStore, rf: RfStore, id: string, toggle: boolean) {
  const { multiSelectionActive } = rf.getState();
  rf.setState({ nodesSelectionActive: false });
  const s = editor.getState();
  const edge = s.edges.find((e) => e.id === id);
  if (!edge) return;
  if (multiSelectionActive) {
    s.onEdgesChange([{ type: "select", id, selected: toggle ? !edge.selected : true }]);
    return;
  }
  const edgeChanges: EdgeChange<FlowEdge>[] = [];
  for (const e of s.edges) if (!!e.selected !== (e.id === id)) edgeChanges.push({ type: "select", id: e.id, selected: e.id === id });
  if (edgeChanges.length > 0) s.onEdgesChange(edgeChanges);
  const nodeChanges: NodeChange<EditorNode>[] = s.nodes.filter((n) => n.selected).map((n) => ({ type: "select", id: n.id, selected: false }));
  if (nodeChanges.length > 0) editor.getState().onNodesChange(nodeChanges);
}

/** Sets every wire's selection to `selected(edge)`, emitting changes only for the wires that differ. */
export function setEdgeSelection(editor: EditorStore, selected: (e: FlowEdge) => boolean) {
  const s = editor.getState();
  const changes: EdgeChange<FlowEdge>[] = [];
  for (const e of s.edges) {
    const want = selected(e);
    if (!!e.selected !== want) changes.push({ type: "select", id: e.id, selected: want });
  }
  if (changes.length > 0) s.onEdgesChange(changes);
}

interface EdgeViewProps {
  edge: FlowEdge;
  paths: EdgePaths;
  descId: string;
  onSelect(id: string, toggle: boolean): void;
  onUnselect(id: string): void;
}

const EdgeView = memo(function EdgeView({ edge, paths, descId, onSelect, onUnselect }: EdgeViewProps) {
  const id = edge.id;
  const subscribe = useCallback((listener: () => void) => paths.subscribe(id, listener), [paths, id]);
  const getPath = useCallback(() => paths.get(id), [paths, id]);
  const d = useSyncExternalStore(subscribe, getPath, getPath);
  if (!d) return null;
  const onKeyDown = (e: KeyboardEvent<SVGGElement>) => {
    if (e.key === "Escape") {
      e.currentTarget.blur();
      onUnselect(id);
    } else if (e.key === "Enter" || e.key === " ") {
      onSelect(id, false);
    }
  };
  return (
    <g
      className={`react-flow__edge react-flow__edge-default nopan selectable${edge.selected ? " selected" : ""}`}
      onClick={() => onSelect(id, true)}
      onKeyDown={onKeyDown}
      tabIndex={0}
      role="group"
      aria-roledescription="edge"
      aria-label={`Edge from ${edge.source} to ${edge.target}`}
      aria-describedby={descId}
      data-id={id}
      data-testid={`rf__edge-${id}`}
    >
      <path d={d} fill="none" className="react-flow__edge-path" />
      <path d={d} fill="none" strokeOpacity={0} strokeWidth={20} className="react-flow__edge-interaction" />
    </g>
  );
});

/** How many groups the wires are spread over (see EdgeGroup): about 16 wires a group at 1,000 wires. */
const GROUPS = 64;

/** A wire's group, from its id alone: adding or removing a wire changes its own group and no other. */
function groupOf(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) % GROUPS;
}

/**
 * A group of wires, so no element has more than a few dozen children: when one wire's path changes, React
 * re-renders its EdgeView and visits every sibling of it on the way (cloning each, checking it for work and
 * context changes, gathering its flags), so one flat list of 1,000 wires made any single wire's update cost
 * O(all wires). In groups it visits the groups and the wires of one group. A wire stays in its group (see
 * groupOf), so a wire added or removed elsewhere does not remount it (nor take its keyboard focus).
 */
const EdgeGroup = memo(function EdgeGroup({ edges, ...rest }: { edges: readonly FlowEdge[] } & Omit<EdgeViewProps, "edge">) {
  return (
    <g>
      {edges.map((e) => (
        <EdgeView key={e.id} edge={e} {...rest} />
      ))}
    </g>
  );
});

/**
 * The wires of the nodes being dragged, drawn on a canvas over the graph from the press to the drop. Redrawn SVG
 * paths cost a layout and a repaint of their SVG every frame, which Chromium does in time proportional to
 * the whole graph (at 2,000 nodes about 10 ms a frame); a canvas needs no layout and repaints only its own
 * pixels. It lies over the nodes, not under them: a composited layer under the graph would make Chromium
 * test every node for overlap with it each frame (measured: 9 ms at 500 nodes, 59 ms at 2,000). So, for the
 * length of a press or a drag, a carried wire that passes behind another node is drawn over it. Each wire is stroked
 * with the colour and width its SVG path had.
 */
class DragWireCanvas {
  private canvas: HTMLCanvasElement | null = null;
  private styles = new Map<string, { color: string; width: number }>();

  constructor(private readonly rf: RfStore) {}

  /** Remembers how a wire looks, from its SVG path, before the path leaves the main layer. */
  adopt(id: string) {
    if (this.styles.has(id)) return;
    const path = this.rf.getState().domNode?.querySelector(`.sc-edge-layer [data-id="${CSS.escape(id)}"] .react-flow__edge-path`);
    const style = path ? getComputedStyle(path) : null;
    this.styles.set(id, { color: style?.stroke || "#b1b1b7", width: parseFloat(style?.strokeWidth ?? "") || 1 });
  }

  /** Puts the canvas in place (at the first draw of a press or a drag) and returns its context. */
  private prepare(): CanvasRenderingContext2D | null {
    if (!this.canvas) {
      // Sized once per press: measuring the pane on every step would force a layout each time.
      const pane = this.rf.getState().domNode?.querySelector<HTMLElement>(".react-flow__pane");
      if (!pane) return null;
      const dpr = window.devicePixelRatio || 1;
      this.canvas = document.createElement("canvas");
      this.canvas.className = "sc-drag-wires";
      this.canvas.width = Math.round(pane.clientWidth * dpr);
      this.canvas.height = Math.round(pane.clientHeight * dpr);
      pane.append(this.canvas);
    }
    return this.canvas.getContext("2d");
  }

  draw(wires: ReadonlyMap<string, string | null>) {
    const ctx = this.prepare();
    if (!ctx || !this.canvas) return;
    const { transform } = this.rf.getState();
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const [tx, ty, zoom] = transform;
    ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
    for (const [id, d] of wires) {
      const style = this.styles.get(id);
      if (!d || !style) continue;
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.stroke(new Path2D(d));
    }
  }

  clear() {
    this.canvas?.remove();
    this.canvas = null;
    this.styles.clear();
  }
}

/**
 * Must be rendered inside <ReactFlow>; draws into React Flow's own (empty) edge container.
 *
 * From the press on a node to the drop (see DragPreview) the wires of the pressed and dragged nodes leave
 * the main layer for the drag canvas (DragWireCanvas), so the main layer, with every other wire, stays as
 * it is and is neither laid out nor repainted while the pointer moves; at the drop (or the release of a
 * press without a drag) they go back with their final path.
 */
export const EdgeLayer = memo(function EdgeLayer({ preview }: { preview: DragPreview }) {
  const { editor } = useEditorStores();
  const rf = useStoreApi();
  const edges = useEditor((s) => s.edges);
  const domNode = useStore(selectDomNode);
  const rfId = useStore(selectRfId);
  const container = useMemo(() => domNode?.querySelector(".react-flow__edges") ?? null, [domNode]);
  const paths = useMemo(() => new EdgePaths(), []);
  const dragCanvas = useMemo(() => new DragWireCanvas(rf), [rf]);
  // The wires on the drag canvas, from a press to the drop. Kept across the effect below, which re-runs when
  // the wires change (a wire deleted during a drag): those on the canvas stay there until the drop.
  const carried = useMemo(() => new Map<string, FlowEdge>(), []);

  // A group keeps its array while its wires are the same objects, so a change to one wire (its selection)
  // re-renders one group (they are memoised).
  const lastGroups = useMemo(() => ({ current: [] as FlowEdge[][] }), []);
  const groups = useMemo(() => {
    const out: FlowEdge[][] = Array.from({ length: GROUPS }, () => []);
    for (const e of edges) out[groupOf(e.id)]!.push(e);
    for (let g = 0; g < GROUPS; g++) {
      const last = lastGroups.current[g];
      const group = out[g]!;
      if (last && last.length === group.length && last.every((e, j) => e === group[j])) out[g] = last;
    }
    lastGroups.current = out;
    return out;
  }, [edges, lastGroups]);

  // Wires by the nodes they touch, so a moved node finds its wires without a scan.
  const byNode = useMemo(() => {
    const index = new Map<string, FlowEdge[]>();
    const add = (nodeId: string, e: FlowEdge) => {
      const list = index.get(nodeId);
      if (list) list.push(e);
      else index.set(nodeId, [e]);
    };
    for (const e of edges) {
      add(e.source, e);
      if (e.target !== e.source) add(e.target, e);
    }
    return index;
  }, [edges]);

  // New wires get their path during render, so they appear in the same commit as their data.
  useMemo(() => {
    const { nodeLookup } = rf.getState();
    for (const e of edges) if (!paths.has(e.id)) paths.set(e.id, edgePath(e, nodeLookup), false);
  }, [edges, paths, rf]);

  useLayoutEffect(() => {
    paths.retain(new Set(edges.map((e) => e.id)));
    // Bring every wire up to date, then follow node changes: only the wires of a node whose internal
    // object was replaced (moved, measured, re-rendered with new data) are recomputed.
    const seen = new Map<string, InternalNode>();
    const { nodeLookup } = rf.getState();
    for (const [id, node] of nodeLookup) seen.set(id, node);
    for (const e of edges) if (!carried.has(e.id)) paths.set(e.id, edgePath(e, nodeLookup), true);
    for (const id of carried.keys()) if (!paths.has(id)) carried.delete(id); // deleted meanwhile
    // A drag in progress moves nodes without React Flow knowing: their wires follow it, drawn on the drag
    // canvas with the moved nodes where the preview draws them.
    let lastCarry: { ids: string[]; moved: ReadonlyMap<string, XYPosition> } | null = null;
    const carry = (nodeIds: Iterable<string>, moved: ReadonlyMap<string, XYPosition>) => {
      const ids = [...nodeIds];
      lastCarry = { ids, moved: new Map(moved) };
      const lookup = rf.getState().nodeLookup;
      const wires = new Map<string, string | null>();
      for (const id of ids) {
        for (const e of byNode.get(id) ?? []) {
          if (!carried.has(e.id)) {
            // A wire joining the drag leaves the main layer for the drag canvas (once per drag, not per step).
            dragCanvas.adopt(e.id);
            paths.set(e.id, null, true);
            carried.set(e.id, e);
          }
          wires.set(e.id, edgePath(e, lookup, moved));
        }
      }
      dragCanvas.draw(wires);
    };
    const stopPreview = preview.onWires({
      // The pressed node's wires go to the drag canvas where they are (drawn over the nodes, as during a
      // drag), so the repaint of the main layer they leave is done while nothing moves, not in the drag's
      // first frame.
      prepare: (nodeId) => carry([nodeId], new Map()),
      move: (moved) => carry(moved.keys(), moved),
      end(moved) {
        // Back to the main layer with their final path, in the same render as the drag canvas goes.
        const lookup = rf.getState().nodeLookup;
        for (const e of carried.values()) if (paths.has(e.id)) paths.set(e.id, edgePath(e, lookup, moved), true);
        carried.clear();
        dragCanvas.clear();
        lastCarry = null;
      },
    });
    const stopStore = rf.subscribe((state, prev) => {
      // The drag canvas is drawn in screen space: a pan or zoom while wires are carried (the view following
      // the pointer near an edge, a scroll just after a drop) redraws them.
      if (state.transform !== prev.transform && carried.size > 0 && lastCarry) carry(lastCarry.ids, lastCarry.moved);
      const lookup = state.nodeLookup;
      for (const [id, node] of lookup) {
        if (seen.get(id) === node) continue;
        seen.set(id, node);
        const wires = byNode.get(id);
        // A carried wire stays on the drag canvas: React Flow's node is where the drag started (a selection
        // committed during a drag re-adopts it there).
        if (wires) for (const e of wires) if (!carried.has(e.id)) paths.set(e.id, edgePath(e, lookup), true);
      }
    });
    return () => {
      stopPreview();
      stopStore();
    };
  }, [edges, byNode, paths, dragCanvas, carried, rf, preview]);

  const onSelect = useCallback((id: string, toggle: boolean) => selectEdge(editor, rf, id, toggle), [editor, rf]);
  const onUnselect = useCallback((id: string) => editor.getState().onEdgesChange([{ type: "select", id, selected: false }]), [editor]);

  if (!container) return null;
  const descId = `react-flow__edge-desc-${rfId}`;
  return createPortal(
    <svg className="sc-edge-layer">
      {groups.map((g, i) => g.length > 0 && <EdgeGroup key={i} edges={g} paths={paths} descId={descId} onSelect={onSelect} onUnselect={onUnselect} />)}
    </svg>,
    container,
  );
});
