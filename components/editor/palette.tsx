"use client";
import { useMemo, useState, type DragEvent } from "react";
import { useReactFlow } from "@xyflow/react";
import { CATEGORIES } from "@/lib/workflow/format";
import { useCatalog, useEditorStores } from "./editor-context";
import { PALETTE_MIME } from "./canvas";
import styles from "./editor.module.css";

const CATEGORY_LABEL: Record<string, string> = { providers: "Providers", triggers: "Triggers", indicators: "Indicators", conditions: "Conditions", actions: "Actions", risk: "Risk", values: "Values" };

/** The node palette: every catalog entry, grouped by category, searchable; drag onto the canvas or click to add. */
export function Palette() {
  const catalog = useCatalog();
  const { editor } = useEditorStores();
  const { screenToFlowPosition } = useReactFlow();
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const defs = catalog.list().filter((d) => !q || `${d.label} ${d.type} ${d.description} ${d.category}`.toLowerCase().includes(q));
    return CATEGORIES.map((c) => ({ category: c, defs: defs.filter((d) => d.category === c) })).filter((g) => g.defs.length > 0);
  }, [catalog, query]);

  const add = (category: string, type: string) => {
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const center = canvas ? screenToFlowPosition({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 }) : { x: 0, y: 0 };
    // Place it at the centre of the view, or the nearest free slot around it that is still in view.
    const taken = editor.getState().nodes.map((n) => n.position);
    const origin = { x: Math.round(center.x - 100), y: Math.round(center.y - 40) };
    const free = (p: { x: number; y: number }) => !taken.some((t) => Math.abs(t.x - p.x) < 230 && Math.abs(t.y - p.y) < 110);
    const slots = [[0, 0], [0, 130], [0, -130], [250, 0], [-250, 0], [250, 130], [-250, 130], [250, -130], [-250, -130], [0, 260], [0, -260]];
    const slot = slots.map(([dx, dy]) => ({ x: origin.x + dx!, y: origin.y + dy! })).find(free);
    const at = slot ?? { x: origin.x + (taken.length % 5) * 20, y: origin.y + (taken.length % 5) * 20 };
    editor.getState().addBlock(category, type, at);
  };

  return (
    <aside className={styles.palette} aria-label="Node palette">
      <input className={styles.search} type="search" placeholder="Search nodes" aria-label="Search nodes" value={query} onChange={(e) => setQuery(e.target.value)} />
      <div className={styles.paletteList}>
        {groups.map((g) => (
          <section key={g.category} aria-label={CATEGORY_LABEL[g.category]}>
            <h3 className={styles.groupTitle} style={{ color: `var(--${g.category})` }}>
              {CATEGORY_LABEL[g.category]}
            </h3>
            {g.defs.map((d) => (
              <button
                key={d.type}
                type="button"
                className={styles.paletteItem}
                draggable
                data-testid={`palette-${d.category}-${d.type}`}
                onDragStart={(e: DragEvent) => {
                  e.dataTransfer.setData(PALETTE_MIME, `${d.category}/${d.type}`);
                  e.dataTransfer.effectAllowed = "copy";
                }}
                onClick={() => add(d.category, d.type)}
                title={`Drag onto the canvas, or click to add: ${d.description}`}
                style={{ borderLeftColor: `var(--${d.category})` }}
              >
                <span className={styles.itemLabel}>{d.label}</span>
                <span className={styles.itemDesc}>{d.description}</span>
              </button>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className={styles.muted}>No node matches “{query}”.</p>}
      </div>
    </aside>
  );
}
