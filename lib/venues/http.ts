import "server-only";
import type { Venue } from "../providers/types";
import { VenueError } from "./errors";
import { sleep, TokenBucket } from "./token-bucket";

/**
 * The one way venue clients talk HTTP. Per venue: a base URL, a request timeout, token buckets set to the
 * venue's published limits, and an error parser. Reads are retried with exponential backoff (honouring
 * Retry-After); writes are never retried: a write that times out or gets a 5xx is "status unknown" and
 * the caller asks the venue what happened.
 */

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

export interface SignInput {
  method: string;
  /** Full URL; the signer may add parameters (a timestamp, a signature). */
  url: URL;
  /** The exact body text that will be sent ("" when none). */
  body: string;
}

export interface VenueRequest {
  method: "GET" | "POST" | "DELETE" | "PUT";
  /** Path after the base URL, starting with "/". */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body (an object) or a pre-encoded form string. */
  body?: unknown;
  bodyType?: "json" | "form";
  /** "read" requests are retried; "write" requests never are. */
  kind: "read" | "write";
  /** Tokens this request takes from its bucket (the venue's request weight). */
  cost?: number;
  /** Signs the request just before each attempt (so every attempt has a fresh timestamp). */
  sign?: (input: SignInput) => Record<string, string> | Promise<Record<string, string>>;
  signal?: AbortSignal;
  /** What a 404 means for this call, e.g. `market "XYZ" does not exist`. */
  notFound?: string;
}

export interface VenueHttpOptions {
  venue: Venue;
  baseUrl: string;
  timeoutMs: number;
  readBucket: TokenBucket;
  writeBucket: TokenBucket;
  /** Retries after the first attempt, for reads. */
  maxRetries?: number;
  /** First backoff step; doubles each retry, with jitter. */
  backoffMs?: number;
  /** A Retry-After longer than this fails at once instead of holding the run. */
  maxRetryAfterMs?: number;
  /** Pulls the venue's error code and message out of an error response body. */
  parseError?: (body: unknown) => { code?: string | number | null; message?: string | null };
  /** Test seam for the backoff waits. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Venue error codes that leave a write's outcome unknown (Binance -1006, -1007). */
  unknownCodes?: readonly string[];
}

function encodeQuery(url: URL, query: Record<string, QueryValue> | undefined): void {
  if (!query) return;
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
    else url.searchParams.append(key, String(value));
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : null;
}

function defaultParseError(body: unknown): { code?: string | number | null; message?: string | null } {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const nested = b.error && typeof b.error === "object" ? (b.error as Record<string, unknown>) : null;
    const message = nested?.message ?? b.msg ?? b.message ?? b.errorMsg ?? (typeof b.error === "string" ? b.error : null);
    const code = nested?.code ?? b.code ?? null;
    return { code: code as string | number | null, message: typeof message === "string" ? message : null };
  }
  return {};
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export class VenueHttp {
  readonly venue: Venue;
  readonly baseUrl: string;
  private readonly options: Required<Omit<VenueHttpOptions, "parseError" | "unknownCodes">> & Pick<VenueHttpOptions, "parseError" | "unknownCodes">;

  constructor(options: VenueHttpOptions) {
    this.venue = options.venue;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.options = { maxRetries: 3, backoffMs: 250, maxRetryAfterMs: 30_000, sleep, ...options };
  }

  async request<T = unknown>(req: VenueRequest): Promise<T> {
    const { maxRetries, backoffMs, maxRetryAfterMs } = this.options;
    const attempts = req.kind === "read" ? maxRetries + 1 : 1;
    let lastError: VenueError | null = null;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.attempt<T>(req);
      } catch (error) {
        if (!(error instanceof VenueError)) throw error;
        lastError = error;
        const retryable = req.kind === "read" && (error.status === null || RETRYABLE.has(error.status));
        if (!retryable || attempt === attempts - 1) throw error;
        let wait = Math.min(8_000, backoffMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
        if (error.retryAfter !== null) {
          if (error.retryAfter * 1000 > maxRetryAfterMs) throw error;
          wait = Math.max(wait, error.retryAfter * 1000);
        }
        await this.options.sleep(wait, req.signal);
      }
    }
    throw lastError;
  }

  private async attempt<T>(req: VenueRequest): Promise<T> {
    const { venue } = this;
    const bucket = req.kind === "read" ? this.options.readBucket : this.options.writeBucket;
    await bucket.take(req.cost ?? 1, req.signal);

    const url = new URL(this.baseUrl + req.path);
    encodeQuery(url, req.query);
    let body = "";
    const headers: Record<string, string> = { accept: "application/json" };
    if (req.body !== undefined) {
      if (req.bodyType === "form") {
        body = String(req.body);
        headers["content-type"] = "application/x-www-form-urlencoded";
      } else {
        body = JSON.stringify(req.body);
        headers["content-type"] = "application/json";
      }
    }
    if (req.sign) Object.assign(headers, await req.sign({ method: req.method, url, body }));
    // A header value fetch cannot send would otherwise fail with a message that quotes it (a credential).
    for (const [name, value] of Object.entries(headers)) {
      if (!/^[\x20-\x7e]*$/.test(value)) {
        throw new VenueError({ venue, message: `the ${name} header has characters an HTTP header cannot carry: check the credential profile's fields for spaces or line breaks` });
      }
    }

    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const where = `${req.method} ${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, { method: req.method, headers, body: body || undefined, signal });
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      const timedOut = timeout.aborted;
      throw new VenueError({
        venue,
        message: timedOut ? `${where} timed out after ${this.options.timeoutMs} ms` : `${where} failed: ${(error as Error).message}`,
        statusUnknown: req.kind === "write",
      });
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw new VenueError({ venue, status: response.status, message: `${where}: the response was cut off (${timeout.aborted ? "timed out" : (error as Error).message})`, statusUnknown: req.kind === "write" });
    }
    let parsed: unknown = undefined;
    let malformed = false;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        malformed = true;
      }
    }

    if (!response.ok) {
      const { code, message } = (this.options.parseError ?? defaultParseError)(parsed);
      const status = response.status;
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      let what = message ?? (malformed ? text.slice(0, 120).replace(/\s+/g, " ") : response.statusText || "request failed");
      if (status === 404 && req.notFound) what = `${req.notFound}${message ? `: ${message}` : ""}`;
      if (status === 429 || status === 418) what = `rate limited on ${where}${retryAfter !== null ? `, retry after ${retryAfter} s` : ""}${message ? `: ${message}` : ""}`;
      const unknown = status >= 500 || status === 408 || (code !== null && code !== undefined && (this.options.unknownCodes ?? []).includes(String(code)));
      throw new VenueError({ venue, status, code, message: what, retryAfter, statusUnknown: req.kind === "write" && unknown });
    }
    if (malformed) throw new VenueError({ venue, status: response.status, message: `${where} returned malformed JSON`, statusUnknown: req.kind === "write" });
    return parsed as T;
  }
}

/** Process-wide buckets, one per venue budget, so every run shares the venue's limit. */
const buckets = new Map<string, TokenBucket>();
export function sharedBucket(key: string, capacity: number, refillPerSecond: number): TokenBucket {
  let bucket = buckets.get(key);
  if (!bucket) buckets.set(key, (bucket = new TokenBucket(capacity, refillPerSecond)));
  return bucket;
}
