"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, queryKeys } from "@/lib/api/client";
import { refreshQueries } from "@/lib/api/query-client";
import { CREDENTIAL_FIELDS } from "@/lib/api/schemas";
import { VENUES, type Venue } from "@/lib/providers/types";
import { Dialog } from "@/components/ui/dialog";
import styles from "./editor.module.css";

const FIELD_LABEL: Record<string, string> = {
  api_key: "API key",
  api_secret: "API secret",
  api_passphrase: "API passphrase",
  private_key: "Private key",
  funder_address: "Funder address",
  key_id: "Key ID",
  signature_type: "Signature type (1 email wallet, 2 browser wallet)",
};

/** PEM keys span lines, which a one-line input would swallow. */
const MULTILINE = new Set(["kalshi:private_key"]);

const REQUIRED: Record<Venue, string[]> = {
  binance: ["api_key", "api_secret"],
  polymarket: ["private_key"],
  kalshi: ["key_id", "private_key"],
};

/** Credential profiles per provider. Secret fields are write-only: once saved they are never shown again. */
export function CredentialsDialog({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const [provider, setProvider] = useState<Venue>("binance");
  const [name, setName] = useState("");
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [liveCapable, setLiveCapable] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const profiles = useQuery({ queryKey: queryKeys.profiles(), queryFn: () => api.profiles() });
  const fields = Object.keys(CREDENTIAL_FIELDS[provider].shape);

  const refresh = () => refreshQueries(client, ["profiles"]);
  const create = useMutation({
    mutationFn: () => api.createProfile({ name, provider, credentials: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v.trim())), live_capable: liveCapable }),
    onSuccess: () => {
      setName("");
      setSecrets({});
      setLiveCapable(false);
      setError(null);
      void refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const remove = useMutation({ mutationFn: (id: string) => api.deleteProfile(id), onSuccess: () => void refresh() });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <Dialog title="Credentials" onClose={onClose}>
      <p className={styles.muted}>Secrets are encrypted on the server (AES-256-GCM) and are never shown again once saved.</p>
      <table className={styles.results} aria-label="Credential profiles">
        <thead>
          <tr>
            <th>Name</th>
            <th>Provider</th>
            <th>Fields</th>
            <th>Trading</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {profiles.data?.map((p) => (
            <tr key={p.id} data-testid={`profile-${p.id}`}>
              <td>{p.name}</td>
              <td>{p.provider}</td>
              <td className={styles.muted}>{p.fields.map((f) => `${f}: ••••••`).join(", ")}</td>
              <td>{p.live_capable ? <span className={styles.liveTag}>live-capable</span> : <span className={styles.muted}>read and paper only</span>}</td>
              <td className={styles.muted}>{new Date(p.created_at).toLocaleString()}</td>
              <td>
                <button type="button" className={styles.danger} onClick={() => confirm(`Delete the profile “${p.name}”?`) && remove.mutate(p.id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {profiles.data?.length === 0 && (
            <tr>
              <td colSpan={6} className={styles.muted}>
                No profiles yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form className={styles.form} onSubmit={submit} aria-label="New credential profile">
        <h3>New profile</h3>
        <div className={styles.field}>
          <label htmlFor="cred-provider">Provider</label>
          <select
            id="cred-provider"
            value={provider}
            onChange={(e) => {
              setProvider(e.target.value as Venue);
              setSecrets({});
            }}
          >
            {VENUES.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor="cred-name">Profile name</label>
          <input id="cred-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        {fields.map((f) => (
          <div className={styles.field} key={`${provider}-${f}`}>
            <label htmlFor={`cred-${f}`}>
              {FIELD_LABEL[f] ?? f} <code className={styles.muted}>{f}</code>
              {REQUIRED[provider].includes(f) ? "" : " (optional)"}
            </label>
            {MULTILINE.has(`${provider}:${f}`) ? (
              <textarea
                id={`cred-${f}`}
                className={styles.secretArea}
                rows={4}
                spellCheck={false}
                autoComplete="off"
                placeholder="-----BEGIN PRIVATE KEY-----"
                value={secrets[f] ?? ""}
                onChange={(e) => setSecrets({ ...secrets, [f]: e.target.value })}
              />
            ) : (
              <input id={`cred-${f}`} type="password" autoComplete="off" value={secrets[f] ?? ""} onChange={(e) => setSecrets({ ...secrets, [f]: e.target.value })} />
            )}
          </div>
        ))}
        <label className={styles.checkRow}>
          <input type="checkbox" checked={liveCapable} onChange={(e) => setLiveCapable(e.target.checked)} />
          Allow live trading with this profile (a workflow still has to be armed before it sends a real order)
        </label>
        {error && (
          <div className={styles.fieldError} role="alert">
            {error}
          </div>
        )}
        <button type="submit" className={styles.primary} disabled={create.isPending}>
          Save profile
        </button>
      </form>
    </Dialog>
  );
}
