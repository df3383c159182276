import "server-only";
import type { Venue } from "../providers/types";
import type { VenueAccountClient, VenueMarketClient } from "./types";
import { venueUrls } from "./config";
import { createBinanceAccountClient, createBinanceMarketClient } from "./binance";
import { createKalshiAccountClient, createKalshiMarketClient } from "./kalshi";
import { createPolymarketAccountClient, createPolymarketMarketClient } from "./polymarket";

/**
 * The venues' clients by name; the run service builds live markets and accounts through these. Market
 * clients are shared by every run in the process (their caches of market rules and lookups too), and are
 * rebuilt if the base URLs in the environment change.
 */
const MARKETS: Record<Venue, () => VenueMarketClient> = {
  binance: () => createBinanceMarketClient(),
  kalshi: () => createKalshiMarketClient(),
  polymarket: () => createPolymarketMarketClient(),
};

const shared = new Map<Venue, { urls: string; client: VenueMarketClient }>();

export function marketClientFor(venue: Venue): VenueMarketClient {
  const urls = JSON.stringify(venueUrls());
  const hit = shared.get(venue);
  if (hit && hit.urls === urls) return hit.client;
  const client = MARKETS[venue]();
  shared.set(venue, { urls, client });
  return client;
}

/** A venue account signed with a credential profile's decrypted secrets, for one run. */
export function accountClientFor(venue: Venue, secrets: Record<string, string>): VenueAccountClient {
  switch (venue) {
    case "binance":
      return createBinanceAccountClient(secrets);
    case "kalshi":
      return createKalshiAccountClient(secrets);
    case "polymarket":
      return createPolymarketAccountClient(secrets);
  }
}
