import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { databaseFilePath, resolveDatabaseUrl } from "../db/url";

/**
 * AES-256-GCM for credential secrets. Each secret is sealed on its own with a fresh 96-bit nonce and
 * carries its auth tag, so tampering or a wrong key is detected, never silently decrypted to garbage.
 * Envelope: "v1.<nonce>.<tag>.<ciphertext>", base64url parts.
 *
 * The key: APP_SECRET_KEY (64 hex characters or base64 of 32 bytes used as is; any other text is
 * stretched with scrypt), else a random key kept in a 0600 file beside the database.
 */

const VERSION = "v1";

function keyFromEnv(value: string): Buffer {
  const v = value.trim();
  if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, "hex");
  const b64 = Buffer.from(v, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) return b64;
  return scryptSync(v, "strategy-canvas/credential-key/v1", 32);
}

/** Where the generated key lives: beside the database file (or in ./data for an in-memory one). */
export function keyFilePath(): string {
  const url = resolveDatabaseUrl(process.env.DATABASE_URL);
  const dbFile = url === ":memory:" ? path.join("data", "memory.db") : databaseFilePath(url);
  return path.join(path.dirname(path.resolve(dbFile)), ".secret-key");
}

let cached: { source: string; key: Buffer } | undefined;

function loadKey(): Buffer {
  const env = process.env.APP_SECRET_KEY;
  const source = env ? `env:${createHash("sha256").update(env).digest("hex")}` : `file:${keyFilePath()}`;
  if (cached?.source === source) return cached.key;
  let key: Buffer;
  if (env) {
    key = keyFromEnv(env);
  } else {
    const file = keyFilePath();
    if (existsSync(file)) {
      key = Buffer.from(readFileSync(file, "utf8").trim(), "hex");
      if (key.length !== 32) throw new Error(`the key file ${file} is damaged: it must hold 64 hex characters`);
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      key = randomBytes(32);
      writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(file, 0o600);
    }
  }
  cached = { source, key };
  return key;
}

export function sealSecret(plaintext: string, aad: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", loadKey(), nonce);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, nonce.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export class SecretUnreadableError extends Error {}

/** Opens an envelope sealed with the same `aad` (the profile and field it belongs to). */
export function openSecret(envelope: string, aad: string): string {
  const [version, nonce, tag, body] = envelope.split(".");
  if (version !== VERSION || !nonce || !tag || body === undefined) throw new SecretUnreadableError("secret is not in a known format");
  try {
    const decipher = createDecipheriv("aes-256-gcm", loadKey(), Buffer.from(nonce, "base64url"));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    // Never echo the ciphertext or the cause: a wrong key and tampering look alike on purpose.
    throw new SecretUnreadableError("secret cannot be decrypted with the current key (APP_SECRET_KEY changed, or the data was altered)");
  }
}
