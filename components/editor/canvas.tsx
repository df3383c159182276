"use client";
import {
  Background,
  Controls,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
} from "@xyflow/react";
import { useCallback, useDeferredValue, useEffect, useMemo, type DragEvent, type PointerEvent } from "react";
import { checkConnection } from "@/lib/editor/model";
import { nodeTypes } from "@/components/nodes/block-node";
import type { EditorNode } from "@/lib/store/editor-store";
import { useEditor, useEditorStores } from "./editor-context";
import { DragPreview } from "./drag-preview";
import { EdgeLayer, setEdgeSelection } from "./edge-layer";
import { Minimap } from "./minimap";
import styles from "./editor.module.css";

export const PALETTE_MIME = "application/x-strategy-canvas-node";

const categoryColors = new Map(Object.entries({ providers: "#4f9dff", triggers: "#f5a524", indicators: "#22c3c3", conditions: "#a879ff", actions: "#2fbf71", risk: "#ff5d5d", values: "#8b98a9" }));
const minimapColor = (n: { data?: { category?: unknown } }) => categoryColors.get(String(n.data?.category)) ?? "#8b98a9";

/** Below this zoom node text is under 4 px high: the nodes are drawn without it (see block-node.module.css). */
const LOW_DETAIL_ZOOM = 0.3;
const selectLowDetail = (s: { transform: [number, number, number] }) => s.transform[2] < LOW_DETAIL_ZOOM;

const proOptions = { hideAttribution: true };
const MODIFIER_KEYS = new Set(["Shift", "Control", "Meta", "Alt"]);
const multiSelectionKeyCode = ["Shift", "Meta", "Control"];
const fitViewOptions = { maxZoom: 1, padding: 0.2 };

/**
 * The canvas: the only component that selects the node array. The wires are not given to React Flow:
 * EdgeLayer draws them (see there why), and this component keeps their selection in step with the
 * nodes' the way React Flow would.
 */
export function Canvas() {
  const { editor, catalog } = useEditorStores();
  const nodes = useEditor((s) => s.nodes);
  const rf = useStoreApi();
  const lowDetail = useStore(selectLowDetail);
  const { screenToFlowPosition, fitView } = useReactFlow();
  const preview = useMemo(() => new DragPreview<EditorNode>(rf.getState), [rf]);
  // A drop is drawn already (the preview placed the node, with its selected look): React Flow's update,
  // O(nodes) of script, waits for a background render after the frame of the drop (see DragPreview). Every
  // other change reaches React Flow in the render that commits it.
  // The deferred value lags every update; it stands in only while it is what React Flow has (never older).
  const deferredNodes = useDeferredValue(nodes);
  const flowNodes = preview.dropping && deferredNodes === rf.getState().nodes ? deferredNodes : nodes;
  useEffect(() => {
    // Effects run children first: React Flow has taken flowNodes into its store by now.
    if (flowNodes === nodes) preview.settled();
  }, [flowNodes, nodes, preview]);
  useEffect(() => () => preview.end(), [preview]);
  // Anything that acts on the nodes between a drop and its settling (a press, a shortcut such as Ctrl+Z or
  // an arrow key, both of which React Flow works out from its own store) gets the drop finished first: React
  // Flow takes the dropped nodes now, and the preview goes.
  const finishDrop = useCallback(() => {
    if (preview.dropping) rf.getState().setNodes(editor.getState().nodes);
    preview.finishDrop();
  }, [preview, rf, editor]);

  const commit = useCallback(
    (changes: NodeChange<EditorNode>[]) => {
      if (changes.length === 0) return;
      editor.getState().onNodesChange(changes);
      if (!changes.some((c) => c.type === "select")) return;
      const { userSelectionActive, multiSelectionActive } = rf.getState();
      if (userSelectionActive) {
        // A selection box takes the wires of the nodes it catches.
        const ids = new Set(editor.getState().nodes.flatMap((n) => (n.selected ? [n.id] : [])));
        setEdgeSelection(editor, (e) => ids.has(e.source) || ids.has(e.target));
      } else if (!multiSelectionActive && changes.some((c) => c.type === "select" && c.selected)) {
        // Selecting a node without the multi-selection key unselects the wires.
        setEdgeSelection(editor, () => false);
      }
    },
    [editor, rf],
  );
  const onNodesChange = useCallback(
    (changes: NodeChange<EditorNode>[]) => {
      // A drag in progress (its moves, and the selection its grab made) is drawn by the preview; the
      // drop commits it to the store in one update.
      if (preview.take(changes)) return;
      const drop = changes.some((c) => c.type === "position" && !c.dragging);
      if (!drop) return commit(changes);
      const before = editor.getState().nodes;
      preview.drop();
      commit(preview.release(changes));
      // A store that took nothing re-renders nothing, and nothing would settle the drop.
      if (editor.getState().nodes === before) preview.end();
    },
    [commit, preview, editor],
  );
  // A drag that ended without a move to drop still commits the selection its grab made.
  const onNodeDragStop = useCallback(() => {
    commit(preview.release([]));
    if (!preview.dropping) preview.end();
  }, [commit, preview]);
  // A press that may start a node drag: the main button on a node, not on a port (that draws a wire) nor
  // with Shift (that draws a selection box, even from a node).
  const onPointerDownCapture = useCallback(
    (e: PointerEvent) => {
      const target = e.target instanceof Element ? e.target : null;
      const draggable = e.button === 0 && !e.shiftKey && target && !target.closest(".nodrag, .react-flow__handle");
      finishDrop();
      preview.press(draggable ? target.closest<HTMLElement>(".react-flow__node") : null);
    },
    [preview, finishDrop],
  );
  useEffect(() => {
    const release = () => preview.press(null);
    // A key pressed during a drag (Delete, Ctrl+C...) acts on the selection the user sees: commit the held
    // one first, with the positions so far (in the capture phase, before the editor's shortcuts run).
    const onKey = (e: KeyboardEvent) => {
      if (MODIFIER_KEYS.has(e.key)) return;
      finishDrop();
      commit(preview.flush());
    };
    // [event, listener, capture]: the window's own blur only, not the capture phase every element's blur passes.
    const listeners = [
      ["pointerup", release, true],
      ["pointercancel", release, true],
      ["blur", release, false],
      ["keydown", onKey, true],
    ] as const;
    for (const [type, listener, capture] of listeners) window.addEventListener(type, listener as EventListener, capture);
    return () => {
      for (const [type, listener, capture] of listeners) window.removeEventListener(type, listener as EventListener, capture);
    };
  }, [preview, commit, finishDrop]);
  const clearEdgeSelection = useCallback(() => setEdgeSelection(editor, () => false), [editor]);
  const loads = useEditor((s) => s.loads);
  // Fit a loaded workflow into view once its nodes have been measured. Not on every added node: a node
  // dropped on the canvas stays where it was dropped.
  useEffect(() => {
    if (loads === 0) return;
    const t = setTimeout(() => void fitView(fitViewOptions), 50);
    return () => clearTimeout(t);
  }, [loads, fitView]);

  const onConnect = useCallback((c: Connection) => void editor.getState().connect(c), [editor]);

  const isValidConnection: IsValidConnection = useCallback(
    (c) => {
      const { nodes: ns, edges: es } = editor.getState();
      return checkConnection(catalog, ns as never, es, c).ok;
    },
    [editor, catalog],
  );

  // A wire dropped on a port that refused it: say why, in words.
  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.toHandle || !state.fromHandle) return;
      const from = state.fromHandle.type === "source" ? state.fromHandle : state.toHandle;
      const to = state.fromHandle.type === "source" ? state.toHandle : state.fromHandle;
      const { nodes: ns, edges: es, notify } = editor.getState();
      const check = checkConnection(catalog, ns as never, es, { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id });
      if (!check.ok) notify("error", check.reason);
    },
    [editor, catalog],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const key = e.dataTransfer.getData(PALETTE_MIME);
      if (!key) return;
      e.preventDefault();
      const [category, type] = key.split("/");
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // The node lands with its header under the pointer.
      editor.getState().addBlock(category!, type!, { x: at.x - 100, y: at.y - 14 });
    },
    [editor, screenToFlowPosition],
  );

  // React Flow's own select-on-drag (selectNodesOnDrag) always sets nodesSelectionActive in its store, which
  // wakes every node's and handle's store subscription: O(nodes) in the drag's first frame. It is off, and
  // this does its work: put away a box selection's frame (drawn over the nodes, it would catch the pointer),
  // only when there is one, and select the grabbed node, held with the rest of the drag until the drop
  // (React Flow still unselects the others when no multi-selection key is down).
  const onNodeDragStart = useCallback(
    (_event: unknown, node: EditorNode) => {
      editor.getState().beginMove();
      if (rf.getState().nodesSelectionActive) rf.setState({ nodesSelectionActive: false });
      if (node.selected) return;
      const select: NodeChange<EditorNode>[] = [{ type: "select", id: node.id, selected: true }];
      if (!preview.take(select)) commit(select);
    },
    [editor, rf, preview, commit],
  );

  return (
    <div className={`${styles.canvas}${lowDetail ? " sc-low-detail" : ""}`} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas" onPointerDownCapture={onPointerDownCapture}>
      <ReactFlow
        nodes={flowNodes}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onPaneClick={clearEdgeSelection}
        onSelectionStart={clearEdgeSelection}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={onNodeDragStart}
        selectNodesOnDrag={false}
        onNodeDragStop={onNodeDragStop}
        deleteKeyCode={null}
        multiSelectionKeyCode={multiSelectionKeyCode}
        selectionKeyCode="Shift"
        minZoom={0.05}
        proOptions={proOptions}
        colorMode="dark"
      >
        <EdgeLayer preview={preview} />
        {/* Zoomed far out the dots are under 6 px apart and a tenth of a pixel wide: invisible, yet the
            software rasteriser draws every one of them again in each tile a drag or a pan invalidates. */}
        {!lowDetail && <Background gap={20} size={1} />}
        <Minimap nodeColor={minimapColor} ariaLabel="Minimap" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
