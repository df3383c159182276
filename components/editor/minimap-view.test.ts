import { describe, expect, it } from "vitest";
import { minimapView } from "./minimap-view";

const size = { width: 200, height: 150 };

describe("minimapView", () => {
  it("frames the nodes and the visible part of the canvas together, centred, with a 5 px margin", () => {
    // Canvas 800 x 600 at zoom 1, scrolled so flow (0,0) is at its top-left; nodes from (0,0) to (1600,600).
    const v = minimapView({ x: 0, y: 0, width: 1600, height: 600 }, [0, 0, 1], { width: 800, height: 600 }, size);
    expect(v.visible).toEqual({ x: 0, y: 0, width: 800, height: 600 });
    // 1600 wide into 200 px: 8 flow units a pixel; the height (600) fits in 150 px at that scale.
    expect(v.scale).toBe(8);
    expect(v.box).toEqual({ x: -40, y: 0 - (1200 - 600) / 2 - 40, width: 1600 + 80, height: 1200 + 80 });
  });

  it("follows the viewport: a pan and a zoom move the visible part, in flow coordinates", () => {
    const v = minimapView({ x: 0, y: 0, width: 100, height: 100 }, [-200, -100, 2], { width: 800, height: 600 }, size);
    expect(v.visible).toEqual({ x: 100, y: 50, width: 400, height: 300 });
    // The framed area takes in both the nodes and the visible part: x 0..500, y 0..350.
    expect(v.scale).toBeCloseTo(Math.max(500 / 200, 350 / 150));
    expect(v.box.x).toBeLessThan(0);
    expect(v.box.x + v.box.width).toBeGreaterThan(500);
  });

  it("without nodes frames the visible part alone", () => {
    const v = minimapView(null, [0, 0, 1], { width: 400, height: 300 }, size);
    expect(v.scale).toBe(2);
    expect(v.box).toEqual({ x: -10, y: -10, width: 420, height: 320 });
  });
});
