"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { useEditor, useEditorStores } from "@/components/editor/editor-context";
import { BacktestReport } from "./backtest-report";
import { CompareView } from "./compare-view";
import { DataForm } from "./data-form";
import { buildRequestParts, useBacktestForm } from "./hooks/use-backtest-form";
import { useBacktestRun } from "./hooks/use-backtest-run";
import { useBacktestRecord } from "./hooks/use-saved-backtests";
import { PanelShell } from "./panel-shell";
import { RunProgress } from "./run-progress";
import { SavedList } from "./saved-list";
import { SettingsForm } from "./settings-form";
import styles from "./backtest.module.css";

type View = { kind: "none" } | { kind: "report"; id: string } | { kind: "compare"; ids: [string, string] };

function StoredReport({ id }: { id: string }) {
  const record = useBacktestRecord(id);
  if (record.error) return <p className={styles.errorText}>Could not load the backtest: {record.error.message}</p>;
  if (!record.data) return <p className={styles.muted}>Loading…</p>;
  return <BacktestReport key={id} record={record.data} />;
}

/** What the next backtest runs: the saved workflow (stored with it) or the editor's unsaved document. */
function Target() {
  const workflowId = useEditor((s) => s.workflowId);
  const dirty = useEditor((s) => s.dirty);
  const version = useEditor((s) => s.version);
  const name = useEditor((s) => s.name);
  return (
    <span data-testid="backtest-target">
      <strong>{name}</strong>{" "}
      {workflowId && !dirty ? (
        <span className={styles.muted}>saved version {version}: backtests are kept with it</span>
      ) : (
        <span className={styles.warnText}>{workflowId ? "unsaved changes" : "not saved"}: the editor&apos;s current graph is tested, and not kept in this workflow&apos;s list</span>
      )}
    </span>
  );
}

/**
 * The Backtest panel: the data and settings, Run (streamed progress, Stop) and the look-ahead check; the
 * report of the latest or a saved backtest; the workflow's saved backtests, two of which can be compared.
 */
export function BacktestPanel({ onClose }: { onClose: () => void }) {
  const { editor } = useEditorStores();
  const workflowId = useEditor((s) => s.workflowId);
  const { form, set } = useBacktestForm(() => editor.getState().toDocument());
  const [view, setView] = useState<View>({ kind: "none" });
  const [compareIds, setCompareIds] = useState<string[]>([]);
  const [formError, setFormError] = useState<string | null>(null);
  const run = useBacktestRun(useCallback((record) => setView({ kind: "report", id: record.id }), []));
  const running = run.phase === "running";
  const mainRef = useRef<HTMLElement>(null);
  // A newly opened report or comparison starts at its top (its headline and check result).
  useEffect(() => {
    mainRef.current?.scrollTo({ top: 0 });
  }, [view]);

  const start = (check: boolean) => {
    const parts = buildRequestParts(form);
    if (!parts.ok) return setFormError(parts.message);
    const s = editor.getState();
    const document = s.toDocument();
    if (document.blocks.length === 0) return setFormError("The canvas is empty: build or load a strategy first.");
    setFormError(null);
    const target = s.workflowId && !s.dirty ? { workflow_id: s.workflowId } : { workflow: document };
    void run.start({ ...target, data: parts.data, settings: parts.settings, ...(check ? { check: true } : {}) });
  };

  const toggleCompare = (id: string) => setCompareIds((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].slice(-2)));

  return (
    <PanelShell
      title="Backtest"
      subtitle={<Target />}
      onClose={onClose}
      footer={
        <>
          <span className={styles.attribution}>
            Charts by{" "}
            <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">
              TradingView Lightweight Charts™
            </a>
          </span>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <div className={styles.layout}>
        <aside className={styles.sidebar} aria-label="Backtest setup">
          <DataForm form={form} set={set} disabled={running} />
          <SettingsForm form={form} set={set} disabled={running} />
          <SavedList
            workflowId={workflowId}
            openId={view.kind === "report" ? view.id : null}
            compareIds={compareIds}
            onOpen={(id) => setView({ kind: "report", id })}
            onToggleCompare={toggleCompare}
            onCompare={() => compareIds.length === 2 && setView({ kind: "compare", ids: [compareIds[0]!, compareIds[1]!] })}
          />
          <div className={styles.runBar}>
            <div className={styles.actions}>
              <button type="button" className={styles.primary} onClick={() => start(false)} disabled={running}>
                {running ? "Running…" : "▶ Run backtest"}
              </button>
              <button type="button" onClick={() => start(true)} disabled={running} title="Also re-run on the data cut after the strategy's decisions, to find signals that read later bars">
                Check for look-ahead
              </button>
              {running && (
                <button type="button" className={styles.danger} onClick={run.stop}>
                  Stop
                </button>
              )}
            </div>
            {formError && (
              <p className={styles.errorText} role="alert">
                {formError}
              </p>
            )}
            <RunProgress run={run} />
          </div>
        </aside>
        <main className={styles.main} ref={mainRef}>
          {view.kind === "report" && <StoredReport id={view.id} />}
          {view.kind === "compare" && <CompareView key={view.ids.join()} ids={view.ids} />}
          {view.kind === "none" && (
            <div className={styles.empty}>
              <h3>No report open</h3>
              <p>Choose the data and settings on the left and run a backtest, or open a saved one.</p>
              <p className={styles.muted}>
                Orders fill against the replayed bars: at the next bar&apos;s open by default, with the fees and slippage you set. The statistics are named as in backtesting.py.
              </p>
            </div>
          )}
        </main>
      </div>
    </PanelShell>
  );
}
