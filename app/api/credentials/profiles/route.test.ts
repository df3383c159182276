import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { readProfileSecrets } from "@/lib/db/credential-profiles";
import { useThrowawayDatabase } from "@/test/db";
import { jsonRequest, params } from "@/test/http";
import * as collection from "./route";
import * as item from "./[id]/route";

let dbFile = "";
beforeAll(() => {
  dbFile = useThrowawayDatabase().file;
});

const SECRET = "sk_live_DO_NOT_LEAK_4f9a8b7c";
const create = (body: unknown) => collection.POST(jsonRequest("POST", "/api/credentials/profiles", body), undefined);
const list = async (query = "") => (await collection.GET(jsonRequest("GET", `/api/credentials/profiles${query}`), undefined)).text();

describe("/api/credentials/profiles", () => {
  it("creates a profile and never returns, stores or lists its secret in plain text", async () => {
    const res = await create({ name: "Main", provider: "binance", credentials: { api_key: "pk_public_123", api_secret: SECRET } });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("pk_public_123");
    const profile = JSON.parse(text) as { id: string };
    expect(profile).toMatchObject({ name: "Main", provider: "binance", live_capable: false, fields: ["api_key", "api_secret"] });

    const listed = await list("?provider=binance");
    expect(listed).not.toContain(SECRET);
    expect(JSON.parse(listed)).toEqual([
      { id: profile.id, name: "Main", provider: "binance", created_at: expect.any(String), live_capable: false, fields: ["api_key", "api_secret"] },
    ]);
    expect(JSON.parse(await list("?provider=kalshi"))).toEqual([]);
    expect(await (await item.GET(jsonRequest("GET", "/"), params({ id: profile.id }))).text()).not.toContain(SECRET);

    // The database file holds only ciphertext; the server can still open it for a venue call.
    expect(readFileSync(dbFile).includes(Buffer.from(SECRET))).toBe(false);
    expect(await readProfileSecrets(profile.id, "binance")).toEqual({ api_key: "pk_public_123", api_secret: SECRET });
    await expect(readProfileSecrets(profile.id, "kalshi")).rejects.toThrow('credential profile "Main" is for binance, not kalshi');
  });

  it("deletes a profile, and 404s on a second delete", async () => {
    const { id } = (await (await create({ name: "Temp", provider: "kalshi", credentials: { key_id: "k1", private_key: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----" } })).json()) as { id: string };
    expect((await item.DELETE(jsonRequest("DELETE", "/"), params({ id }))).status).toBe(204);
    expect((await item.DELETE(jsonRequest("DELETE", "/"), params({ id }))).status).toBe(404);
    expect(await list()).not.toContain(id);
  });

  it.each([
    ["an unknown provider", { name: "x", provider: "ftx", credentials: {} }, "provider must be one of polymarket, binance, kalshi"],
    ["missing credentials", { name: "x", provider: "binance" }, "credentials must be an object of secret fields"],
    ["a missing secret field", { name: "x", provider: "binance", credentials: { api_key: "a" } }, "credentials.api_secret"],
    ["an empty secret", { name: "x", provider: "kalshi", credentials: { key_id: "a", private_key: "  " } }, "private_key must not be empty"],
    ["an unknown field", { name: "x", provider: "binance", credentials: { api_key: "a", api_secret: "b", passphrase: SECRET } }, "passphrase"],
    ["no name", { provider: "binance", credentials: { api_key: "a", api_secret: "b" } }, "name"],
    ["a key with a line break (it could not be sent in a header)", { name: "x", provider: "binance", credentials: { api_key: `AK\n${SECRET}`, api_secret: "b" } }, "api_key must be printable characters without spaces or line breaks"],
  ])("refuses %s with a 400 that names the field and never echoes a secret", async (_label, body, message) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error).toContain(message);
    expect(text).not.toContain(SECRET);
  });

  it("refuses an unknown provider filter", async () => {
    const res = await collection.GET(jsonRequest("GET", "/api/credentials/profiles?provider=mtgox"), undefined);
    expect(res.status).toBe(400);
  });
});
