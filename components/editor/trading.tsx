"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { api, queryKeys, type ArmingState } from "@/lib/api/client";
import type { RunMode } from "@/lib/workflow/definition";
import { VENUES, type Venue } from "@/lib/providers/types";
import { Dialog } from "@/components/ui/dialog";
import { useEditorStores } from "./editor-context";
import styles from "./editor.module.css";

export const MODE_TEXT: Record<RunMode, { label: string; title: string }> = {
  simulated: { label: "Simulated", title: "Reads the seeded simulated market; orders fill on a throwaway paper account" },
  paper: { label: "Paper", title: "Reads the venues' live data; orders fill on this workflow's paper account (saved first)" },
  live: { label: "Live", title: "Real orders on the venue: only after arming this saved version with a venue and a maximum order value" },
  backtest: { label: "Backtest", title: "Replays history bar by bar through the graph; orders fill on a simulated account" },
};

/** The modes Run Workflow offers; a backtest has its own button and panel. */
const RUN_BUTTON_MODES: readonly RunMode[] = ["simulated", "paper", "live"];

/** Chooses how the next run trades. Live is never the default and is never remembered across visits. */
export function RunModeSelect({ mode, onChange }: { mode: RunMode; onChange: (m: RunMode) => void }) {
  return (
    <select
      aria-label="Run mode"
      className={`${styles.modeSelect} ${mode === "live" ? styles.modeLive : mode === "paper" ? styles.modePaper : ""}`}
      value={mode}
      title={MODE_TEXT[mode].title}
      onChange={(e) => onChange(e.target.value as RunMode)}
    >
      {RUN_BUTTON_MODES.map((m) => (
        <option key={m} value={m} title={MODE_TEXT[m].title}>
          {MODE_TEXT[m].label}
        </option>
      ))}
    </select>
  );
}

export function ModeTag({ mode }: { mode: RunMode }) {
  const cls = mode === "live" ? styles.liveTag : mode === "paper" ? styles.paperTag : styles.simTag;
  return (
    <span className={cls} data-testid="run-mode">
      {mode === "live" ? "LIVE" : MODE_TEXT[mode].label.toLowerCase()}
    </span>
  );
}

/**
 * Arming live trading: the user names the venue, the maximum value of one order and of a position, and
 * types the venue's name to confirm. The server arms exactly the saved version; saving again disarms it.
 */
export function ArmDialog({ workflowId, onClose, onArmed }: { workflowId: string; onClose: () => void; onArmed: (s: ArmingState) => void }) {
  const { editor } = useEditorStores();
  const client = useQueryClient();
  const venues = useMemo(() => {
    const found = new Set<Venue>();
    for (const b of editor.getState().toDocument().blocks) {
      if (b.category === "providers" && (VENUES as readonly string[]).includes(b.type) && typeof b.properties?.profile_id === "string" && b.properties.profile_id) found.add(b.type as Venue);
    }
    return [...found];
  }, [editor]);
  const state = useQuery({ queryKey: queryKeys.arming(workflowId), queryFn: () => api.arming(workflowId) });
  const [venue, setVenue] = useState<Venue | "">(venues[0] ?? "");
  const [maxOrder, setMaxOrder] = useState("50");
  const [maxPosition, setMaxPosition] = useState("250");
  const [hours, setHours] = useState("12");
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const armed = state.data?.armed && state.data.current ? state.data : null;

  const arm = useMutation({
    mutationFn: () =>
      api.arm(workflowId, {
        venue,
        max_order_value: Number(maxOrder),
        max_position_value: Number(maxPosition),
        hours: Number(hours),
        confirm_venue: typed,
        // The version on screen: the server refuses to arm a different one.
        ...(editor.getState().version !== null ? { version: editor.getState().version! } : {}),
      }),
    onSuccess: (s) => {
      client.setQueryData(queryKeys.arming(workflowId), s);
      onArmed(s);
    },
    onError: (e: Error) => setError(e.message),
  });
  const disarm = useMutation({
    mutationFn: () => api.disarm(workflowId),
    onSuccess: (s) => client.setQueryData(queryKeys.arming(workflowId), s),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    arm.mutate();
  };
  const value = Number(maxOrder);

  return (
    <Dialog title="Arm live trading" onClose={onClose}>
      {armed ? (
        <div className={styles.warnBox} data-testid="armed-state">
          <strong>Armed:</strong> live orders on <strong>{armed.venue}</strong>, at most <strong>{armed.max_order_value}</strong> per order and{" "}
          {armed.max_position_value} per position, for version {armed.version} until {new Date(armed.expires_at!).toLocaleString()}.
          <div style={{ marginTop: 8, display: "flex", gap: 8 }}>
            <button type="button" className={styles.danger} onClick={() => disarm.mutate()} disabled={disarm.isPending}>
              Disarm
            </button>
            <button type="button" className={styles.primary} onClick={() => onArmed(armed)}>
              Run live now
            </button>
          </div>
        </div>
      ) : venues.length === 0 ? (
        <p role="alert">
          Live trading needs a provider node with a live-capable credential profile. Create one under Credentials (tick “Allow live trading”), pick it on the provider
          node, save, and come back here.
        </p>
      ) : (
        <form className={`${styles.form} ${styles.armForm}`} onSubmit={submit} aria-label="Arm live trading">
          <div className={styles.warnBox}>
            Live runs send <strong>real orders with real money</strong> to {venue || "the venue"}. Every order passes a server-side check: at most the order value
            below, a position limit, a {5}% price collar around a fresh quote no older than 10 s. Arming covers this saved version only; saving again disarms it.
          </div>
          <div className={styles.grid2}>
            <div className={styles.field}>
              <label htmlFor="arm-venue">Venue</label>
              <select id="arm-venue" value={venue} onChange={(e) => setVenue(e.target.value as Venue)}>
                {venues.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </div>
            <div className={styles.field}>
              <label htmlFor="arm-hours">Armed for (hours)</label>
              <input id="arm-hours" type="number" min={1} max={168} value={hours} onChange={(e) => setHours(e.target.value)} />
            </div>
            <div className={styles.field}>
              <label htmlFor="arm-max-order">Maximum order value</label>
              <input id="arm-max-order" type="number" min={0} step="any" value={maxOrder} onChange={(e) => setMaxOrder(e.target.value)} required />
            </div>
            <div className={styles.field}>
              <label htmlFor="arm-max-position">Maximum position value</label>
              <input id="arm-max-position" type="number" min={0} step="any" value={maxPosition} onChange={(e) => setMaxPosition(e.target.value)} required />
            </div>
          </div>
          <div className={styles.field}>
            <label htmlFor="arm-confirm">
              Type <strong>{venue}</strong> to confirm live trading on {venue} with orders up to {Number.isFinite(value) ? value : "?"}
            </label>
            <input id="arm-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </div>
          {error && (
            <div className={styles.fieldError} role="alert">
              {error}
            </div>
          )}
          <button type="submit" className={styles.danger} disabled={!venue || typed.trim().toLowerCase() !== venue || arm.isPending}>
            Arm live trading on {venue}
          </button>
        </form>
      )}
    </Dialog>
  );
}

function fmt(n: number | null, digits = 4): string {
  if (n === null || !Number.isFinite(n)) return "—";
  return Number(n.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** The saved workflow's paper account: what consecutive paper runs have traded. */
export function PaperAccountDialog({ workflowId, onClose }: { workflowId: string; onClose: () => void }) {
  const client = useQueryClient();
  const account = useQuery({ queryKey: queryKeys.paper(workflowId), queryFn: () => api.paper(workflowId) });
  const reset = useMutation({ mutationFn: () => api.resetPaper(workflowId), onSuccess: (a) => client.setQueryData(queryKeys.paper(workflowId), a) });
  const a = account.data;
  return (
    <Dialog
      title="Paper account"
      onClose={onClose}
      wide
      footer={
        <>
          <span className={styles.muted}>Paper runs of this workflow continue this account. No order reaches a venue.</span>
          <button type="button" className={styles.danger} onClick={() => confirm("Start the paper account again from its starting balances?") && reset.mutate()}>
            Reset account
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      {account.error && <p role="alert">{(account.error as Error).message}</p>}
      {a && (
        <>
          <h3>Balances</h3>
          <table className={styles.results} aria-label="Paper balances">
            <thead>
              <tr>
                <th>Venue</th>
                <th className={styles.num}>Available</th>
                <th className={styles.num}>Realised today</th>
              </tr>
            </thead>
            <tbody>
              {a.balances.map((b) => (
                <tr key={b.venue} data-testid={`paper-balance-${b.venue}`}>
                  <td>{b.venue}</td>
                  <td className={styles.num}>
                    {fmt(b.available, 4)} {b.currency}
                  </td>
                  <td className={styles.num}>{fmt(a.realized_today[b.venue] ?? 0, 4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Positions</h3>
          {a.positions.length === 0 ? (
            <p className={styles.muted}>No open positions.</p>
          ) : (
            <table className={styles.results} aria-label="Paper positions">
              <thead>
                <tr>
                  <th>Venue</th>
                  <th>Market</th>
                  <th className={styles.num}>Quantity</th>
                  <th className={styles.num}>Average price</th>
                  <th className={styles.num}>Realised P&amp;L</th>
                </tr>
              </thead>
              <tbody>
                {a.positions.map((p) => (
                  <tr key={`${p.venue}:${p.symbol}`}>
                    <td>{p.venue}</td>
                    <td title={p.symbol}>{p.symbol.length > 24 ? `${p.symbol.slice(0, 10)}…${p.symbol.slice(-8)}` : p.symbol}</td>
                    <td className={styles.num}>{fmt(p.quantity)}</td>
                    <td className={styles.num}>{fmt(p.average_price)}</td>
                    <td className={styles.num}>{fmt(p.realized_pnl)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Orders</h3>
          {a.orders.length === 0 ? (
            <p className={styles.muted}>No paper orders yet: run the workflow in Paper mode.</p>
          ) : (
            <table className={styles.results} aria-label="Paper orders">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Market</th>
                  <th>Side</th>
                  <th className={styles.num}>Filled / qty</th>
                  <th className={styles.num}>Avg price</th>
                  <th className={styles.num}>Fee</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {a.orders.slice(0, 30).map((o) => (
                  <tr key={o.id} data-testid="paper-order">
                    <td className={styles.muted}>{new Date(o.at).toLocaleString()}</td>
                    <td title={o.symbol}>
                      {o.venue} {o.symbol.length > 24 ? `${o.symbol.slice(0, 10)}…${o.symbol.slice(-8)}` : o.symbol}
                    </td>
                    <td>
                      {o.side} {o.type}
                    </td>
                    <td className={styles.num}>
                      {fmt(o.filled_quantity)} / {fmt(o.quantity)}
                    </td>
                    <td className={styles.num}>{fmt(o.average_price)}</td>
                    <td className={styles.num}>{fmt(o.fee)}</td>
                    <td title={o.reason ?? undefined}>{o.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Dialog>
  );
}
