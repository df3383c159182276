import "server-only";
import type { Venue } from "../providers/types";

/**
 * Where the venues are. Each base URL can be pointed at a sandbox or a local mock server through the
 * environment; the defaults are the venues' production hosts.
 */
export interface VenueUrls {
  binance: string;
  binanceFutures: string;
  polymarketGamma: string;
  polymarketClob: string;
  polymarketData: string;
  kalshi: string;
}

export function venueUrls(env: NodeJS.ProcessEnv = process.env): VenueUrls {
  return {
    binance: env.BINANCE_BASE_URL || "https://api.binance.com",
    binanceFutures: env.BINANCE_FUTURES_BASE_URL || "https://fapi.binance.com",
    polymarketGamma: env.POLYMARKET_GAMMA_URL || "https://gamma-api.polymarket.com",
    polymarketClob: env.POLYMARKET_CLOB_URL || "https://clob.polymarket.com",
    polymarketData: env.POLYMARKET_DATA_URL || "https://data-api.polymarket.com",
    kalshi: env.KALSHI_BASE_URL || "https://external-api.kalshi.com/trade-api/v2",
  };
}

const DEFAULT_TIMEOUT_MS: Record<Venue, number> = { binance: 5_000, polymarket: 8_000, kalshi: 8_000 };

/** Request timeout per venue; BINANCE_TIMEOUT_MS, POLYMARKET_TIMEOUT_MS, KALSHI_TIMEOUT_MS override. */
export function venueTimeoutMs(venue: Venue, env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env[`${venue.toUpperCase()}_TIMEOUT_MS`]);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMEOUT_MS[venue];
}
