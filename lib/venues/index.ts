import "server-only";
import type { Venue } from "../providers/types";
import type { VenueAccountClient, VenueMarketClient } from "./types";

/** The venues' clients by name; the run service builds live markets and accounts through these. */
export function marketClientFor(venue: Venue): VenueMarketClient {
  throw new Error(`${venue}: the live client is not wired in yet`);
}

export function accountClientFor(venue: Venue, secrets: Record<string, string>): VenueAccountClient {
  void secrets;
  throw new Error(`${venue}: the live account client is not wired in yet`);
}
