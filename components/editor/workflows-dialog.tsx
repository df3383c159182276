"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, queryKeys, type WorkflowRecord } from "@/lib/api/client";
import { refreshQueries } from "@/lib/api/query-client";
import { Dialog } from "@/components/ui/dialog";
import styles from "./editor.module.css";

/** Saved workflows: open, rename, duplicate, delete. */
export function WorkflowsDialog({
  currentId,
  onOpen,
  onRenamed,
  onDeleted,
  onClose,
}: {
  currentId: string | null;
  onOpen: (w: WorkflowRecord) => void;
  onRenamed: (w: WorkflowRecord) => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const list = useQuery({ queryKey: queryKeys.workflows, queryFn: api.listWorkflows });
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => refreshQueries(client, queryKeys.workflows);
  const onError = (e: Error) => setError(e.message);

  const rename = useMutation({ mutationFn: (r: { id: string; name: string }) => api.updateWorkflow(r.id, { name: r.name }), onSuccess: (w) => (setRenaming(null), onRenamed(w), void refresh()), onError });
  const duplicate = useMutation({
    mutationFn: async (id: string) => {
      const w = await api.getWorkflow(id);
      return api.createWorkflow({ name: `${w.name} (copy)`, description: w.description, workflow: w.workflow });
    },
    onSuccess: () => void refresh(),
    onError,
  });
  const remove = useMutation({ mutationFn: (id: string) => api.deleteWorkflow(id), onSuccess: (_v, id) => (onDeleted(id), void refresh()), onError });

  return (
    <Dialog title="Workflows" onClose={onClose} wide>
      {error && (
        <div className={styles.fieldError} role="alert">
          {error}
        </div>
      )}
      <table className={styles.results} aria-label="Saved workflows">
        <thead>
          <tr>
            <th>Name</th>
            <th>Nodes</th>
            <th>Version</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.map((w) => (
            <tr key={w.id} data-testid={`workflow-${w.id}`} className={w.id === currentId ? styles.currentRow : ""}>
              <td>
                {renaming?.id === w.id ? (
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      rename.mutate(renaming);
                    }}
                  >
                    <input aria-label="New name" autoFocus value={renaming.name} onChange={(e) => setRenaming({ id: w.id, name: e.target.value })} />
                    <button type="submit">OK</button>
                  </form>
                ) : (
                  <>
                    <div>{w.name}</div>
                    {w.description && <div className={styles.muted}>{w.description}</div>}
                  </>
                )}
              </td>
              <td>{w.blocks}</td>
              <td>v{w.version}</td>
              <td className={styles.muted}>{new Date(w.updated_at).toLocaleString()}</td>
              <td className={styles.actionsCell}>
                <button type="button" className={styles.primary} onClick={async () => onOpen(await api.getWorkflow(w.id))}>
                  Open
                </button>
                <button type="button" onClick={() => setRenaming({ id: w.id, name: w.name })}>
                  Rename
                </button>
                <button type="button" onClick={() => duplicate.mutate(w.id)}>
                  Duplicate
                </button>
                <button type="button" className={styles.danger} onClick={() => confirm(`Delete “${w.name}” with its versions and runs?`) && remove.mutate(w.id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {list.data?.length === 0 && (
            <tr>
              <td colSpan={5} className={styles.muted}>
                No saved workflows yet. Save the current one with Ctrl+S.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </Dialog>
  );
}

/** Version history of the current workflow: each save, with a way to load it back onto the canvas. */
export function VersionsDialog({ workflowId, onRestore, onClose }: { workflowId: string; onRestore: (v: { version: number; workflow: WorkflowRecord["workflow"] }) => void; onClose: () => void }) {
  const versions = useQuery({ queryKey: queryKeys.versions(workflowId), queryFn: () => api.versions(workflowId) });
  return (
    <Dialog title="Version history" onClose={onClose}>
      <table className={styles.results} aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Name</th>
            <th>Nodes</th>
            <th>Saved</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.data?.map((v) => (
            <tr key={v.version}>
              <td>v{v.version}</td>
              <td>{v.name}</td>
              <td>{v.workflow.blocks.length}</td>
              <td className={styles.muted}>{new Date(v.created_at).toLocaleString()}</td>
              <td>
                <button type="button" onClick={() => onRestore(v)}>
                  Load
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
