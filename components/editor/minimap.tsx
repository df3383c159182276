"use client";
/**
 * The canvas' minimap, drawn on a <canvas> by one subscription to React Flow's store.
 *
 * React Flow's MiniMap renders one SVG rect per node, each a component with its own store subscription, and
 * recomputes the bounds of every node on every store update. At 500 nodes that made each update of React
 * Flow's nodes (a drop, a selection) wake 500 more subscriptions and walk 500 more components, about a third
 * of the update's script. Here the nodes are drawn in one pass, at most once a frame, and only when React
 * Flow's nodes or the viewport change. Panning and zooming by the minimap are React Flow's own (XYMinimap),
 * as in its MiniMap; the visible part of the canvas is the same SVG mask, so React Flow's minimap styles
 * apply.
 */
import { Panel, useStore, useStoreApi, type InternalNode, type ReactFlowState } from "@xyflow/react";
import { XYMinimap, type XYMinimapInstance } from "@xyflow/system";
import { memo, useEffect, useRef } from "react";
import { minimapView, type MinimapView } from "./minimap-view";

const WIDTH = 200;
const HEIGHT = 150;

const selectPanZoom = (s: ReactFlowState) => s.panZoom;

export const Minimap = memo(function Minimap({ nodeColor, ariaLabel }: { nodeColor: (node: InternalNode) => string; ariaLabel: string }) {
  const rf = useStoreApi();
  const panZoom = useStore(selectPanZoom);
  const svg = useRef<SVGSVGElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const mask = useRef<SVGPathElement>(null);
  const view = useRef<MinimapView | null>(null);

  // Draw at most once a frame, after a change of React Flow's nodes (placed, measured, selected...) or of the viewport.
  useEffect(() => {
    let frame = 0;
    const draw = () => {
      frame = 0;
      const s = rf.getState();
      const el = canvas.current;
      const ctx = el?.getContext("2d");
      if (!el || !ctx || !svg.current || !mask.current) return;
      // One pass over the nodes: their outlines, one path per colour (a fill per node costs more than the
      // rectangles themselves), and their bounds, in flow coordinates.
      const byColor = new Map<string, Path2D>();
      let left = Infinity;
      let top = Infinity;
      let right = -Infinity;
      let bottom = -Infinity;
      for (const n of s.nodeLookup.values()) {
        if (n.hidden) continue;
        const { x, y } = n.internals.positionAbsolute;
        const w = n.measured.width ?? n.width ?? 0;
        const h = n.measured.height ?? n.height ?? 0;
        if (w <= 0 || h <= 0) continue;
        const color = nodeColor(n);
        let path = byColor.get(color);
        if (!path) byColor.set(color, (path = new Path2D()));
        path.rect(x, y, w, h);
        [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x + w), Math.max(bottom, y + h)];
      }
      const bounds = byColor.size > 0 ? { x: left, y: top, width: right - left, height: bottom - top } : null;
      const v = minimapView(bounds, s.transform, s, { width: WIDTH, height: HEIGHT });
      view.current = v;
      const { box, visible: seen } = v;
      svg.current.setAttribute("viewBox", `${box.x} ${box.y} ${box.width} ${box.height}`);
      mask.current.setAttribute("d", `M${box.x - box.width},${box.y - box.height}h${box.width * 3}v${box.height * 3}h${-box.width * 3}z M${seen.x},${seen.y}h${seen.width}v${seen.height}h${-seen.width}z`);
      // The SVG fits its viewBox into the box keeping proportions, centred: the canvas does the same.
      const dpr = window.devicePixelRatio || 1;
      if (el.width !== Math.round(WIDTH * dpr)) [el.width, el.height] = [Math.round(WIDTH * dpr), Math.round(HEIGHT * dpr)];
      const k = Math.min(WIDTH / box.width, HEIGHT / box.height);
      const ox = (WIDTH - box.width * k) / 2;
      const oy = (HEIGHT - box.height * k) / 2;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, el.width, el.height);
      ctx.setTransform(dpr * k, 0, 0, dpr * k, dpr * (ox - box.x * k), dpr * (oy - box.y * k));
      for (const [color, path] of byColor) {
        ctx.fillStyle = color;
        ctx.fill(path);
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    schedule();
    const stop = rf.subscribe((s, prev) => {
      if (s.nodes !== prev.nodes || s.nodeLookup !== prev.nodeLookup || s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) {
        schedule();
      }
    });
    return () => {
      stop();
      cancelAnimationFrame(frame);
    };
  }, [rf, nodeColor]);

  // Drag on the minimap to pan, wheel to zoom: React Flow's own handler for its MiniMap.
  useEffect(() => {
    if (!svg.current || !panZoom) return;
    const minimap: XYMinimapInstance = XYMinimap({
      domNode: svg.current,
      panZoom,
      getTransform: () => rf.getState().transform,
      getViewScale: () => view.current?.scale ?? 1,
    });
    const update = (s: ReactFlowState) => minimap.update({ translateExtent: s.translateExtent, width: s.width, height: s.height, pannable: true, zoomable: true });
    update(rf.getState());
    const stop = rf.subscribe((s, prev) => {
      if (s.translateExtent !== prev.translateExtent || s.width !== prev.width || s.height !== prev.height) update(s);
    });
    return () => {
      stop();
      minimap.destroy();
    };
  }, [rf, panZoom]);

  return (
    <Panel position="bottom-right" className="react-flow__minimap sc-minimap" data-testid="rf__minimap">
      <canvas ref={canvas} width={WIDTH} height={HEIGHT} style={{ width: WIDTH, height: HEIGHT }} aria-hidden />
      <svg ref={svg} width={WIDTH} height={HEIGHT} className="react-flow__minimap-svg" role="img" aria-label={ariaLabel}>
        <path ref={mask} className="react-flow__minimap-mask" fillRule="evenodd" pointerEvents="none" />
      </svg>
    </Panel>
  );
});
