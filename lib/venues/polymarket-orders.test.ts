import { describe, expect, it } from "vitest";
import { createL1Headers, createL2Headers } from "@polymarket/clob-client-v2";
import { hashTypedData, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { buildPolymarketOrder, polymarketL1Headers, polymarketSalt, polymarketSigner } from "./polymarket-orders";
import { polymarketL2Signature } from "./polymarket";

// Known answers from clob-client-v2 tests/signing/{hmac,eip712}.test.ts (MIT).
const HARDHAT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const L1_SIG = "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b";
const HMAC = { secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ts: "1000000", method: "test-sign", path: "/orders", body: '{"hash": "0x123"}', expected: "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=" };
const account = privateKeyToAccount(HARDHAT_KEY);
const TOKEN = "16040015440196279900485035793550429453516625694844857319147506590755961451627";

// CTF Exchange V2 order struct, written out here from the guide (§1.2) to check the package independently.
const ORDER_TYPES = {
  Order: [
    { name: "salt", type: "uint256" },
    { name: "maker", type: "address" },
    { name: "signer", type: "address" },
    { name: "tokenId", type: "uint256" },
    { name: "makerAmount", type: "uint256" },
    { name: "takerAmount", type: "uint256" },
    { name: "side", type: "uint8" },
    { name: "signatureType", type: "uint8" },
    { name: "timestamp", type: "uint256" },
    { name: "metadata", type: "bytes32" },
    { name: "builder", type: "bytes32" },
  ],
} as const;
function independentTypedData(order: Record<string, unknown>, negRisk: boolean) {
  return {
    domain: { name: "Polymarket CTF Exchange", version: "2", chainId: 137, verifyingContract: (negRisk ? "0xe2222d279d744050d28e00520010520000310F59" : "0xE111180000d2663C0091e4f400237545B87B996B") as `0x${string}` },
    types: ORDER_TYPES,
    primaryType: "Order" as const,
    message: {
      salt: BigInt(order.salt as number),
      maker: order.maker as `0x${string}`,
      signer: order.signer as `0x${string}`,
      tokenId: BigInt(order.tokenId as string),
      makerAmount: BigInt(order.makerAmount as string),
      takerAmount: BigInt(order.takerAmount as string),
      side: order.side === "BUY" ? 0 : 1,
      signatureType: order.signatureType as number,
      timestamp: BigInt(order.timestamp as string),
      metadata: order.metadata as `0x${string}`,
      builder: order.builder as `0x${string}`,
    },
  };
}

describe("polymarket signing known answers", () => {
  it("L2 HMAC matches clob-client-v2's vector and its own createL2Headers", async () => {
    expect(polymarketL2Signature(HMAC.secret, HMAC.ts, HMAC.method, HMAC.path, HMAC.body)).toBe(HMAC.expected);
    const headers = await createL2Headers(polymarketSigner(account), { key: "k", secret: HMAC.secret, passphrase: "p" }, { method: HMAC.method, requestPath: HMAC.path, body: HMAC.body }, 1000000);
    expect(headers.POLY_SIGNATURE).toBe(HMAC.expected);
    // And on a URL-safe secret with a body-less GET.
    const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I-_w==";
    const pkg = await createL2Headers(polymarketSigner(account), { key: "k", secret, passphrase: "p" }, { method: "GET", requestPath: "/data/order/0xabc" }, 1700000000);
    expect(polymarketL2Signature(secret, 1700000000, "GET", "/data/order/0xabc")).toBe(pkg.POLY_SIGNATURE);
  });

  it("L1 EIP-712 (ClobAuth) matches clob-client-v2's vector through the package's createL1Headers", async () => {
    const pkg = await createL1Headers(polymarketSigner(account), 80002, 23, 10000000);
    expect(pkg.POLY_SIGNATURE).toBe(L1_SIG);
    const ours = await polymarketL1Headers(account, 80002, 23, 10000000);
    expect(ours).toEqual({ POLY_ADDRESS: account.address, POLY_SIGNATURE: L1_SIG, POLY_TIMESTAMP: "10000000", POLY_NONCE: "23" });
  });
});

describe("polymarket order building", () => {
  const spec = { tokenId: TOKEN, side: "buy" as const, kind: "limit" as const, price: 0.5, quantity: 5, tickSize: "0.01" as const, negRisk: false, salt: polymarketSalt("run_1:buy"), timestamp: "1700000000000" };

  it("signs a V2 order whose signature recovers to the wallet and whose hash we can recompute", async () => {
    const built = await buildPolymarketOrder({ account, signatureType: 0 }, spec);
    const order = built.payload.order as Record<string, unknown>;
    // Same amounts as ccxt's request fixture for a 5 @ 0.5 limit buy (request/polymarket.json createOrder).
    expect(order).toMatchObject({ makerAmount: "2500000", takerAmount: "5000000", side: "BUY", tokenId: TOKEN, signatureType: 0, timestamp: "1700000000000", expiration: "0", maker: account.address, signer: account.address });
    expect(order.salt).toBe(Number(spec.salt));
    expect(built.payload).toMatchObject({ orderType: "GTC", postOnly: false, deferExec: false });
    const typed = independentTypedData(order, false);
    expect(await recoverTypedDataAddress({ ...typed, signature: order.signature as `0x${string}` })).toBe(account.address);
    expect(built.hash).toBe(hashTypedData(typed));
  });

  it("is deterministic per client order id and differs between ids", async () => {
    const a = await buildPolymarketOrder({ account, signatureType: 0 }, spec);
    const b = await buildPolymarketOrder({ account, signatureType: 0 }, spec);
    expect(b.hash).toBe(a.hash);
    expect(b.payload).toEqual(a.payload);
    const c = await buildPolymarketOrder({ account, signatureType: 0 }, { ...spec, salt: polymarketSalt("run_1:other") });
    expect(c.hash).not.toBe(a.hash);
    expect(Number(polymarketSalt("run_1:buy"))).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it("uses the neg-risk exchange and the funder as maker for a proxy wallet", async () => {
    const funder = "0xcdcE79F820BE9d6C5033db5c31d1AE3A8c2399bB";
    const built = await buildPolymarketOrder({ account, signatureType: 2, funder }, { ...spec, negRisk: true });
    const order = built.payload.order as Record<string, unknown>;
    expect(order).toMatchObject({ maker: funder, signer: account.address, signatureType: 2 });
    expect(built.signed.domain.verifyingContract).toBe("0xe2222d279d744050d28e00520010520000310F59");
    const typed = independentTypedData(order, true);
    expect(await recoverTypedDataAddress({ ...typed, signature: order.signature as `0x${string}` })).toBe(account.address);
    expect(built.hash).toBe(hashTypedData(typed));
  });
});
