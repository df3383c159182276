import "server-only";
import { randomBytes } from "node:crypto";
import { getDb } from "./client";
import { openSecret, sealSecret } from "../server/secret-box";
import type { Provider } from "../api/schemas";
import type { ProfileSummary } from "../api/types";

export type { ProfileSummary };

type Row = { id: string; name: string; provider: string; secrets: string; liveCapable: boolean; createdAt: Date };

function toSummary(row: Row): ProfileSummary {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    created_at: row.createdAt.toISOString(),
    live_capable: row.liveCapable,
    fields: Object.keys(JSON.parse(row.secrets) as Record<string, string>).sort(),
  };
}

const aad = (id: string, field: string) => `credential-profile:${id}:${field}`;

export async function listProfiles(provider?: Provider): Promise<ProfileSummary[]> {
  const rows = await getDb().credentialProfile.findMany({ where: provider ? { provider } : {}, orderBy: { createdAt: "asc" } });
  return rows.map(toSummary);
}

export async function getProfile(id: string): Promise<ProfileSummary | null> {
  const row = await getDb().credentialProfile.findUnique({ where: { id } });
  return row ? toSummary(row) : null;
}

/** Stores a profile with each secret field sealed separately (fresh nonce, bound to profile and field). */
export async function createProfile(input: { name: string; provider: Provider; credentials: Record<string, string>; liveCapable?: boolean }): Promise<ProfileSummary> {
  const id = `cp_${randomBytes(12).toString("base64url")}`;
  const sealed: Record<string, string> = {};
  for (const [field, value] of Object.entries(input.credentials)) sealed[field] = sealSecret(value, aad(id, field));
  const row = await getDb().credentialProfile.create({
    data: { id, name: input.name, provider: input.provider, secrets: JSON.stringify(sealed), liveCapable: input.liveCapable ?? false },
  });
  return toSummary(row);
}

export async function deleteProfile(id: string): Promise<boolean> {
  const { count } = await getDb().credentialProfile.deleteMany({ where: { id } });
  return count > 0;
}

/**
 * The decrypted secrets of a profile, for the venue client that signs a request and for nothing else.
 * Throws when the profile is missing or belongs to another venue.
 */
export async function readProfileSecrets(id: string, provider: Provider): Promise<Record<string, string>> {
  const row = await getDb().credentialProfile.findUnique({ where: { id } });
  if (!row) throw new Error(`credential profile "${id}" does not exist`);
  if (row.provider !== provider) throw new Error(`credential profile "${row.name}" is for ${row.provider}, not ${provider}`);
  const sealed = JSON.parse(row.secrets) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [field, envelope] of Object.entries(sealed)) out[field] = openSecret(envelope, aad(id, field));
  return out;
}
