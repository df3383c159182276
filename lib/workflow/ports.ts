/**
 * Port types. Connections address ports by index; a port's type decides what may connect to it.
 * `any` connects to everything; every other type only to itself.
 */
export const PORT_TYPES = [
  "number",
  "boolean",
  "string",
  "series",
  "candles",
  "orderbook",
  "order",
  "positions",
  "any",
] as const;

export type PortType = (typeof PORT_TYPES)[number];

export interface PortSpec {
  /** Stable identifier: outputs are keyed by it, and a property of the same name is the input's default. */
  name: string;
  type: PortType;
  label?: string;
  description?: string;
}

/** True when an output of type `from` may feed an input of type `to`. */
export function portsCompatible(from: PortType, to: PortType): boolean {
  return from === to || from === "any" || to === "any";
}
