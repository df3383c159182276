import { readFileSync, statSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { useThrowawayDatabase } from "@/test/db";
import { keyFilePath, openSecret, sealSecret } from "./secret-box";

describe("secret box (AES-256-GCM)", () => {
  afterEach(() => {
    delete process.env.APP_SECRET_KEY;
  });

  it("round-trips, with a fresh nonce for every secret", () => {
    useThrowawayDatabase();
    const a = sealSecret("hunter2", "profile:1:api_secret");
    const b = sealSecret("hunter2", "profile:1:api_secret");
    expect(a).not.toBe(b);
    expect(a.split(".")[1]).not.toBe(b.split(".")[1]);
    expect(a).not.toContain("hunter2");
    expect(openSecret(a, "profile:1:api_secret")).toBe("hunter2");
    expect(openSecret(b, "profile:1:api_secret")).toBe("hunter2");
  });

  it("generates a key file beside the database, readable only by its owner", () => {
    const { dir } = useThrowawayDatabase();
    sealSecret("x", "aad");
    expect(keyFilePath()).toBe(`${dir}/.secret-key`);
    expect(statSync(keyFilePath()).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFilePath(), "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a tampered envelope, a secret moved to another field, and a changed key", () => {
    useThrowawayDatabase();
    process.env.APP_SECRET_KEY = "a".repeat(64);
    const sealed = sealSecret("top secret", "profile:1:api_secret");
    const [v, nonce, tag, body] = sealed.split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openSecret([v, nonce, tag, flipped.toString("base64url")].join("."), "profile:1:api_secret")).toThrow(/cannot be decrypted/);
    expect(() => openSecret(sealed, "profile:2:api_secret")).toThrow(/cannot be decrypted/);
    process.env.APP_SECRET_KEY = "b".repeat(64);
    expect(() => openSecret(sealed, "profile:1:api_secret")).toThrow(/cannot be decrypted/);
    process.env.APP_SECRET_KEY = "a".repeat(64);
    expect(openSecret(sealed, "profile:1:api_secret")).toBe("top secret");
  });

  it("accepts a passphrase as APP_SECRET_KEY by stretching it", () => {
    useThrowawayDatabase();
    process.env.APP_SECRET_KEY = "correct horse battery staple";
    expect(openSecret(sealSecret("s", "f"), "f")).toBe("s");
  });
});
