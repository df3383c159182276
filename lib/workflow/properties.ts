import { z } from "zod";

/**
 * Declarative property descriptors. The editor builds its inspector form from them; `propertiesSchema`
 * builds the zod schema the validator checks block properties against. One description, two uses.
 */
interface PropertyBase {
  name: string;
  label: string;
  description?: string;
  /** An extra check beyond the kind's own: returns what is wrong, or null. */
  validate?: (value: never) => string | null;
}

export type PropertySpec =
  | (PropertyBase & {
      kind: "number";
      default: number | null;
      min?: number;
      max?: number;
      step?: number;
      integer?: boolean;
      /** null means "not set" (e.g. an unbounded threshold side). */
      nullable?: boolean;
    })
  | (PropertyBase & { kind: "boolean"; default: boolean })
  | (PropertyBase & { kind: "string"; default: string; placeholder?: string; maxLength?: number })
  | (PropertyBase & { kind: "enum"; default: string; options: readonly { value: string; label: string }[] })
  | (PropertyBase & { kind: "multi"; default: readonly string[]; options: readonly { value: string; label: string }[]; minItems?: number })
  | (PropertyBase & { kind: "list"; item: "string" | "number"; default: readonly (string | number)[]; maxItems?: number })
  | (PropertyBase & { kind: "profile"; default: null; provider: string })
  | (PropertyBase & { kind: "cron"; default: string });

export type PropertyValues = Record<string, unknown>;

function specSchema(spec: PropertySpec): z.ZodType {
  const base = kindSchema(spec);
  const extra = spec.validate as ((value: unknown) => string | null) | undefined;
  if (!extra) return base;
  return base.superRefine((value, ctx) => {
    if (value === null || value === undefined) return;
    const problem = extra(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

function kindSchema(spec: PropertySpec): z.ZodType {
  switch (spec.kind) {
    case "number": {
      let n = z.number({ error: "must be a number" }).refine(Number.isFinite, "must be a finite number");
      if (spec.integer) n = n.refine(Number.isInteger, "must be a whole number");
      if (spec.min !== undefined) {
        const min = spec.min;
        n = n.refine((v) => v >= min, `must be at least ${min}`);
      }
      if (spec.max !== undefined) {
        const max = spec.max;
        n = n.refine((v) => v <= max, `must be at most ${max}`);
      }
      return spec.nullable ? n.nullable() : n;
    }
    case "boolean":
      return z.boolean({ error: "must be true or false" });
    case "string":
      return z.string({ error: "must be text" }).max(spec.maxLength ?? 10_000, `must be at most ${spec.maxLength ?? 10_000} characters`);
    case "enum": {
      const values = spec.options.map((o) => o.value);
      return z.string().refine((v) => values.includes(v), `must be one of ${values.join(", ")}`);
    }
    case "multi": {
      const values = spec.options.map((o) => o.value);
      let arr = z
        .array(z.string().refine((v) => values.includes(v), `must be one of ${values.join(", ")}`), { error: "must be a list" })
        .refine((a) => new Set(a).size === a.length, "must not repeat a value");
      if (spec.minItems) arr = arr.refine((a) => a.length >= (spec.minItems ?? 0), `must have at least ${spec.minItems} item(s)`);
      return arr;
    }
    case "list": {
      const item = spec.item === "number" ? z.number({ error: "must be a number" }) : z.string({ error: "must be text" });
      return z.array(item, { error: "must be a list" }).max(spec.maxItems ?? 100, `must have at most ${spec.maxItems ?? 100} items`);
    }
    case "profile":
      return z.string({ error: "must be a profile id" }).min(1).max(200).nullable();
    case "cron":
      return z.string({ error: "must be a cron expression" }).min(1, "must be a cron expression");
    default: {
      const never: never = spec;
      throw new Error(`unknown property kind ${(never as PropertySpec).kind}`);
    }
  }
}

/**
 * The zod schema for a node's properties: every declared property is optional (its default applies);
 * properties the node does not declare are kept as they are, so nothing a user wrote is lost.
 */
export function propertiesSchema(specs: readonly PropertySpec[]): z.ZodType<PropertyValues> {
  const shape: Record<string, z.ZodType> = {};
  for (const spec of specs) shape[spec.name] = specSchema(spec).optional();
  return z.looseObject(shape) as unknown as z.ZodType<PropertyValues>;
}

/** The block's properties with every missing declared property filled from its default. */
export function withDefaults(specs: readonly PropertySpec[], values: PropertyValues | undefined): PropertyValues {
  const out: PropertyValues = {};
  if (values) for (const key in values) out[key] = values[key];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    if (out[spec.name] === undefined) {
      const d = spec.default;
      out[spec.name] = Array.isArray(d) ? d.slice() : d;
    }
  }
  return out;
}

function isPlainValue(spec: PropertySpec, v: unknown): boolean {
  switch (spec.kind) {
    case "number":
      if (v === null) return spec.nullable === true;
      return (
        typeof v === "number" &&
        Number.isFinite(v) &&
        (!spec.integer || Number.isInteger(v)) &&
        (spec.min === undefined || v >= spec.min) &&
        (spec.max === undefined || v <= spec.max)
      );
    case "boolean":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string" && v.length <= (spec.maxLength ?? 10_000);
    case "enum":
      return typeof v === "string" && spec.options.some((o) => o.value === v);
    default:
      return false; // lists, profiles and cron strings always go through zod
  }
}

/**
 * Checks a block's properties against its specs. Values that are plainly valid (the common case) are
 * accepted on a fast path that applies exactly the zod schema's rules for simple kinds; anything else
 * goes through the zod schema, which alone words the error messages.
 */
export function checkProperties(
  specs: readonly PropertySpec[],
  schema: z.ZodType<PropertyValues>,
  values: Record<string, unknown>,
): { success: true; data: PropertyValues } | { success: false; error: z.ZodError } {
  let plain = true;
  for (let i = 0; i < specs.length && plain; i++) {
    const spec = specs[i]!;
    const v = values[spec.name];
    if (v !== undefined && (spec.validate || !isPlainValue(spec, v))) plain = false;
  }
  if (plain) return { success: true, data: values };
  const r = schema.safeParse(values);
  return r.success ? { success: true, data: r.data } : { success: false, error: r.error };
}
