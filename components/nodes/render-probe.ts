/**
 * Benchmark instrumentation (bench/canvas.ts): counts node component renders by id when a benchmark page
 * has set `window.__scRenders = {}`. Otherwise it costs one property read per render.
 */
export function countRender(id: string): void {
  const counts = (globalThis as { __scRenders?: Record<string, number> }).__scRenders;
  if (counts) counts[id] = (counts[id] ?? 0) + 1;
}
