/**
 * A node drag in progress, drawn without going through the stores.
 *
 * In controlled mode React Flow reports every pointer move of a drag as position changes, and the
 * canvas would have to hand a new node array to React Flow, which re-adopts every node and wakes every
 * store selector of every node and handle: O(nodes) of script per frame, most of a frame at 2,000 nodes.
 * While a drag is in progress the moved nodes are instead placed directly (the same transform React
 * Flow's node wrapper writes) and their wires follow through the wire layer; nothing else is touched,
 * so a frame costs O(nodes dragged + their wires). React Flow's drag keeps its own positions, so it needs
 * nothing from the store meanwhile. The drop (React Flow's last position change, `dragging: false`) goes
 * to the editor store as usual: one undoable move, after which React Flow renders the same positions.
 * Until then the minimap and a box selection's frame show where the drag started (the frame is hidden).
 */
import type { NodeChange, ReactFlowState, XYPosition } from "@xyflow/react";

type RfState = Pick<ReactFlowState, "domNode" | "nodeLookup">;
/** The wire layer's side of a drag: `move` after every step, `end` at the drop, with where the moved nodes are drawn. */
export interface WireListener {
  move(moved: ReadonlyMap<string, XYPosition>): void;
  end(moved: ReadonlyMap<string, XYPosition>): void;
}

/** The class the canvas carries while a drag preview is showing. */
export const DRAGGING_CLASS = "sc-dragging";

export class DragPreview {
  private moved = new Map<string, XYPosition>();
  private elements = new Map<string, HTMLElement>();
  private wires: WireListener | null = null;

  constructor(private readonly rf: () => RfState) {}

  /** The wire layer redraws the wires of moved nodes through this. */
  onWires(listener: WireListener): () => void {
    this.wires = listener;
    return () => {
      if (this.wires === listener) this.wires = null;
    };
  }

  /**
   * Takes the changes if they are the moves of a drag in progress and draws them; returns false
   * (and draws nothing) for anything else, which then goes to the store.
   */
  take(changes: readonly NodeChange[]): boolean {
    if (changes.length === 0) return false;
    const { domNode, nodeLookup } = this.rf();
    if (!domNode) return false;
    const moves: { id: string; position: XYPosition; el: HTMLElement }[] = [];
    for (const c of changes) {
      if (c.type !== "position" || !c.dragging || !c.position) return false;
      // A child node's position is relative to its parent: leave those to React Flow.
      if (nodeLookup.get(c.id)?.parentId) return false;
      const el = this.elements.get(c.id) ?? domNode.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(c.id)}"]`);
      if (!el) return false;
      moves.push({ id: c.id, position: c.position, el });
    }
    if (this.moved.size === 0) domNode.classList.add(DRAGGING_CLASS);
    for (const { id, position, el } of moves) {
      if (!this.elements.has(id)) {
        this.elements.set(id, el);
        el.classList.add("dragging");
      }
      el.style.transform = `translate(${position.x}px,${position.y}px)`;
      this.moved.set(id, { x: position.x, y: position.y });
    }
    this.wires?.move(this.moved);
    return true;
  }

  /** The drag is over (dropped): forget it. React Flow's render of the dropped positions places the nodes. */
  end(): void {
    if (this.moved.size === 0) return;
    this.wires?.end(this.moved);
    for (const el of this.elements.values()) el.classList.remove("dragging");
    this.rf().domNode?.classList.remove(DRAGGING_CLASS);
    this.elements.clear();
    this.moved.clear();
  }
}
