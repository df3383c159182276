import "server-only";
import { createHash } from "node:crypto";
import { OrderBuilder, OrderType, Side, SignatureTypeV2, createL1Headers, isV2Order, orderToJsonV2, type TickSize } from "@polymarket/clob-client-v2";
import { hashTypedData, recoverTypedDataAddress, type Hex, type TypedDataDomain } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

/**
 * Polymarket order building and signing, through @polymarket/clob-client-v2's own OrderBuilder (CTF
 * Exchange V2 typed data, exchange / neg-risk exchange selection, amount rounding). Only its pure build and
 * sign functions are used: the package never sends a request itself.
 *
 * Determinism: Polymarket has no client order id; its order id is the EIP-712 hash of the signed order.
 * The package draws the order's `salt` from Math.random and its `timestamp` from Date.now, and offers no
 * parameter for either, so the signer handed to it pins both (salt derived from our clientOrderId, timestamp
 * fixed at the first attempt) in the message it signs, and the returned order carries the same values. The
 * result is then checked: the signed message must equal the order that will be sent, and the signature must
 * recover to the wallet address, or nothing is sent.
 */

export const POLYGON_CHAIN_ID = 137;

/** A 48-bit decimal salt from our client order id (under 2^53: the official JSON sends salt as a number). */
export function polymarketSalt(clientOrderId: string): string {
  const digest = createHash("sha256").update(`polymarket-salt:${clientOrderId}`).digest();
  return digest.readUIntBE(0, 6).toString();
}

type TypedDataTypes = Record<string, { name: string; type: string }[]>;

/** The type no other type refers to (what ethers infers as the primary type). */
function primaryTypeOf(types: TypedDataTypes): string {
  const referenced = new Set(Object.values(types).flatMap((fields) => fields.map((f) => f.type.replace(/\[\d*\]$/, ""))));
  const roots = Object.keys(types).filter((name) => name !== "EIP712Domain" && !referenced.has(name));
  const root = roots[0];
  if (roots.length !== 1 || root === undefined) throw new Error(`polymarket: cannot tell the primary type of typed data (${Object.keys(types).join(", ")})`);
  return root;
}

interface SignedTypedData {
  domain: TypedDataDomain;
  types: TypedDataTypes;
  primaryType: string;
  message: Record<string, unknown>;
}

/**
 * An ethers-style signer (the interface the package accepts) over a viem local account, signing offline.
 * `pin` replaces fields of an Order message before it is signed; the signed data is reported to `onSign`.
 */
export function polymarketSigner(account: PrivateKeyAccount, pin?: Record<string, string>, onSign?: (data: SignedTypedData) => void) {
  return {
    getAddress: async () => account.address,
    _signTypedData: async (domain: Record<string, unknown>, types: TypedDataTypes, value: Record<string, unknown>) => {
      const primaryType = primaryTypeOf(types);
      if (pin && primaryType !== "Order") throw new Error(`polymarket: refusing to sign ${primaryType} typed data for an order`);
      const message = pin ? { ...value, ...pin } : value;
      const data: SignedTypedData = { domain: domain as TypedDataDomain, types, primaryType, message };
      onSign?.(data);
      // viem's typing wants literal typed-data shapes; the package hands them over untyped.
      return account.signTypedData(data as unknown as Parameters<PrivateKeyAccount["signTypedData"]>[0]);
    },
  };
}

/** L1 headers (EIP-712 ClobAuth) from the package's createL1Headers, for GET /auth/derive-api-key. */
export async function polymarketL1Headers(account: PrivateKeyAccount, chainId = POLYGON_CHAIN_ID, nonce = 0, timestamp?: number): Promise<Record<string, string>> {
  const headers = await createL1Headers(polymarketSigner(account), chainId, nonce, timestamp);
  return { POLY_ADDRESS: headers.POLY_ADDRESS, POLY_SIGNATURE: headers.POLY_SIGNATURE, POLY_TIMESTAMP: headers.POLY_TIMESTAMP, POLY_NONCE: headers.POLY_NONCE };
}

export const TICK_SIZES: readonly TickSize[] = ["0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"];

export function asTickSize(tick: string | number): TickSize {
  const value = Number(tick);
  const match = TICK_SIZES.find((t) => Number(t) === value);
  if (!match) throw new Error(`polymarket: unsupported tick size ${tick}`);
  return match;
}

export interface OrderSpec {
  tokenId: string;
  side: "buy" | "sell";
  /** limit → GTC at `price`; market → FAK with `price` as the worst acceptable price. */
  kind: "limit" | "market";
  price: number;
  /** Shares. For a market buy the package takes a USDC amount: `usdcAmount` is used instead. */
  quantity: number;
  /** Market buys only: USDC to spend. */
  usdcAmount?: number;
  tickSize: TickSize;
  negRisk: boolean;
  salt: string;
  /** Milliseconds, as a decimal string. */
  timestamp: string;
}

export interface PolymarketWallet {
  account: PrivateKeyAccount;
  /** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE. */
  signatureType: 0 | 1 | 2;
  /** The proxy / safe wallet that holds the funds (maker), when signatureType is 1 or 2. */
  funder?: string;
}

export interface BuiltOrder {
  /** The POST /order body without `owner` (added with the API key when sent). */
  payload: Record<string, unknown>;
  /** The EIP-712 hash of the order: Polymarket's order id. */
  hash: Hex;
  orderType: OrderType.GTC | OrderType.FAK;
  signed: SignedTypedData;
}

const SIGNATURE_TYPES: Record<0 | 1 | 2, SignatureTypeV2> = { 0: SignatureTypeV2.EOA, 1: SignatureTypeV2.POLY_PROXY, 2: SignatureTypeV2.POLY_GNOSIS_SAFE };

/** Builds, signs and verifies one order. Pure: no network. */
export async function buildPolymarketOrder(wallet: PolymarketWallet, spec: OrderSpec): Promise<BuiltOrder> {
  let signed: SignedTypedData | null = null;
  const signer = polymarketSigner(wallet.account, { salt: spec.salt, timestamp: spec.timestamp }, (data) => (signed = data));
  const builder = new OrderBuilder(signer, POLYGON_CHAIN_ID, SIGNATURE_TYPES[wallet.signatureType], wallet.funder);
  const side = spec.side === "buy" ? Side.BUY : Side.SELL;
  const options = { tickSize: spec.tickSize, negRisk: spec.negRisk };
  const orderType = spec.kind === "limit" ? OrderType.GTC : OrderType.FAK;
  const raw =
    spec.kind === "limit"
      ? await builder.buildOrder({ tokenID: spec.tokenId, price: spec.price, size: spec.quantity, side }, options, 2)
      : await builder.buildMarketOrder({ tokenID: spec.tokenId, price: spec.price, amount: side === Side.BUY ? (spec.usdcAmount ?? 0) : spec.quantity, side, orderType: OrderType.FAK }, options, 2);
  if (!isV2Order(raw)) throw new Error("polymarket: the order builder returned a V1 order");
  const order = { ...raw, salt: spec.salt, timestamp: spec.timestamp };
  const data = signed as SignedTypedData | null;
  if (!data) throw new Error("polymarket: the order builder did not sign the order");

  // The message that was signed must be exactly the order that will be sent.
  const m = data.message;
  const same =
    String(m.salt) === order.salt &&
    m.maker === order.maker &&
    m.signer === order.signer &&
    String(m.tokenId) === order.tokenId &&
    String(m.makerAmount) === order.makerAmount &&
    String(m.takerAmount) === order.takerAmount &&
    Number(m.side) === (order.side === Side.BUY ? 0 : 1) &&
    Number(m.signatureType) === order.signatureType &&
    String(m.timestamp) === order.timestamp &&
    m.metadata === order.metadata &&
    m.builder === order.builder;
  if (!same) throw new Error("polymarket: the signed order does not match the order to send; not sending it");
  const typed = data as unknown as Parameters<typeof hashTypedData>[0];
  const recovered = await recoverTypedDataAddress({ ...(typed as object), signature: order.signature as Hex } as Parameters<typeof recoverTypedDataAddress>[0]);
  if (recovered.toLowerCase() !== wallet.account.address.toLowerCase()) throw new Error("polymarket: the order signature does not recover to the wallet address; not sending it");
  const hash = hashTypedData(typed);

  const { owner: _owner, ...payload } = orderToJsonV2(order, "", orderType) as unknown as Record<string, unknown>;
  void _owner;
  return { payload, hash, orderType, signed: data };
}
