"use client";
import { useQuery } from "@tanstack/react-query";
import { memo } from "react";
import { api, queryKeys, type TemplateRecord } from "@/lib/api/client";
import type { WorkflowDocument } from "@/lib/workflow/format";
import { Dialog } from "@/components/ui/dialog";
import styles from "./editor.module.css";

const NODE_W = 220;
const NODE_H = 70;
const COLORS: Record<string, string> = { providers: "#4f9dff", triggers: "#f5a524", indicators: "#22c3c3", conditions: "#a879ff", actions: "#2fbf71", risk: "#ff5d5d", values: "#8b98a9" };

/** A read-only drawing of a template's graph, from the template's own blocks, positions and wires. */
export const TemplatePreview = memo(function TemplatePreview({ workflow, label }: { workflow: WorkflowDocument; label: string }) {
  const pos = new Map(workflow.blocks.map((b) => [b.id, b.position ?? { x: 0, y: 0 }]));
  const xs = workflow.blocks.map((b) => pos.get(b.id)!.x);
  const ys = workflow.blocks.map((b) => pos.get(b.id)!.y);
  const minX = Math.min(...xs) - 20;
  const minY = Math.min(...ys) - 20;
  const width = Math.max(...xs) + NODE_W + 20 - minX;
  const height = Math.max(...ys) + NODE_H + 20 - minY;
  return (
    <svg className={styles.preview} viewBox={`${minX} ${minY} ${width} ${height}`} role="img" aria-label={`Preview of ${label}`} data-testid="template-preview" preserveAspectRatio="xMidYMid meet">
      {workflow.connections.map((c, i) => {
        const a = pos.get(c.from.blockId);
        const b = pos.get(c.to.blockId);
        if (!a || !b) return null;
        const x1 = a.x + NODE_W;
        const y1 = a.y + NODE_H / 2;
        const x2 = b.x;
        const y2 = b.y + NODE_H / 2;
        const mid = (x1 + x2) / 2;
        return <path key={i} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} stroke="#5b6b80" strokeWidth={4} fill="none" />;
      })}
      {workflow.blocks.map((b) => {
        const p = pos.get(b.id)!;
        return (
          <g key={b.id}>
            <rect x={p.x} y={p.y} width={NODE_W} height={NODE_H} rx={10} fill="#161d26" stroke={COLORS[b.category] ?? "#8b98a9"} strokeWidth={4} />
            <rect x={p.x} y={p.y} width={NODE_W} height={12} rx={6} fill={COLORS[b.category] ?? "#8b98a9"} />
            <text x={p.x + 14} y={p.y + 48} fill="#e6edf3" fontSize={26} fontFamily="system-ui, sans-serif">
              {(b.name ?? b.type).slice(0, 16)}
            </text>
          </g>
        );
      })}
    </svg>
  );
});

/** The template gallery: one card per strategy, with a preview drawn from the template itself. */
export function TemplatesDialog({ onUse, onClose, intro }: { onUse: (t: TemplateRecord) => void; onClose: () => void; intro?: boolean }) {
  const templates = useQuery({ queryKey: queryKeys.templates, queryFn: api.templates, staleTime: Infinity });
  return (
    <Dialog title="Templates" onClose={onClose} wide>
      {intro && <p className={styles.intro}>New here? Start from one of these strategies: load it, run it on the simulated market, then tune its parameters.</p>}
      {templates.error && <p className={styles.fieldError}>Could not load the templates: {(templates.error as Error).message}</p>}
      <div className={styles.gallery}>
        {templates.data?.map((t) => (
          <article key={t.id} className={styles.card} data-testid={`template-${t.id}`} aria-label={t.name}>
            <TemplatePreview workflow={t.workflow} label={t.name} />
            <h3>{t.name}</h3>
            <p>{t.description}</p>
            <p className={styles.cardNote}>
              <strong>Makes money</strong> {t.makes_money}
            </p>
            <p className={styles.cardNote}>
              <strong>Loses money</strong> {t.loses_money}
            </p>
            <div className={styles.tags}>
              {t.tags.map((tag) => (
                <span key={tag} className={styles.tag}>
                  {tag}
                </span>
              ))}
            </div>
            <p className={styles.cardNote}>
              <strong>Needs</strong> {t.credentials}
            </p>
            <p className={styles.cardNote}>
              <strong>Tune</strong> {t.parameters.map((p) => p.label).join(", ")}
            </p>
            <button type="button" className={styles.primary} onClick={() => onUse(t)}>
              Use template
            </button>
          </article>
        ))}
      </div>
    </Dialog>
  );
}
