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
 * to the editor store as usual: one undoable move. React Flow's own update, O(nodes) of script, follows in a
 * background render (see Canvas), while the preview still draws the drop; once React Flow has rendered it,
 * in the same place and with the same look, the preview is put away (`settled`). So the drop, React Flow's
 * update and the repaint of the wires each take a frame of their own. Until React Flow's update the minimap
 * and a box selection's frame show where the drag started (the frame is hidden).
 *
 * The selection a grab makes is held the same way. A node grabbed unselected becomes the selection at
 * the first pointer move of its drag (React Flow unselects the rest, the canvas selects it: see
 * Canvas.onNodeDragStart). Committed there, that is a second O(nodes) update, which cost the grab two or
 * three frames of 33 to 67 ms. While a node is pressed its selection changes are drawn on the elements
 * instead (a dragged node looks selected, an unselected one loses its outline: see
 * block-node.module.css) and committed with the drop, in the same store update. The inspector therefore
 * switches to a grabbed node when it is dropped. A click selects as before: React Flow selects on click,
 * after the pointer is up.
 */
import type { Node, NodeChange, ReactFlowState, XYPosition } from "@xyflow/react";

type RfState = Pick<ReactFlowState, "domNode" | "nodeLookup" | "userSelectionActive">;
/**
 * The wire layer's side of a drag: `prepare` when a node is pressed (a drag may follow: its wires can go to
 * the drag layer already), `move` after every step and `end` at the drop, with where the moved nodes are
 * drawn; `end` with nothing moved when the press ended without a drag.
 */
export interface WireListener {
  prepare(nodeId: string): void;
  move(moved: ReadonlyMap<string, XYPosition>): void;
  end(moved: ReadonlyMap<string, XYPosition>): void;
}

// The preview marks node elements with attributes, not classes: React Flow's node wrapper re-renders when its
// own drag starts and ends, and React then writes its class list whole, dropping classes added here.
/** On the node the pointer is down on. */
export const PRESSED_ATTR = "data-sc-pressed";
/** On a node the preview moves, until the drop has settled: drawn selected (see block-node.module.css). */
export const DRAGGED_ATTR = "data-sc-dragged";
/** On a pressed or dragged node: raised over React Flow's selected nodes (see globals.css). */
export const RAISED_ATTR = "data-sc-raised";
/** On a node whose unselection is held until the drop: drawn unselected. */
export const UNSELECTING_ATTR = "data-sc-unselecting";

export class DragPreview<N extends Node = Node> {
  private moved = new Map<string, XYPosition>();
  private elements = new Map<string, HTMLElement>();
  /** The pressed or dragged nodes, raised over the rest until the drag has settled. */
  private raised = new Set<HTMLElement>();
  private wires: WireListener | null = null;
  private pressed: HTMLElement | null = null;
  private held: NodeChange<N>[] = [];
  private unselecting: HTMLElement[] = [];
  /** Dropped and committed to the store; still drawn until React Flow has the committed nodes (see drop). */
  private dropped = false;
  private settleFrame = 0;
  /** A box selection's frame, hidden while the preview draws (it would stay where the drag started). */
  private selectionFrame: HTMLElement | null = null;

  constructor(private readonly rf: () => RfState) {}

  /** The wire layer redraws the wires of moved nodes through this. */
  onWires(listener: WireListener): () => void {
    this.wires = listener;
    return () => {
      if (this.wires === listener) this.wires = null;
    };
  }

  /**
   * The pointer went down on this node's element, or (null) up. Selection changes meanwhile are a grab's
   * (see above). A press readies what a drag needs while nothing moves, so the drag's first step does not
   * pay for it: the node is raised and gets its own compositing layer (PRESSED_ATTR), and its wires move
   * to the wire layer's canvas, where they are. A press that ends without a drag undoes that.
   */
  press(node: HTMLElement | null): void {
    if (!node && !this.pressed) return; // a release with nothing pressed: nothing to undo
    this.pressed?.removeAttribute(PRESSED_ATTR);
    this.pressed = node;
    if (node) {
      node.setAttribute(PRESSED_ATTR, "");
      this.raise(node);
      const id = node.dataset.id;
      if (id) this.wires?.prepare(id);
    } else if (this.moved.size === 0) {
      this.lower();
      this.wires?.end(this.moved);
    }
  }

  /**
   * Takes the changes if they are the moves of a drag in progress, or the selection of a grab, and
   * draws them; returns false (and draws nothing) for anything else, which then goes to the store.
   */
  take(changes: readonly NodeChange<N>[]): boolean {
    if (changes.length === 0) return false;
    const { domNode, nodeLookup, userSelectionActive } = this.rf();
    if (!domNode) return false;
    // (A selection box is never a grab's, even when it starts on a node.)
    if (this.pressed && !userSelectionActive && changes.every((c) => c.type === "select")) {
      for (const c of changes) {
        const el = c.selected ? null : this.element(domNode, c.id);
        if (el) {
          el.setAttribute(UNSELECTING_ATTR, "");
          this.unselecting.push(el);
        }
      }
      this.held.push(...changes);
      return true;
    }
    const moves: { id: string; position: XYPosition; el: HTMLElement }[] = [];
    for (const c of changes) {
      if (c.type !== "position" || !c.dragging || !c.position) return false;
      // A child node's position is relative to its parent: leave those to React Flow.
      if (nodeLookup.get(c.id)?.parentId) return false;
      const el = this.elements.get(c.id) ?? this.element(domNode, c.id);
      if (!el) return false;
      moves.push({ id: c.id, position: c.position, el });
    }
    if (this.moved.size === 0) this.hideSelectionFrame(domNode);
    for (const { id, position, el } of moves) {
      if (!this.elements.has(id)) {
        this.elements.set(id, el);
        this.raise(el);
        el.setAttribute(DRAGGED_ATTR, "");
      }
      el.style.transform = `translate(${position.x}px,${position.y}px)`;
      this.moved.set(id, { x: position.x, y: position.y });
    }
    this.wires?.move(this.moved);
    return true;
  }

  /**
   * The held selection and the positions drawn so far (the drag goes on), for when something must act on
   * the selection before the drop; nothing when no selection is held.
   */
  flush(): NodeChange<N>[] {
    if (this.held.length === 0) return [];
    return this.release([...this.moved].map(([id, position]): NodeChange<N> => ({ type: "position", id, position, dragging: true })));
  }

  /** The changes to commit at the drop (or at the drag's end): the held selection, then `changes`. */
  release(changes: NodeChange<N>[]): NodeChange<N>[] {
    if (this.held.length === 0) return changes;
    const all = [...this.held, ...changes];
    this.held = [];
    return all;
  }

  /**
   * The drag is over and React Flow draws its result (or nothing moved): put the preview away and forget it.
   * The node keeps the transform drawn last, which is where React Flow places it.
   */
  end(): void {
    this.dropped = false;
    cancelAnimationFrame(this.settleFrame);
    this.settleFrame = 0;
    for (const el of this.unselecting) el.removeAttribute(UNSELECTING_ATTR);
    this.unselecting = [];
    if (this.moved.size === 0) return;
    this.wires?.end(this.moved);
    for (const el of this.elements.values()) el.removeAttribute(DRAGGED_ATTR);
    this.lower();
    if (this.selectionFrame) this.selectionFrame.style.visibility = "";
    this.selectionFrame = null;
    this.elements.clear();
    this.moved.clear();
  }

  /**
   * The drop is about to be committed to the store. React Flow renders the committed nodes in a background
   * render (see Canvas): until then the preview stays as drawn, and `settled` then puts it away.
   */
  drop(): void {
    this.dropped = true;
  }

  /** Whether a committed drop waits for React Flow (see drop). */
  get dropping(): boolean {
    return this.dropped;
  }

  /**
   * Puts away a drop that is committed but not yet settled, now (React Flow must have the dropped nodes by
   * then); nothing during a drag or without one.
   */
  finishDrop(): void {
    if (this.dropped || this.settleFrame) this.end();
  }

  /**
   * React Flow has the committed nodes and draws them where the preview did, with the same look (a dragged
   * node looks selected; the raised class outranks the z-index React Flow writes). The preview is put away
   * in the frame after the one that draws React Flow's update, so that frame does not also repaint the wires
   * and restack the node: requestAnimationFrame runs before the next frame is drawn, hence two.
   */
  settled(): void {
    if (!this.dropped) return;
    this.dropped = false;
    cancelAnimationFrame(this.settleFrame);
    this.settleFrame = requestAnimationFrame(() => {
      this.settleFrame = requestAnimationFrame(() => this.end());
    });
  }

  /**
   * React Flow raises a selected node; a grabbed one is selected at the drop only, so it is raised here
   * (under other nodes, every node painted after it would have to be composited separately while it
   * moves). Raised when pressed, so the repaint that the new stacking order costs is done before the drag.
   */
  private raise(el: HTMLElement): void {
    if (this.raised.has(el)) return;
    this.raised.add(el);
    el.setAttribute(RAISED_ATTR, "");
  }

  private lower(): void {
    for (const el of this.raised) el.removeAttribute(RAISED_ATTR);
    this.raised.clear();
  }

  /**
   * Hidden on the element itself, not by a class on the canvas: a class toggled on the canvas with a rule for
   * its descendants makes the browser look through every element of the graph for the ones it matches.
   */
  private hideSelectionFrame(domNode: Element): void {
    this.selectionFrame = domNode.querySelector<HTMLElement>(".react-flow__nodesselection-rect") ?? null;
    if (this.selectionFrame) this.selectionFrame.style.visibility = "hidden";
  }

  private element(domNode: Element, id: string): HTMLElement | null {
    return domNode.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
  }
}
