import type { Venue } from "../providers/types";

/**
 * A venue call that went wrong, in words a trader can act on: which venue, the HTTP status, the venue's
 * own error code and message. Never carries a credential, a signature or a signed query string.
 */
export class VenueError extends Error {
  readonly venue: Venue;
  /** HTTP status, or null when no response arrived (timeout, network). */
  readonly status: number | null;
  /** The venue's error code when it gave one (Binance -1121, Kalshi "market_not_found", ...). */
  readonly code: string | null;
  /**
   * True when an order may or may not have reached the venue (timeout, 5xx on a write). Such an order is
   * resolved by asking the venue, never by sending it again.
   */
  readonly statusUnknown: boolean;
  /** Seconds the venue asked us to wait (Retry-After), when it said. */
  readonly retryAfter: number | null;

  constructor(init: { venue: Venue; message: string; status?: number | null; code?: string | number | null; statusUnknown?: boolean; retryAfter?: number | null }) {
    const where = init.status ? `HTTP ${init.status}` : "no response";
    const code = init.code === undefined || init.code === null || init.code === "" ? null : String(init.code);
    super(`${init.venue}: ${init.message} (${where}${code ? `, code ${code}` : ""})`);
    this.name = "VenueError";
    this.venue = init.venue;
    this.status = init.status ?? null;
    this.code = code;
    this.statusUnknown = init.statusUnknown ?? false;
    this.retryAfter = init.retryAfter ?? null;
  }
}

export function isVenueError(error: unknown): error is VenueError {
  return error instanceof VenueError;
}
