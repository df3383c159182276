/**
 * Does the canvas stay smooth with big graphs, and does an update re-render only what changed?
 *
 * Starts the production build (scripts/start.mjs, own port and database), saves generated graphs of 500
 * and 2,000 nodes through the API, opens each in headless Chromium and measures:
 * - time to first render: navigation start until every node is in the DOM;
 * - dragging one node: the pointer presses the node, rests 150 ms as a hand does, then moves in 60 steps and
 *   lets go. Reported: the longest frame of the press (while nothing moves on screen; the editor readies the
 *   drag then), frames per second and mean frame interval (requestAnimationFrame) from the first move until
 *   the drop has settled (the drag preview is gone: see DragPreview) and 100 ms more, which of those frames
 *   took longer than one 60 Hz beat, and node component renders per drag step
 *   (target: at most 1, the dragged node; a drag in progress is drawn without React, so the dragged node
 *   renders only when the drag starts and when it is dropped, selected and placed);
 * - a streamed run: node component renders per node event (target: 1, the node the event is about).
 * Node renders are counted by components/nodes/render-probe.ts, enabled only on this page.
 * Knobs: BENCH_SIZES=500,2000 (graph sizes), BENCH_NO_EDGES=1 (nodes only, to see what edges cost),
 * BENCH_PROFILE=1 (print where the drag's CPU time went; BENCH_PROFILE_FILE=path keeps the profile), BENCH_TRACE=1 (print Chromium's rendering work during
 * the drag, from a trace: total time per event name on the page's main and compositor threads; BENCH_TRACE_FILE=path
 * keeps the trace, BENCH_TRACE_EXTRA adds trace categories). For experiments: BENCH_CSS (a style sheet added
 * before the drag) and BENCH_PROBE (an expression evaluated in the page, printed).
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import { syntheticDag } from "./dag";

const PORT = Number(process.env.BENCH_PORT ?? 3299);
/** How long the pointer rests on the pressed node before the drag moves it, as a hand does. */
const HOLD_MS = 150;
const BASE = `http://127.0.0.1:${PORT}`;
const root = path.resolve(__dirname, "..");

async function waitForServer(timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${BASE}/api/nodes`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("server did not start");
}

function graph(n: number) {
  const doc = syntheticDag(n, 7);
  const cols = Math.ceil(Math.sqrt(n * 2));
  return {
    blocks: doc.blocks.map((b, i) => ({ ...b, position: { x: (i % cols) * 260, y: Math.floor(i / cols) * 170 } })),
    connections: process.env.BENCH_NO_EDGES ? [] : doc.connections,
  };
}

/** Total duration per event name on the renderer's threads, for the slowest names (BENCH_TRACE=1). */
function printTrace(n: number, steps: number, buffer: Buffer) {
  type Ev = { name: string; ph: string; pid: number; tid: number; dur?: number; args?: { name?: string } };
  if (process.env.BENCH_TRACE_FILE) writeFileSync(`${process.env.BENCH_TRACE_FILE}-${n}.json`, buffer);
  const { traceEvents } = JSON.parse(buffer.toString()) as { traceEvents: Ev[] };
  const threads = new Map<string, string>();
  for (const e of traceEvents) if (e.ph === "M" && e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
  const totals = new Map<string, number>();
  for (const e of traceEvents) {
    if (e.ph !== "X" || !e.dur) continue;
    const thread = threads.get(`${e.pid}:${e.tid}`) ?? "?";
    if (!/CrRendererMain|Compositor$|CompositorTileWorker/.test(thread)) continue;
    const key = `${thread.replace(/\d+$/, "")} ${e.name}`;
    totals.set(key, (totals.get(key) ?? 0) + e.dur);
  }
  console.log(`\nTrace of the ${n}-node drag (ms per drag step, nested events overlap):`);
  for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${(v / 1000 / steps).toFixed(2).padStart(7)}  ${k}`);
}

async function main() {
  rmSync(path.join(root, ".tmp/bench-canvas"), { recursive: true, force: true });
  const server = spawn(process.execPath, [path.join(root, "scripts/start.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: String(PORT), DATABASE_URL: "file:./.tmp/bench-canvas/bench.db" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForServer(300_000);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const rows: Record<string, number | string>[] = [];
    const sizes = (process.env.BENCH_SIZES ?? "500,2000").split(",").map(Number);
    for (const n of sizes) {
      const res = await fetch(`${BASE}/api/workflows`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: `bench ${n}`, workflow: graph(n) }) });
      const { id } = (await res.json()) as { id: string };
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      // tsx compiles with keepNames, which wraps functions sent to the page in __name(); give it one.
      await page.addInitScript("window.__name = (f) => f; window.__scRenders = {};");
      await page.goto(`${BASE}/?workflow=${id}`);
      await page.waitForFunction((count) => document.querySelectorAll(".react-flow__node").length === count, n, { polling: "raf", timeout: 120_000 });
      const firstRender = await page.evaluate(() => performance.now());
      await page.waitForTimeout(500); // let fit-view settle
      if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
      if (process.env.BENCH_PROBE) console.log(await page.evaluate(process.env.BENCH_PROBE));

      // Drag one node in 60 steps, recording animation frames and node renders.
      // The node nearest the middle of the canvas, so the drag (180 x 120 px) stays clear of the canvas's edges: a
      // pointer within 40 px of an edge pans the whole view (React Flow's auto-pan), which is a pan, not a drag.
      const middle = await page.evaluate(() => {
        const pane = document.querySelector(".react-flow")!.getBoundingClientRect();
        const cx = pane.left + pane.width / 2 - 90;
        const cy = pane.top + pane.height / 2 - 60;
        let best = 0;
        let bestDistance = Infinity;
        document.querySelectorAll(".react-flow__node").forEach((el, i) => {
          const r = el.getBoundingClientRect();
          const d = Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
          if (d < bestDistance) [best, bestDistance] = [i, d];
        });
        return best;
      });
      const target = page.locator(".react-flow__node").nth(middle);
      const box = (await target.boundingBox())!;
      const draggedId = (await target.getAttribute("data-id"))!;
      await page.evaluate((id) => {
        const w = window as unknown as { __scRenders: Record<string, number>; __frames: number[]; __recording: boolean; __settledAt: number };
        w.__scRenders = {};
        w.__frames = [];
        w.__recording = true;
        // When the drop has settled: the drag preview takes its mark off the dragged node (DragPreview.end).
        w.__settledAt = 0;
        const el = document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"]`)!;
        let marked = false;
        new MutationObserver(() => {
          if (el.hasAttribute("data-sc-dragged")) marked = true;
          else if (marked && !w.__settledAt) w.__settledAt = performance.now();
        }).observe(el, { attributes: true, attributeFilter: ["data-sc-dragged"] });
        const tick = (t: number) => {
          if (!w.__recording) return;
          w.__frames.push(t);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }, draggedId);
      // BENCH_PROFILE=1 records a CPU profile of the drag and prints where the time went.
      const cdp = process.env.BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
      if (cdp) {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
        await cdp.send("Profiler.start");
      }
      const metricsCdp = await page.context().newCDPSession(page);
      await metricsCdp.send("Performance.enable");
      const metric = async () => Object.fromEntries(((await metricsCdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
      if (process.env.BENCH_TRACE) await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc", "benchmark", "viz", ...(process.env.BENCH_TRACE_EXTRA ? process.env.BENCH_TRACE_EXTRA.split(",") : [])] });
      const before = await metric();
      const steps = 60;
      const x0 = box.x + box.width / 2;
      const y0 = box.y + Math.min(10, box.height / 2);
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      // A hand holds still for a moment between pressing a node and moving it; the editor readies the drag
      // then (see DragPreview.press). The frames of the hold are reported apart from the frames of the move.
      await page.waitForTimeout(HOLD_MS);
      await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __moveFrom: number };
        w.__moveFrom = w.__frames.length;
      });
      for (let i = 1; i <= steps; i++) await page.mouse.move(x0 + i * 3, y0 + i * 2);
      await page.mouse.up();
      // The drop's work is spread over the next frames (React Flow's update, then putting the preview away):
      // frames are counted until the preview has gone, and 100 ms beyond.
      await page.waitForFunction(() => (window as unknown as { __settledAt: number }).__settledAt > 0, null, { polling: 50, timeout: 10_000 });
      await page.waitForTimeout(150);
      const after = await metric();
      const perStep = (k: string) => Number((((after[k] ?? 0) - (before[k] ?? 0)) * 1000) / steps).toFixed(1);
      const breakdown = `script ${perStep("ScriptDuration")} ms, style ${perStep("RecalcStyleDuration")} ms, layout ${perStep("LayoutDuration")} ms, all tasks ${perStep("TaskDuration")} ms per step`;
      if (process.env.BENCH_TRACE) printTrace(n, steps, await browser.stopTracing());
      if (cdp) {
        const { profile } = (await cdp.send("Profiler.stop")) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] } };
        const byId = new Map(profile.nodes.map((node) => [node.id, node]));
        if (process.env.BENCH_PROFILE_FILE) writeFileSync(`${process.env.BENCH_PROFILE_FILE}-${n}.cpuprofile`, JSON.stringify(profile));
        const self = new Map<string, number>();
        for (const sample of profile.samples) {
          const f = byId.get(sample)!.callFrame;
          const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
          self.set(key, (self.get(key) ?? 0) + 1);
        }
        console.log(`\nCPU profile of the ${n}-node drag (share of samples):`);
        for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${((100 * v) / profile.samples.length).toFixed(1)}%  ${k}`);
      }
      const drag = await page.evaluate((dragged) => {
        const w = window as unknown as { __scRenders: Record<string, number>; __frames: number[]; __recording: boolean; __moveFrom: number; __settledAt: number };
        w.__recording = false;
        // Up to 100 ms after the drop settled, and the frame that ends past that (it may be a slow one).
        const cut = w.__frames.findIndex((t) => t > w.__settledAt + 100);
        if (cut >= 0) w.__frames = w.__frames.slice(0, cut + 1);
        const held = w.__frames.slice(0, w.__moveFrom);
        const hold = Math.max(0, ...held.slice(1).map((t, i) => t - held[i]!));
        // From the last frame of the hold: the first move's frame counts.
        const f = w.__frames.slice(Math.max(0, w.__moveFrom - 1));
        const intervals = f.slice(1).map((t, i) => t - f[i]!);
        const mean = intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length);
        const renders = Object.values(w.__scRenders).reduce((a, b) => a + b, 0);
        const others = Object.entries(w.__scRenders).filter(([k]) => k !== dragged).reduce((a, [, v]) => a + v, 0);
        const sorted = [...intervals].sort((a, b) => a - b);
        // Frames that missed the 60 Hz beat, and when (#0 is the first move's frame): the start of the drag and
        // the drop (which commits to the stores) do more than a step of the drag.
        const slow = intervals.flatMap((v, i) => (v > 17 ? [`#${i} ${Math.round(v)}`] : []));
        return { mean, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, renders, others, frames: intervals.length, slow, hold };
      }, draggedId);

      // A streamed run of the saved workflow: node renders per node event.
      await page.evaluate(() => {
        (window as unknown as { __scRenders: Record<string, number> }).__scRenders = {};
      });
      await page.getByRole("button", { name: "▶ Run Workflow" }).click();
      await page.getByTestId("run-summary").and(page.locator('[data-phase="completed"], [data-phase="failed"]')).waitFor({ timeout: 120_000 });
      const runRenders = await page.evaluate(() => Object.values((window as unknown as { __scRenders: Record<string, number> }).__scRenders).reduce((a, b) => a + b, 0));
      const nodeEvents = n * 2; // node-started and node-finished for every node
      rows.push({
        nodes: n,
        "first render ms": Math.round(firstRender),
        "press: longest frame ms": Math.round(drag.hold),
        "drag frame ms (mean)": Number(drag.mean.toFixed(1)),
        "drag frame ms (p95)": Number(drag.p95.toFixed(1)),
        "drag fps": Number((1000 / drag.mean).toFixed(0)),
        "frames over 17 ms (#index ms)": `${drag.slow.length} of ${drag.frames}: ${drag.slow.join(", ")}`,
        "renders per drag step": Number((drag.renders / steps).toFixed(2)),
        "other nodes re-rendered": drag.others,
        "renders per run event": Number((runRenders / nodeEvents).toFixed(2)),
        "main thread per drag step": breakdown,
      });
      await page.close();
    }
    await browser.close();
    console.log("Canvas benchmark (production build, headless Chromium, 1440x900)");
    console.table(rows);
    const [small, big] = rows;
    if (small && big) console.log(`2,000-node drag frame / 500-node drag frame: ${(Number(big["drag frame ms (mean)"]) / Number(small["drag frame ms (mean)"])).toFixed(2)}x (target <= 1.5x)`);
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
