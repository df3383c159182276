"use client";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
} from "@xyflow/react";
import { useCallback, useEffect, type DragEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import { checkConnection } from "@/lib/editor/model";
import { nodeTypes } from "@/components/nodes/block-node";
import { useEditor, useEditorStores } from "./editor-context";
import styles from "./editor.module.css";

export const PALETTE_MIME = "application/x-strategy-canvas-node";

const minimapColor = (n: { data?: { category?: unknown } }) => {
  const colors: Record<string, string> = { providers: "#4f9dff", triggers: "#f5a524", indicators: "#22c3c3", conditions: "#a879ff", actions: "#2fbf71", risk: "#ff5d5d", values: "#8b98a9" };
  return colors[String(n.data?.category)] ?? "#8b98a9";
};

const defaultEdgeOptions = { type: "default" as const };
const proOptions = { hideAttribution: true };
const fitViewOptions = { maxZoom: 1, padding: 0.2 };

/** The canvas: the only component that selects the node and edge arrays. */
export function Canvas() {
  const { editor, catalog } = useEditorStores();
  const { nodes, edges } = useEditor(useShallow((s) => ({ nodes: s.nodes, edges: s.edges })));
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const { screenToFlowPosition, fitView } = useReactFlow();
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

  const onNodeDragStart = useCallback(() => editor.getState().beginMove(), [editor]);

  return (
    <div className={styles.canvas} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges as Edge[]}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange as never}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={onNodeDragStart}
        defaultEdgeOptions={defaultEdgeOptions}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionKeyCode="Shift"
        minZoom={0.05}
        proOptions={proOptions}
        colorMode="dark"
      >
        <Background gap={20} size={1} />
        <MiniMap pannable zoomable nodeColor={minimapColor} ariaLabel="Minimap" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
