import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { NodeChange, XYPosition } from "@xyflow/react";
import { DRAGGED_ATTR, DragPreview, PRESSED_ATTR, RAISED_ATTR, UNSELECTING_ATTR } from "./drag-preview";

// These tests run on Node without a DOM: the few DOM members DragPreview touches are stood in for by
// plain objects that record what was written to them.
class FakeElement {
  constructor(readonly dataset: Record<string, string> = {}) {}
  style: Record<string, string> = {};
  classes = new Set<string>();
  classList = { add: (c: string) => void this.classes.add(c), remove: (c: string) => void this.classes.delete(c) };
  attributes = new Set<string>();
  setAttribute = (name: string) => void this.attributes.add(name);
  removeAttribute = (name: string) => void this.attributes.delete(name);
}

function setup(parents: Record<string, string> = {}, rfState: { userSelectionActive?: boolean } = {}) {
  const elements = new Map(["a", "b", "c"].map((id) => [id, new FakeElement({ id })]));
  const queries: string[] = [];
  const selectionFrame = new FakeElement();
  const domNode = Object.assign(new FakeElement(), {
    querySelector(selector: string) {
      if (selector === ".react-flow__nodesselection-rect") return selectionFrame;
      queries.push(selector);
      const id = /data-id="([^"]+)"/.exec(selector)?.[1];
      return (id && elements.get(id)) ?? null;
    },
  });
  const nodeLookup = new Map(["a", "b", "c"].map((id) => [id, { id, parentId: parents[id] }]));
  const preview = new DragPreview(() => ({ domNode, nodeLookup, userSelectionActive: false, ...rfState }) as never);
  const calls: { kind: "prepare" | "move" | "end"; moved: Record<string, XYPosition>; node?: string }[] = [];
  preview.onWires({
    prepare: (node) => calls.push({ kind: "prepare", moved: {}, node }),
    move: (moved) => calls.push({ kind: "move", moved: Object.fromEntries(moved) }),
    end: (moved) => calls.push({ kind: "end", moved: Object.fromEntries(moved) }),
  });
  return { preview, elements, domNode, calls, queries, selectionFrame };
}

const drag = (id: string, x: number, y: number): NodeChange => ({ type: "position", id, position: { x, y }, dragging: true });

// requestAnimationFrame, run by hand: one call of frame() is one frame.
let callbacks = new Map<number, FrameRequestCallback>();
let lastHandle = 0;
function frame() {
  const due = callbacks;
  callbacks = new Map();
  for (const cb of due.values()) cb(0);
}

beforeAll(() => {
  (globalThis as { CSS?: { escape(s: string): string } }).CSS ??= { escape: (s: string) => s };
  vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => {
    callbacks.set(++lastHandle, cb);
    return lastHandle;
  });
  vi.stubGlobal("cancelAnimationFrame", (handle: number) => void callbacks.delete(handle));
});
afterEach(() => void (callbacks = new Map()));

describe("DragPreview", () => {
  it("draws the moves of a drag in progress: transform, dragged and raised marks, and the wires of every node moved so far", () => {
    const { preview, elements, calls, selectionFrame } = setup();
    expect(preview.take([drag("a", 10, 20)])).toBe(true);
    expect(elements.get("a")!.style.transform).toBe("translate(10px,20px)");
    expect(elements.get("a")!.attributes.has(DRAGGED_ATTR)).toBe(true);
    expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(true);
    // A box selection's frame would stay where the drag started: hidden meanwhile.
    expect(selectionFrame.style.visibility).toBe("hidden");
    expect(preview.take([drag("a", 15, 25), drag("b", 100, 0)])).toBe(true);
    expect(elements.get("b")!.style.transform).toBe("translate(100px,0px)");
    expect(calls).toEqual([
      { kind: "move", moved: { a: { x: 10, y: 20 } } },
      { kind: "move", moved: { a: { x: 15, y: 25 }, b: { x: 100, y: 0 } } },
    ]);
    expect(elements.get("c")!.style.transform).toBeUndefined();
  });

  it("finds each node's element once per drag", () => {
    const { preview, queries } = setup();
    for (let i = 0; i < 5; i++) preview.take([drag("a", i, i)]);
    expect(queries).toEqual(['.react-flow__node[data-id="a"]']);
  });

  it("leaves everything that is not a drag move to the store, and draws none of it", () => {
    const { preview, elements, domNode, calls } = setup();
    const refused: NodeChange[][] = [
      [],
      [{ type: "select", id: "a", selected: true }],
      [{ type: "position", id: "a", position: { x: 1, y: 1 }, dragging: false }], // the drop
      [{ type: "position", id: "a", position: { x: 1, y: 1 } }], // arrow keys
      [{ type: "position", id: "a", dragging: true }], // drag start, no position
      [{ type: "dimensions", id: "a", dimensions: { width: 10, height: 10 } }],
      [drag("a", 1, 1), { type: "select", id: "b", selected: true }],
      [drag("missing", 1, 1)],
    ];
    for (const changes of refused) expect(preview.take(changes)).toBe(false);
    expect(elements.get("a")!.style.transform).toBeUndefined();
    expect(elements.get("a")!.classes.size).toBe(0);
    expect(domNode.classes.size).toBe(0);
    expect(calls).toEqual([]);
  });

  it("leaves a child node's drag to React Flow: its position is relative to its parent", () => {
    const { preview, elements } = setup({ b: "a" });
    expect(preview.take([drag("a", 1, 1), drag("b", 2, 2)])).toBe(false);
    expect(elements.get("a")!.style.transform).toBeUndefined();
  });

  it("ends with the final positions for the wires, takes the marks off, and starts afresh", () => {
    const { preview, elements, calls, selectionFrame } = setup();
    preview.take([drag("a", 10, 20)]);
    preview.end();
    expect(calls.at(-1)).toEqual({ kind: "end", moved: { a: { x: 10, y: 20 } } });
    expect(elements.get("a")!.attributes.has(DRAGGED_ATTR)).toBe(false);
    expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(false);
    expect(selectionFrame.style.visibility).toBe("");
    // The node stays where it was drawn until React Flow renders the dropped position.
    expect(elements.get("a")!.style.transform).toBe("translate(10px,20px)");
    const count = calls.length;
    preview.end();
    expect(calls.length).toBe(count);
    preview.take([drag("b", 5, 5)]);
    expect(calls.at(-1)).toEqual({ kind: "move", moved: { b: { x: 5, y: 5 } } });
  });

  it("holds the selection a grab makes until the drop, drawing the unselected nodes unselected meanwhile", () => {
    const { preview, elements } = setup();
    const grab: NodeChange[] = [
      { type: "select", id: "a", selected: true },
      { type: "select", id: "b", selected: false },
    ];
    // Not pressed: a selection (a click, the keyboard, a box) goes to the store.
    expect(preview.take(grab)).toBe(false);
    preview.press(elements.get("a") as never);
    expect(elements.get("a")!.attributes.has(PRESSED_ATTR)).toBe(true);
    expect(preview.take(grab)).toBe(true);
    expect(elements.get("b")!.attributes.has(UNSELECTING_ATTR)).toBe(true);
    expect(elements.get("a")!.attributes.has(UNSELECTING_ATTR)).toBe(false);
    // Mixed with anything else it is not a grab's.
    expect(preview.take([{ type: "select", id: "c", selected: true }, { type: "dimensions", id: "c" }])).toBe(false);
    expect(preview.take([drag("a", 3, 4)])).toBe(true);
    preview.press(null);
    expect(elements.get("a")!.attributes.has(PRESSED_ATTR)).toBe(false);
    const drop: NodeChange = { type: "position", id: "a", position: { x: 3, y: 4 }, dragging: false };
    expect(preview.take([drop])).toBe(false);
    // The drop commits the held selection first, then the drop itself, in one batch.
    expect(preview.release([drop])).toEqual([...grab, drop]);
    preview.end();
    expect(elements.get("b")!.attributes.has(UNSELECTING_ATTR)).toBe(false);
    // Released once only.
    expect(preview.release([drop])).toEqual([drop]);
    expect(preview.release([])).toEqual([]);
  });

  it("readies the node and the wire layer when a node is pressed, and stands them down when the press ends without a drag", () => {
    const { preview, elements, calls } = setup();
    preview.press(elements.get("a") as never);
    // Raised while pressed, back where it was when the press ends without a drag.
    expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(true);
    preview.press(null);
    expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(false);
    expect(calls).toEqual([
      { kind: "prepare", moved: {}, node: "a" },
      { kind: "end", moved: {} },
    ]);
    // A press that became a drag ends at the drop instead.
    preview.press(elements.get("a") as never);
    preview.take([drag("a", 1, 2)]);
    preview.press(null);
    expect(calls.at(-1)!.kind).toBe("move");
    preview.end();
    expect(calls.at(-1)).toEqual({ kind: "end", moved: { a: { x: 1, y: 2 } } });
  });

  it("flushes the held selection with the positions so far when something must act on it mid-drag", () => {
    const { preview, elements } = setup();
    preview.press(elements.get("a") as never);
    expect(preview.flush()).toEqual([]);
    const select: NodeChange = { type: "select", id: "a", selected: true };
    preview.take([select]);
    preview.take([drag("a", 7, 8)]);
    expect(preview.flush()).toEqual([select, drag("a", 7, 8)]);
    // Flushed once: the drop then commits only itself.
    const drop: NodeChange = { type: "position", id: "a", position: { x: 9, y: 9 }, dragging: false };
    expect(preview.release([drop])).toEqual([drop]);
  });

  describe("a drop waits for React Flow", () => {

    it("stays drawn until React Flow has the dropped nodes, then goes in the frame after the one that draws them", () => {
      const { preview, elements, calls, selectionFrame } = setup();
      preview.press(elements.get("a") as never);
      preview.take([drag("a", 10, 20)]);
      preview.press(null);
      preview.drop();
      expect(preview.dropping).toBe(true);
      frame();
      frame();
      // Not settled: still drawn as dragged, raised, its wires on the drag layer.
      expect(elements.get("a")!.attributes.has(DRAGGED_ATTR)).toBe(true);
      expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(true);
      expect(calls.at(-1)!.kind).toBe("move");
      preview.settled();
      expect(preview.dropping).toBe(false);
      frame(); // the frame that draws React Flow's update
      expect(elements.get("a")!.attributes.has(DRAGGED_ATTR)).toBe(true);
      frame();
      expect(elements.get("a")!.attributes.has(DRAGGED_ATTR)).toBe(false);
      expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(false);
      expect(selectionFrame.style.visibility).toBe("");
      expect(calls.at(-1)).toEqual({ kind: "end", moved: { a: { x: 10, y: 20 } } });
      // settled() without a drop waiting does nothing.
      preview.settled();
      expect(callbacks.size).toBe(0);
    });

    it("is finished at once when something must act on the nodes first (a shortcut), and not during a drag", () => {
      const { preview, elements, calls } = setup();
      preview.take([drag("a", 4, 4)]);
      preview.finishDrop(); // mid-drag: nothing happens
      expect(calls.at(-1)!.kind).toBe("move");
      preview.drop();
      preview.finishDrop();
      expect(preview.dropping).toBe(false);
      expect(calls.at(-1)).toEqual({ kind: "end", moved: { a: { x: 4, y: 4 } } });
      expect(elements.get("a")!.attributes.has(DRAGGED_ATTR)).toBe(false);
      // Settled but not yet put away: finished at once, and the settle frames then do nothing.
      preview.take([drag("b", 6, 6)]);
      preview.drop();
      preview.settled();
      preview.finishDrop();
      expect(calls.at(-1)).toEqual({ kind: "end", moved: { b: { x: 6, y: 6 } } });
      const count = calls.length;
      frame();
      frame();
      expect(calls.length).toBe(count);
    });

    it("is put away at once by the next press (the canvas finishes the drop first), which then readies the new drag", () => {
      const { preview, elements, calls } = setup();
      preview.press(elements.get("a") as never);
      preview.take([drag("a", 1, 1)]);
      preview.press(null);
      preview.drop();
      preview.settled();
      preview.finishDrop();
      preview.press(elements.get("b") as never);
      expect(calls.slice(-2)).toEqual([
        { kind: "end", moved: { a: { x: 1, y: 1 } } },
        { kind: "prepare", moved: {}, node: "b" },
      ]);
      expect(elements.get("a")!.attributes.has(RAISED_ATTR)).toBe(false);
      expect(elements.get("b")!.attributes.has(RAISED_ATTR)).toBe(true);
      // The settle frames of the earlier drop no longer end anything.
      const count = calls.length;
      frame();
      frame();
      expect(calls.length).toBe(count);
      expect(elements.get("b")!.attributes.has(RAISED_ATTR)).toBe(true);
    });
  });

  it("does not hold the selection of a box drawn from a pressed node", () => {
    const { preview, elements } = setup({}, { userSelectionActive: true });
    preview.press(elements.get("a") as never);
    expect(preview.take([{ type: "select", id: "b", selected: true }])).toBe(false);
  });
});
