"use client";
import { useQuery } from "@tanstack/react-query";
import { useShallow } from "zustand/react/shallow";
import { api, queryKeys } from "@/lib/api/client";
import { Dialog } from "@/components/ui/dialog";
import { formatDuration, previewValue } from "@/components/ui/format";
import { labelOf } from "@/lib/editor/model";
import type { RunMode } from "@/lib/workflow/definition";
import { ModeTag } from "./trading";
import { useCatalog, useEditor, useEditorStores, useRun } from "./editor-context";
import styles from "./editor.module.css";

const PHASE_TEXT: Record<string, string> = {
  idle: "No run yet",
  running: "Running…",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Stopped",
  invalid: "Not run: the workflow has problems",
  error: "Could not run",
};

function ResultRow({ nodeId, index }: { nodeId: string; index: number }) {
  const catalog = useCatalog();
  const r = useRun((s) => s.byNode[nodeId]);
  const node = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  if (!r) return null;
  const name = node?.name?.trim() || (node ? labelOf(catalog, node) : nodeId);
  return (
    <tr data-testid={`result-${nodeId}`} data-status={r.status}>
      <td className={styles.muted}>{index + 1}</td>
      <td>
        <div>{name}</div>
        <code className={styles.muted}>{nodeId}</code>
      </td>
      <td>{node ? `${node.category}/${node.type}` : ""}</td>
      <td>
        <span className={`${styles.status} ${styles[`st_${r.status}`]}`}>{r.status}</span>
      </td>
      <td className={styles.num}>{r.duration !== undefined ? formatDuration(r.duration) : "—"}</td>
      <td className={styles.outputCell}>
        {r.error ? (
          <span className={styles.errorText}>{r.error}</span>
        ) : r.output !== undefined ? (
          <details open={index < 2}>
            <summary>{previewValue(r.output, 80).replace(/\s+/g, " ")}</summary>
            <pre>{previewValue(r.output, 20_000)}</pre>
          </details>
        ) : (
          <span className={styles.muted}>running…</span>
        )}
      </td>
    </tr>
  );
}

function RunHistory({ workflowId }: { workflowId: string }) {
  const { run } = useEditorStores();
  // A run the server has not finished recording (e.g. just stopped: the server notices the disconnect a
  // moment later) would stay "running" in the list; poll until every listed run has ended.
  const runs = useQuery({
    queryKey: queryKeys.runs(workflowId),
    queryFn: () => api.runs(workflowId),
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 1000 : false),
  });
  const current = useRun((s) => s.runId);
  if (!runs.data?.length) return <p className={styles.muted}>No stored runs yet. Runs of the saved workflow are kept here.</p>;
  return (
    <ul className={styles.history} aria-label="Run history">
      {runs.data.map((r) => (
        <li key={r.id}>
          <button
            type="button"
            className={r.id === current ? styles.active : ""}
            onClick={async () => {
              const stored = await api.run(r.id);
              run.getState().show({ ...stored, runId: stored.id });
            }}
          >
            <span>{new Date(r.startedAt).toLocaleString()}</span>
            <span className={`${styles.status} ${styles[`st_${r.status}`]}`}>{r.status}</span>
            <span className={styles.muted}>
              v{r.version} · {r.mode} · {r.duration !== null ? formatDuration(r.duration) : "—"}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

const MODE_NOTE: Record<RunMode, string> = {
  simulated: "simulated market, throwaway paper account",
  paper: "live venue data, this workflow's paper account",
  live: "real orders on the armed venue",
  backtest: "replayed history, simulated fills",
};

/** The "Execution results" dialog: fills in live as events arrive; Stop cancels the run on the server. */
export function ResultsModal({ onClose, onStop, onPaperAccount }: { onClose: () => void; onStop: () => void; onPaperAccount?: () => void }) {
  const { phase, rows, duration, mode, messages, runId } = useRun(
    useShallow((s) => ({ phase: s.phase, rows: s.rows, duration: s.duration, mode: s.mode, messages: s.messages, runId: s.runId })),
  );
  const workflowId = useEditor((s) => s.workflowId);
  const failures = useRun((s) => Object.values(s.byNode).filter((r) => r.status === "failed").length);
  return (
    <Dialog
      title="Execution results"
      onClose={onClose}
      wide
      footer={
        <>
          <span className={styles.summary} data-testid="run-summary" data-phase={phase}>
            <strong>{PHASE_TEXT[phase]}</strong>
            {duration !== null && ` · total ${formatDuration(duration)}`}
            {` · ${rows.length} node${rows.length === 1 ? "" : "s"}`}
            {failures > 0 && ` · ${failures} failed`}
            {mode && (
              <>
                {" · "}
                <ModeTag mode={mode} /> {MODE_NOTE[mode]}
              </>
            )}
          </span>
          {onPaperAccount && mode !== "live" && (
            <button type="button" onClick={onPaperAccount}>
              Paper account
            </button>
          )}
          {phase === "running" && (
            <button type="button" className={styles.danger} onClick={onStop}>
              Stop
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <div className={styles.resultsLayout}>
        <div className={styles.resultsMain}>
          {messages.length > 0 && (
            <ul className={styles.problemList} role="alert">
              {messages.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
          {rows.length > 0 ? (
            <table className={styles.results}>
              <thead>
                <tr>
                  <th>#</th>
                  <th>Node</th>
                  <th>Type</th>
                  <th>Status</th>
                  <th>Duration</th>
                  <th>Output</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((id, i) => (
                  <ResultRow key={id} nodeId={id} index={i} />
                ))}
              </tbody>
            </table>
          ) : (
            phase === "running" && <p className={styles.muted}>Waiting for the first result…</p>
          )}
          {runId && <p className={styles.muted}>Run {runId}</p>}
        </div>
        {workflowId && (
          <div className={styles.resultsSide}>
            <h3>Run history</h3>
            <RunHistory workflowId={workflowId} />
          </div>
        )}
      </div>
    </Dialog>
  );
}
