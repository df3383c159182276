/** Reading node inputs with errors that name the input. Pure; shared by every node family. */

export function requireNumber(inputs: Record<string, unknown>, name: string): number {
  const v = inputs[name];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v === undefined || v === null) throw new Error(`input "${name}" has no value: connect it or set the property`);
  throw new Error(`input "${name}" must be a number, got ${describe(v)}`);
}

export function optionalNumber(inputs: Record<string, unknown>, name: string): number | null {
  const v = inputs[name];
  if (v === undefined || v === null) return null;
  return requireNumber(inputs, name);
}

/** Signals gate actions: only `true` fires; an unconnected or empty signal does not. */
export function signalOf(inputs: Record<string, unknown>, name = "signal"): boolean {
  const v = inputs[name];
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  throw new Error(`input "${name}" must be true or false, got ${describe(v)}`);
}

export function requireBoolean(inputs: Record<string, unknown>, name: string): boolean {
  const v = inputs[name];
  if (typeof v === "boolean") return v;
  if (v === undefined || v === null) throw new Error(`input "${name}" has no value: connect it`);
  throw new Error(`input "${name}" must be true or false, got ${describe(v)}`);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `"${v.length > 40 ? `${v.slice(0, 40)}...` : v}"`;
  return String(v);
}
