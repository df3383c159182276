"use client";
import { ReactFlowProvider } from "@xyflow/react";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, queryKeys, streamRun, ApiRequestError, type WorkflowRecord } from "@/lib/api/client";
import { refreshQueries } from "@/lib/api/query-client";
import { catalog } from "@/lib/nodes";
import { createEditorStore } from "@/lib/store/editor-store";
import { createRunStore } from "@/lib/store/run-store";
import { validateWorkflow } from "@/lib/workflow/validate";
import { WorkflowDocumentSchema } from "@/lib/workflow/format";
import { Canvas } from "./canvas";
import { CredentialsDialog } from "./credentials-dialog";
import { EditorProvider, useEditor, useEditorStores, useRun } from "./editor-context";
import { Inspector } from "./inspector";
import { Palette } from "./palette";
import { ResultsModal } from "./results-modal";
import { ScheduleControl } from "./schedule-control";
import { TemplatesDialog } from "./templates-dialog";
import { VersionsDialog, WorkflowsDialog } from "./workflows-dialog";
import { ArmDialog, PaperAccountDialog, RunModeSelect } from "./trading";
import { BacktestPanel } from "@/components/backtest/backtest-panel";
import type { RunMode } from "@/lib/workflow/definition";
import styles from "./editor.module.css";

const LAST_WORKFLOW_KEY = "strategy-canvas:last-workflow";
const GALLERY_OFFERED_KEY = "strategy-canvas:gallery-offered";

type Dialogs = "results" | "credentials" | "workflows" | "versions" | "templates" | "arm" | "paper" | "backtest" | null;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

function Toast({ kind, text }: { kind: "error" | "info"; text: string }) {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const t = setTimeout(() => setVisible(false), 5000);
    return () => clearTimeout(t);
  }, []);
  if (!visible) return null;
  return (
    <div className={`${styles.notice} ${kind === "error" ? styles.noticeError : ""}`} role={kind === "error" ? "alert" : "status"} data-testid="notice">
      {text}
    </div>
  );
}

/** The latest notice; a new one (new key) remounts the toast and restarts its timer. */
function Notice() {
  const notice = useEditor((s) => s.notice);
  return notice ? <Toast key={notice.key} kind={notice.kind} text={notice.text} /> : null;
}

function Toolbar(props: {
  onRun: () => void;
  onSave: () => void;
  open: (d: Dialogs) => void;
  onNew: () => void;
  onImport: () => void;
  onExport: () => void;
  mode: RunMode;
  onMode: (m: RunMode) => void;
}) {
  const { editor } = useEditorStores();
  const name = useEditor((s) => s.name);
  const dirty = useEditor((s) => s.dirty);
  const workflowId = useEditor((s) => s.workflowId);
  const version = useEditor((s) => s.version);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const running = useRun((s) => s.phase === "running");
  return (
    <header className={styles.toolbar}>
      <div className={styles.brand}>Strategy Canvas</div>
      <input className={styles.nameInput} aria-label="Workflow name" value={name} onChange={(e) => editor.getState().setMeta({ name: e.target.value })} />
      <span className={styles.saveState} data-testid="save-state" title={dirty ? "Unsaved changes" : "All changes saved"}>
        {dirty ? "● Unsaved" : workflowId ? `Saved · v${version}` : "Not saved yet"}
      </span>
      {/* The file and edit tools scroll when the window is narrow; the run controls always stay in view. */}
      <div className={styles.toolScroll}>
        <div className={styles.toolGroup}>
          <button type="button" onClick={props.onNew}>New</button>
          <button type="button" onClick={() => props.open("templates")}>Templates</button>
          <button type="button" onClick={() => props.open("workflows")}>Open</button>
          <button type="button" onClick={props.onSave} title="Ctrl+S">Save</button>
          <button type="button" onClick={() => props.open("versions")} disabled={!workflowId}>History</button>
          <button type="button" onClick={props.onImport}>Import</button>
          <button type="button" onClick={props.onExport}>Export</button>
        </div>
        <div className={styles.toolGroup}>
          <button type="button" onClick={() => editor.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">↶</button>
          <button type="button" onClick={() => editor.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">↷</button>
          <button type="button" onClick={() => editor.getState().autoLayout()}>Auto-layout</button>
        </div>
        <div className={styles.toolGroup}>
          <button type="button" onClick={() => props.open("credentials")}>Credentials</button>
          <button type="button" onClick={() => props.open("results")}>Results</button>
        </div>
      </div>
      <div className={`${styles.toolGroup} ${styles.runGroup}`}>
        <ScheduleControl mode={props.mode} />
        <RunModeSelect mode={props.mode} onChange={props.onMode} />
        <button type="button" onClick={() => props.open("backtest")} title="Replay this strategy on history">Backtest</button>
        <button type="button" className={`${styles.run} ${props.mode === "live" ? styles.modeLive : ""}`} onClick={props.onRun} disabled={running} title="Ctrl+Enter">
          {running ? "Running…" : props.mode === "live" ? "▶ Run LIVE" : "▶ Run Workflow"}
        </button>
      </div>
    </header>
  );
}

function Workbench() {
  const { editor, run } = useEditorStores();
  const client = useQueryClient();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const abortRef = useRef<AbortController | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const confirmDiscard = useCallback(() => !editor.getState().dirty || confirm("You have unsaved changes. Discard them?"), [editor]);

  const loadRecord = useCallback(
    (w: WorkflowRecord) => {
      editor.getState().load({ workflowId: w.id, name: w.name, description: w.description, version: w.version, document: w.workflow });
      run.getState().reset();
      localStorage.setItem(LAST_WORKFLOW_KEY, w.id);
    },
    [editor, run],
  );

  const [firstVisit, setFirstVisit] = useState(false);
  // Open the workflow the address names (?workflow=<id>), else the last one, else start a new one; a
  // first-time user with no saved workflows is offered the template gallery.
  useEffect(() => {
    const last = new URLSearchParams(window.location.search).get("workflow") ?? localStorage.getItem(LAST_WORKFLOW_KEY);
    const offerGallery = () => {
      if (localStorage.getItem(GALLERY_OFFERED_KEY)) return;
      return api.listWorkflows().then((list) => {
        if (list.length === 0 && editor.getState().nodes.length === 0) {
          localStorage.setItem(GALLERY_OFFERED_KEY, "1");
          setFirstVisit(true);
          setDialog((d) => d ?? "templates");
        }
      }, () => undefined);
    };
    if (!last) {
      void offerGallery();
      return;
    }
    api.getWorkflow(last).then(loadRecord, () => {
      localStorage.removeItem(LAST_WORKFLOW_KEY);
      void offerGallery();
    });
  }, [loadRecord, editor]);

  const showProblems = useCallback(
    (problems: { message: string; blockId?: string; blockIds?: string[] }[]) => {
    const byBlock: Record<string, string[]> = {};
    for (const p of problems) {
      const ids = "blockIds" in p && p.blockIds ? p.blockIds : [p.blockId ?? ""];
      for (const id of ids) (byBlock[id] ??= []).push(p.message);
    }
      editor.getState().setProblems(byBlock);
    },
    [editor],
  );

  const save = useCallback(async () => {
    const s = editor.getState();
    const document = s.toDocument();
    const check = validateWorkflow(document, catalog);
    if (!check.ok) {
      showProblems(check.problems);
      s.notify("error", `Not saved: ${check.problems[0]?.message ?? "the workflow has problems"}`);
      return false;
    }
    try {
      const saved = s.workflowId
        ? await api.updateWorkflow(s.workflowId, { name: s.name, description: s.description, workflow: document })
        : await api.createWorkflow({ name: s.name, description: s.description, workflow: document });
      editor.getState().markSaved({ workflowId: saved.id, name: saved.name, description: saved.description, version: saved.version });
      localStorage.setItem(LAST_WORKFLOW_KEY, saved.id);
      editor.getState().notify("info", `Saved “${saved.name}” (version ${saved.version})`);
      void refreshQueries(client, queryKeys.workflows);
      void refreshQueries(client, queryKeys.versions(saved.id));
      return true;
    } catch (e) {
      editor.getState().notify("error", `Not saved: ${(e as Error).message}`);
      return false;
    }
  }, [editor, client, showProblems]);

  const [mode, setMode] = useState<RunMode>("simulated");

  const runWorkflow = useCallback(async (armedNow = false) => {
    if (run.getState().phase === "running") return;
    // Paper runs continue the saved workflow's paper account, so the workflow is saved first. Live runs
    // trade exactly the armed saved version, so they are never saved on the user's behalf.
    if (mode === "paper" && (!editor.getState().workflowId || editor.getState().dirty)) {
      if (!(await save())) return;
    }
    if (mode === "live") {
      const current = editor.getState();
      if (!current.workflowId || current.dirty) {
        current.notify("error", "Save the workflow first: live trading is armed for a saved version, and saving again disarms it.");
        return;
      }
      if (!armedNow) {
        const arming = await api.arming(current.workflowId).catch(() => null);
        if (!arming?.armed || !arming.current) {
          setDialog("arm");
          return;
        }
        // Armed: every live run (button or Ctrl+Enter) still says what it is about to do.
        if (!confirm(`Run LIVE: real orders on ${arming.venue}, at most ${arming.max_order_value} each. Continue?`)) return;
      }
    }
    const s = editor.getState();
    const document = s.toDocument();
    setDialog("results");
    const check = validateWorkflow(document, catalog);
    if (!check.ok) {
      showProblems(check.problems);
      run.getState().reset();
      run.getState().fail("invalid", check.problems.map((p) => p.message));
      return;
    }
    if (document.blocks.length === 0) {
      run.getState().reset();
      run.getState().fail("invalid", ["The canvas is empty: drag nodes from the palette first."]);
      return;
    }
    s.setProblems({});
    const controller = new AbortController();
    abortRef.current = controller;
    run.getState().begin();
    const target: { workflowId: string } | { workflow: typeof document } = s.workflowId && !s.dirty ? { workflowId: s.workflowId } : { workflow: document };
    try {
      await streamRun(target, { mode, signal: controller.signal, onEvent: (e) => run.getState().apply(e) });
      if (run.getState().phase === "running") run.getState().fail("error", ["The connection closed before the run finished."]);
    } catch (e) {
      if (controller.signal.aborted) run.getState().fail("cancelled", ["Stopped: the run was cancelled on the server."]);
      else {
        if (e instanceof ApiRequestError && Array.isArray(e.details)) showProblems(e.details as { message: string }[]);
        run.getState().fail("error", [(e as Error).message]);
      }
    } finally {
      abortRef.current = null;
      if ("workflowId" in target) {
        void refreshQueries(client, queryKeys.runs(target.workflowId));
        if (mode !== "simulated") void refreshQueries(client, queryKeys.paper(target.workflowId));
      }
    }
  }, [editor, run, client, showProblems, mode, save]);

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const newWorkflow = useCallback(() => {
    if (!confirmDiscard()) return;
    editor.getState().load({ workflowId: null, name: "Untitled strategy", description: "", version: null, document: { blocks: [], connections: [] } });
    run.getState().reset();
    localStorage.removeItem(LAST_WORKFLOW_KEY);
  }, [editor, run, confirmDiscard]);

  const exportJson = useCallback(() => {
    const s = editor.getState();
    // The document holds profile ids only, never a secret; the export is exactly the seed format plus name.
    const body = JSON.stringify({ name: s.name, description: s.description, ...s.toDocument() }, null, 2);
    const url = URL.createObjectURL(new Blob([body], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${s.name.replace(/[^\w.-]+/g, "-").replace(/^-|-$/g, "") || "workflow"}.json`;
    a.click();
    URL.revokeObjectURL(url);
  }, [editor]);

  const importFile = useCallback(
    async (file: File) => {
      let raw: unknown;
      try {
        raw = JSON.parse(await file.text());
      } catch (e) {
        editor.getState().notify("error", `Import failed: ${file.name} is not JSON (${(e as Error).message})`);
        return;
      }
      const doc = (raw as { workflow?: unknown })?.workflow ?? raw;
      const check = validateWorkflow(doc, catalog);
      if (!check.ok) {
        editor.getState().notify("error", `Import failed: ${check.problems.slice(0, 2).map((p) => p.message).join("; ")}`);
        return;
      }
      if (!confirmDiscard()) return;
      const meta = raw as { name?: unknown; description?: unknown };
      editor.getState().load({
        workflowId: null,
        name: typeof meta.name === "string" && meta.name.trim() ? meta.name : file.name.replace(/\.json$/i, ""),
        description: typeof meta.description === "string" ? meta.description : "",
        version: null,
        document: WorkflowDocumentSchema.parse(check.workflow.document),
      });
      editor.getState().setMeta({});
      run.getState().reset();
      editor.getState().notify("info", `Imported ${check.workflow.blocks.length} nodes from ${file.name}`);
    },
    [editor, run, confirmDiscard],
  );

  // Keyboard shortcuts, as in n8n, ComfyUI and Node-RED.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        void save();
        return;
      }
      if (mod && e.key === "Enter") {
        e.preventDefault();
        void runWorkflow();
        return;
      }
      if (isTyping(e.target) || dialog) return;
      const s = editor.getState();
      const act = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      if (mod && key === "z" && !e.shiftKey) act(s.undo);
      else if (mod && ((key === "z" && e.shiftKey) || key === "y")) act(s.redo);
      else if (mod && key === "c") act(() => s.copy() > 0 && s.notify("info", "Copied"));
      else if (mod && key === "v") act(() => s.paste());
      else if (mod && key === "d") act(s.duplicate);
      else if (mod && key === "a") act(s.selectAll);
      else if (e.key === "Delete" || e.key === "Backspace") act(s.deleteSelection);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, save, runWorkflow, dialog]);

  // Warn before losing unsaved changes.
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (editor.getState().dirty) e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [editor]);

  const workflowId = useEditor((s) => s.workflowId);
  const close = useCallback(() => setDialog(null), []);

  // Live mode never carries over to another workflow: opening, creating or loading one goes back to simulated.
  const previousId = useRef(workflowId);
  useEffect(() => {
    if (previousId.current !== null && previousId.current !== workflowId) setMode((m) => (m === "live" ? "simulated" : m));
    previousId.current = workflowId;
  }, [workflowId]);

  return (
    <div className={styles.app}>
      <Toolbar
        onRun={() => void runWorkflow()}
        onSave={() => void save()}
        open={setDialog}
        onNew={newWorkflow}
        onImport={() => fileRef.current?.click()}
        onExport={exportJson}
        mode={mode}
        onMode={setMode}
      />
      <input
        ref={fileRef}
        type="file"
        accept="application/json,.json"
        hidden
        data-testid="import-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = "";
          if (f) void importFile(f);
        }}
      />
      <div className={styles.body}>
        <Palette />
        <Canvas />
        <Inspector />
      </div>
      <Notice />
      {dialog === "results" && <ResultsModal onClose={close} onStop={stop} onPaperAccount={workflowId ? () => setDialog("paper") : undefined} />}
      {dialog === "paper" && workflowId && <PaperAccountDialog workflowId={workflowId} onClose={close} />}
      {dialog === "arm" && workflowId && (
        <ArmDialog
          workflowId={workflowId}
          onClose={close}
          onArmed={() => {
            close();
            void runWorkflow(true);
          }}
        />
      )}
      {dialog === "credentials" && <CredentialsDialog onClose={close} />}
      {dialog === "backtest" && <BacktestPanel onClose={close} />}
      {dialog === "templates" && (
        <TemplatesDialog
          intro={firstVisit}
          onClose={close}
          onUse={(t) => {
            if (!confirmDiscard()) return;
            editor.getState().load({ workflowId: null, name: t.name, description: t.description, version: null, document: t.workflow });
            editor.getState().setMeta({});
            run.getState().reset();
            localStorage.removeItem(LAST_WORKFLOW_KEY);
            editor.getState().notify("info", `Loaded “${t.name}”: run it, tune it, then save it as your own`);
            close();
          }}
        />
      )}
      {dialog === "workflows" && (
        <WorkflowsDialog
          currentId={workflowId}
          onClose={close}
          onOpen={(w) => {
            if (!confirmDiscard()) return;
            loadRecord(w);
            close();
          }}
          onRenamed={(w) => {
            // Renaming the open workflow stores a new version under the new name; the editor follows, or
            // its next save would put the old name back.
            if (editor.getState().workflowId === w.id) editor.setState({ name: w.name, version: w.version });
          }}
          onDeleted={(id) => {
            if (editor.getState().workflowId === id) editor.getState().markSaved({ workflowId: null, name: editor.getState().name, description: editor.getState().description, version: null });
          }}
        />
      )}
      {dialog === "versions" && workflowId && (
        <VersionsDialog
          workflowId={workflowId}
          onClose={close}
          onRestore={(v) => {
            if (!confirmDiscard()) return;
            const s = editor.getState();
            s.load({ workflowId: s.workflowId, name: s.name, description: s.description, version: s.version, document: v.workflow });
            s.setMeta({});
            s.notify("info", `Loaded version ${v.version}; save to make it the latest`);
            close();
          }}
        />
      )}
    </div>
  );
}

/** The editor: its stores are created once per mount and handed down through context. */
export function EditorApp() {
  const [stores] = useState(() => ({ catalog, editor: createEditorStore(catalog), run: createRunStore() }));
  return (
    <EditorProvider value={stores}>
      <ReactFlowProvider>
        <Workbench />
      </ReactFlowProvider>
    </EditorProvider>
  );
}
