"use client";
import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useEffect, useMemo, useState } from "react";
import { api, queryKeys } from "@/lib/api/client";
import { labelOf, portsOf } from "@/lib/editor/model";
import { propertiesSchema, type PropertySpec } from "@/lib/workflow/properties";
import { useCatalog, useEditor, useEditorStores, useRun } from "./editor-context";
import { formatDuration, previewValue } from "@/components/ui/format";
import styles from "./editor.module.css";

/** Checks one property value with the same zod schema the server's validator uses. */
function problemOf(spec: PropertySpec, value: unknown): string | null {
  const r = propertiesSchema([spec]).safeParse({ [spec.name]: value });
  return r.success ? null : (r.error.issues[0]?.message ?? "is not valid");
}

function ProfileField({ spec, value, onChange }: { spec: Extract<PropertySpec, { kind: "profile" }>; value: unknown; onChange: (v: unknown) => void }) {
  const profiles = useQuery({ queryKey: queryKeys.profiles(spec.provider), queryFn: () => api.profiles(spec.provider) });
  const current = typeof value === "string" ? value : "";
  const known = profiles.data?.some((p) => p.id === current);
  return (
    <select id={`prop-${spec.name}`} value={current} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">None (simulated market needs none)</option>
      {current && !known && <option value={current}>{current} (not found)</option>}
      {profiles.data?.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
}

function PropertyField({ spec, value, onCommit }: { spec: PropertySpec; value: unknown; onCommit: (v: unknown) => void }) {
  const toText = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join(", ") : String(v));
  // The field is keyed by its value (see Inspector), so a change from elsewhere (undo) resets the draft.
  const [draft, setDraft] = useState(toText(value));
  const [error, setError] = useState<string | null>(null);

  const commit = (v: unknown) => {
    const problem = problemOf(spec, v);
    setError(problem);
    if (!problem) onCommit(v);
  };
  const id = `prop-${spec.name}`;
  let control;
  switch (spec.kind) {
    case "number":
      control = (
        <input
          id={id}
          inputMode="decimal"
          value={draft}
          placeholder={spec.nullable ? "not set" : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => commit(draft.trim() === "" ? (spec.nullable ? null : undefined) : Number(draft))}
          onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
        />
      );
      break;
    case "string":
    case "cron":
      control = (
        <input
          id={id}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => commit(draft)}
          onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
        />
      );
      break;
    case "boolean":
      control = <input id={id} type="checkbox" checked={value === true} onChange={(e) => commit(e.target.checked)} />;
      break;
    case "enum":
      control = (
        <select id={id} value={String(value ?? spec.default)} onChange={(e) => commit(e.target.value)}>
          {spec.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case "multi": {
      const selected = Array.isArray(value) ? (value as string[]) : [];
      control = (
        <div className={styles.checks} id={id} role="group" aria-label={spec.label}>
          {spec.options.map((o) => (
            <label key={o.value}>
              <input
                type="checkbox"
                checked={selected.includes(o.value)}
                onChange={(e) => commit(e.target.checked ? spec.options.map((x) => x.value).filter((v) => v === o.value || selected.includes(v)) : selected.filter((v) => v !== o.value))}
              />
              {o.label}
            </label>
          ))}
        </div>
      );
      break;
    }
    case "list":
      control = (
        <input
          id={id}
          value={draft}
          placeholder="comma separated"
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => {
            const items = draft.split(",").map((s) => s.trim()).filter(Boolean);
            commit(spec.item === "number" ? items.map(Number) : items);
          }}
        />
      );
      break;
    case "profile":
      control = <ProfileField spec={spec} value={value} onChange={commit} />;
      break;
    default: {
      const never: never = spec;
      control = <span>{String(never)}</span>;
    }
  }
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{spec.label}</label>
      {control}
      {error ? (
        <div className={styles.fieldError} role="alert">
          {spec.label} {error}
        </div>
      ) : spec.description ? (
        <div className={styles.fieldHint}>{spec.description}</div>
      ) : null}
    </div>
  );
}

function NameField({ initial, placeholder, onCommit }: { initial: string; placeholder: string; onCommit: (name: string) => void }) {
  const [name, setName] = useState(initial);
  return (
    <div className={styles.field}>
      <label htmlFor="node-name">Name</label>
      <input
        id="node-name"
        value={name}
        placeholder={placeholder}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => name !== initial && onCommit(name)}
        onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
      />
    </div>
  );
}

/**
 * The type styles of the inspector's form (editor.module.css: heading, labels, fields, hints, summaries, the
 * node's id). The first text in a font, size and weight makes Chromium fetch that font's data from the browser
 * process (on Linux through fontconfig; 8 to 12 ms for the form's first appearance, measured at 500 nodes),
 * so the form's first selection stalled. Text measured on a canvas fetches the same data: it is done once,
 * while the editor is idle.
 */
const FORM_FONTS = ["bold 16px", "12px", "bold 12px", "11px", "14px"];

function warmFormFonts() {
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return;
  const family = getComputedStyle(document.body).fontFamily;
  for (const font of FORM_FONTS) {
    ctx.font = `${font} ${family}`;
    ctx.measureText("Aa0");
  }
  const code = document.createElement("code");
  document.body.append(code);
  ctx.font = `12px ${getComputedStyle(code).fontFamily}`;
  code.remove();
  ctx.measureText("Aa0");
}

/** The right-hand inspector: the selected node's name, its properties (a form from its schema), its last result. */
export function Inspector() {
  useEffect(() => {
    const idle = window.requestIdleCallback ?? ((cb: () => void) => window.setTimeout(cb, 200));
    const cancel = window.cancelIdleCallback ?? window.clearTimeout;
    const handle = idle(warmFormFonts);
    return () => cancel(handle);
  }, []);
  const catalog = useCatalog();
  const { editor } = useEditorStores();
  // Deferred: a selection that comes with a drop (see DragPreview) places the node in the frame of the drop,
  // and the form is built in the next one, so the two do not add up in a single frame.
  const selectedIds = useDeferredValue(useEditor((s) => s.nodes.filter((n) => n.selected).map((n) => n.id).join(",")));
  const id = selectedIds && !selectedIds.includes(",") ? selectedIds : null;
  const data = useEditor((s) => (id ? s.nodes.find((n) => n.id === id)?.data : undefined));
  const run = useRun((s) => (id ? s.byNode[id] : undefined));
  const problems = useEditor((s) => (id ? s.problems[id] : undefined));
  const def = data ? catalog.get(data.category, data.type) : undefined;
  const ports = useMemo(() => (data ? portsOf(catalog, data) : null), [catalog, data]);

  if (!id || !data || !def) {
    const count = selectedIds ? selectedIds.split(",").length : 0;
    return (
      <aside className={styles.inspector} aria-label="Inspector">
        <p className={styles.muted}>{count > 1 ? `${count} nodes selected. Ctrl+C copies them, Ctrl+D duplicates, Delete removes.` : "Select a node to edit its properties."}</p>
      </aside>
    );
  }
  return (
    <aside className={styles.inspector} aria-label="Inspector">
      <div className={styles.inspectorHead} style={{ borderColor: `var(--${data.category})` }}>
        <div className={styles.muted}>{data.category}</div>
        <h2>{labelOf(catalog, data)}</h2>
        <p className={styles.muted}>{def.description}</p>
        <code className={styles.muted}>{id}</code>
      </div>
      <NameField key={`${id}:${data.name ?? ""}`} initial={data.name ?? ""} placeholder={def.label} onCommit={(name) => editor.getState().updateBlock(id, { name })} />
      {def.properties.map((spec) => (
        <PropertyField key={`${id}:${spec.name}:${JSON.stringify(data.properties[spec.name] ?? null)}`} spec={spec} value={data.properties[spec.name]} onCommit={(v) => editor.getState().updateBlock(id, { properties: { [spec.name]: v } })} />
      ))}
      {ports && (
        <div className={styles.portsSummary}>
          <div>
            <strong>Inputs</strong> {ports.inputs.map((p) => `${p.name} (${p.type})`).join(", ") || "none"}
          </div>
          <div>
            <strong>Outputs</strong> {ports.outputs.map((p) => `${p.name} (${p.type})`).join(", ") || "none"}
          </div>
        </div>
      )}
      {problems && (
        <div className={styles.fieldError} role="alert">
          {problems.join(" ")}
        </div>
      )}
      {run && (
        <div className={styles.lastRun}>
          <strong>Last run:</strong> {run.status}
          {run.duration !== undefined ? ` in ${formatDuration(run.duration)}` : ""}
          {run.error ? <div className={styles.fieldError}>{run.error}</div> : <pre data-testid="inspector-output">{previewValue(run.output)}</pre>}
        </div>
      )}
    </aside>
  );
}
