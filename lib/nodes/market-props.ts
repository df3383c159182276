import type { PropertySpec } from "../workflow/properties";
import { VENUES, type Venue } from "../providers/types";

/** Where the simulated market and the examples point when a user has not chosen a market yet. */
export const DEFAULT_SYMBOL: Record<Venue, string> = {
  binance: "BTCUSDT",
  polymarket: "SIM-YES",
  kalshi: "SIM-KALSHI",
};

export const venueProperty: PropertySpec = {
  kind: "enum",
  name: "venue",
  label: "Venue",
  default: "polymarket",
  options: VENUES.map((v) => ({ value: v, label: v[0]!.toUpperCase() + v.slice(1) })),
};

export const symbolProperty: PropertySpec = {
  kind: "string",
  name: "symbol",
  label: "Market",
  description: "Binance symbol, Polymarket token id or Kalshi ticker; empty means the venue's demo market",
  default: "",
  maxLength: 200,
};

/** The market a node acts on: its venue and symbol properties, the symbol defaulting per venue. */
export function marketOf(props: { venue?: unknown; symbol?: unknown }): { venue: Venue; symbol: string } {
  const venue = (VENUES as readonly unknown[]).includes(props.venue) ? (props.venue as Venue) : "polymarket";
  const symbol = typeof props.symbol === "string" && props.symbol.trim() ? props.symbol.trim() : DEFAULT_SYMBOL[venue];
  return { venue, symbol };
}
