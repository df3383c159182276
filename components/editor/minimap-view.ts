/**
 * Where the minimap looks: the same framing as React Flow's MiniMap (the nodes' bounds and the visible part of
 * the canvas, fitted to the minimap's box with a margin), kept apart from drawing so it can be tested alone.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MinimapView {
  /** The part of the flow the minimap shows, in flow coordinates (its viewBox). */
  box: Rect;
  /** The part of the flow visible on the canvas, in flow coordinates. */
  visible: Rect;
  /** Flow units per minimap pixel. */
  scale: number;
}

/** Margin around the framed area, in minimap pixels (React Flow's offsetScale). */
const MARGIN_PX = 5;

/**
 * @param nodes the nodes' bounds in flow coordinates, or null without visible nodes
 * @param transform the canvas viewport [x, y, zoom]
 * @param pane the canvas' size in pixels
 * @param size the minimap's size in pixels
 */
export function minimapView(nodes: Rect | null, transform: readonly [number, number, number], pane: { width: number; height: number }, size: { width: number; height: number }): MinimapView {
  const [tx, ty, zoom] = transform;
  const visible = { x: (0 - tx) / zoom, y: (0 - ty) / zoom, width: pane.width / zoom, height: pane.height / zoom };
  const framed = nodes ? union(nodes, visible) : visible;
  const scale = Math.max(framed.width / size.width, framed.height / size.height) || 1;
  const width = scale * size.width;
  const height = scale * size.height;
  const margin = MARGIN_PX * scale;
  return {
    box: {
      x: framed.x - (width - framed.width) / 2 - margin,
      y: framed.y - (height - framed.height) / 2 - margin,
      width: width + 2 * margin,
      height: height + 2 * margin,
    },
    visible,
    scale,
  };
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}
