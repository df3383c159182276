"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import { labelOf, portsOf, inHandle, outHandle } from "@/lib/editor/model";
import type { EditorNode } from "@/lib/store/editor-store";
import { useCatalog, useEditor, useRun } from "@/components/editor/editor-context";
import { formatDuration, previewValue } from "@/components/ui/format";
import { countRender } from "./render-probe";
import styles from "./block-node.module.css";

/** Names longer than this may reach the node's max width (280 px at 13 px), so they are clipped with an ellipsis. */
const LONG_NAME = 22;
const STATUS_TEXT = { running: "running", succeeded: "ok", failed: "failed", skipped: "skipped" } as const;

/**
 * The one node component: drawn from the catalog's descriptor of the block's type. It reads its own run
 * result and its own validation problems by id, so a streamed event re-renders only this node.
 */
function BlockNodeView({ id, data, selected }: NodeProps<EditorNode>) {
  countRender(id);
  const catalog = useCatalog();
  const ports = useMemo(() => portsOf(catalog, data), [catalog, data]);
  const run = useRun((s) => s.byNode[id]);
  const problems = useEditor((s) => s.problems[id]);
  const label = labelOf(catalog, data);
  const title = data.name?.trim() || label;
  const rows = Math.max(ports.inputs.length, ports.outputs.length);
  return (
    <div
      className={`${styles.node} ${selected ? styles.selected : ""} ${run ? styles[run.status] : ""} ${problems ? styles.invalid : ""}`}
      data-testid={`node-${id}`}
      data-category={data.category}
      data-status={run?.status ?? "idle"}
      style={{ ["--cat" as string]: `var(--${data.category}, var(--values))` }}
    >
      <div className={styles.header}>
        <span className={styles.type}>{label}</span>
        {run && (
          <span className={styles.badge} data-testid={`status-${id}`} title={run.error ?? undefined}>
            {STATUS_TEXT[run.status]}
            {run.duration !== undefined ? ` · ${formatDuration(run.duration)}` : ""}
          </span>
        )}
      </div>
      <div className={`${styles.name} ${title.length > LONG_NAME ? styles.long : ""}`} title={id}>
        {title}
      </div>
      <div className={styles.ports}>
        {Array.from({ length: rows }, (_, i) => {
          const inp = ports.inputs[i];
          const out = ports.outputs[i];
          return (
            <div className={styles.row} key={i}>
              <div className={styles.in}>
                {inp && (
                  <>
                    <Handle type="target" position={Position.Left} id={inHandle(inp.name)} className={`${styles.handle} ${styles.left}`} data-type={inp.type} title={`${inp.name}: ${inp.type}`} />
                    <span>{inp.label ?? inp.name}</span>
                  </>
                )}
              </div>
              <div className={styles.out}>
                {out && (
                  <>
                    <span>{out.label ?? out.name}</span>
                    <Handle type="source" position={Position.Right} id={outHandle(out.name)} className={`${styles.handle} ${styles.right}`} data-type={out.type} title={`${out.name}: ${out.type}`} />
                  </>
                )}
              </div>
            </div>
          );
        })}
      </div>
      {problems && (
        <div className={styles.problems} role="alert">
          {problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      )}
      {run && (run.output !== undefined || run.error) && (
        <div className={styles.hover} role="tooltip">
          {run.error ? <span className={styles.err}>{run.error}</span> : <pre>{previewValue(run.output, 600)}</pre>}
        </div>
      )}
    </div>
  );
}

export const BlockNode = memo(BlockNodeView);

/** Defined once at module scope so React Flow never sees a new object. */
export const nodeTypes = { block: BlockNode };
