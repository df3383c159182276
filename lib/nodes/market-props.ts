import type { PropertySpec } from "../workflow/properties";
import type { CompiledWorkflow } from "../workflow/validate";
import { VENUES, type Venue } from "../providers/types";

/** Where the simulated market and the examples point when a user has not chosen a market yet. */
export const DEFAULT_SYMBOL: Record<Venue, string> = {
  binance: "BTCUSDT",
  polymarket: "SIM-YES",
  kalshi: "SIM-KALSHI",
};

/** A node's venue "auto": the market of the provider upstream of it (see resolveMarkets). */
export const FOLLOW_PROVIDER = "auto";

export const venueProperty: PropertySpec = {
  kind: "enum",
  name: "venue",
  label: "Venue",
  default: FOLLOW_PROVIDER,
  options: [{ value: FOLLOW_PROVIDER, label: "The provider's market" }, ...VENUES.map((v) => ({ value: v, label: v[0]!.toUpperCase() + v.slice(1) }))],
  description: "The provider's market: the market of the provider node upstream (or the graph's only provider)",
};

export const symbolProperty: PropertySpec = {
  kind: "string",
  name: "symbol",
  label: "Market",
  description: "Binance symbol, Polymarket token id or Kalshi ticker; empty means the venue's demo market",
  default: "",
  maxLength: 200,
};

export interface MarketWarning {
  blockId: string;
  message: string;
}

/**
 * Gives every node whose venue is "auto" the market of the nearest provider upstream of it (through its
 * inputs), else of the graph's only provider market, else Polymarket's demo market. Returns a warning for
 * each node that trades a market no provider node reads.
 */
export function resolveMarkets(workflow: CompiledWorkflow): MarketWarning[] {
  const { blocks, inputSources } = workflow;
  const providerMarket = (i: number): { venue: Venue; symbol: string } | null => {
    const b = blocks[i]!;
    if (b.category !== "providers" || !(VENUES as readonly string[]).includes(b.type)) return null;
    const venue = b.type as Venue;
    const symbol = typeof b.props.symbol === "string" && b.props.symbol.trim() ? b.props.symbol.trim() : DEFAULT_SYMBOL[venue];
    return { venue, symbol };
  };
  const read = new Map<string, { venue: Venue; symbol: string }>();
  blocks.forEach((_, i) => {
    const m = providerMarket(i);
    if (m) read.set(`${m.venue}:${m.symbol}`, m);
  });
  const only = read.size === 1 ? [...read.values()][0]! : null;
  const upstream = (start: number): { venue: Venue; symbol: string } | null => {
    const seen = new Set<number>([start]);
    let frontier = [start];
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const i of frontier) {
        for (const src of inputSources[i] ?? []) {
          if (!src || seen.has(src.block)) continue;
          const m = providerMarket(src.block);
          if (m) return m;
          seen.add(src.block);
          next.push(src.block);
        }
      }
      frontier = next;
    }
    return null;
  };
  const warnings: MarketWarning[] = [];
  for (const b of blocks) {
    if (b.category === "providers" || !b.def.properties.some((p) => p.name === "venue")) continue;
    if (b.props.venue === FOLLOW_PROVIDER) {
      const m = upstream(b.index) ?? only;
      if (m) {
        b.props.venue = m.venue;
        if (b.def.properties.some((p) => p.name === "symbol") && !(typeof b.props.symbol === "string" && b.props.symbol.trim())) b.props.symbol = m.symbol;
      }
    }
    if (read.size === 0 || !b.def.properties.some((p) => p.name === "symbol")) continue;
    const { venue, symbol } = marketOf(b.props);
    if (!read.has(`${venue}:${symbol}`)) warnings.push({ blockId: b.id, message: `"${b.id}" trades ${venue} ${symbol}, which no provider node reads` });
  }
  return warnings;
}

/** The market a node acts on: its venue and symbol properties, the symbol defaulting per venue. */
export function marketOf(props: { venue?: unknown; symbol?: unknown }): { venue: Venue; symbol: string } {
  const venue = (VENUES as readonly unknown[]).includes(props.venue) ? (props.venue as Venue) : "polymarket";
  const symbol = typeof props.symbol === "string" && props.symbol.trim() ? props.symbol.trim() : DEFAULT_SYMBOL[venue];
  return { venue, symbol };
}
