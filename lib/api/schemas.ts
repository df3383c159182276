import { z } from "zod";
import { WorkflowDocumentSchema } from "../workflow/format";
import { VENUES } from "../providers/types";

/** Request bodies of the HTTP API. Pure zod: the route handlers and the browser share them. */

export const RunModeSchema = z.enum(["simulated", "paper", "live"], { error: 'must be "simulated", "paper" or "live"' });

export const RunOptionsSchema = z.object({
  mode: RunModeSchema.optional(),
  /** Seed of the simulated market: the same seed at the same `at` reproduces a run exactly. */
  seed: z.number({ error: "must be a number" }).int("must be a whole number").optional(),
  /** The instant the simulated market is read at (ISO 8601 or ms since the epoch); default now. */
  at: z
    .union([z.iso.datetime({ error: "must be an ISO 8601 time" }), z.number().int().nonnegative().max(8.64e15, "must be a time JavaScript can represent")], { error: "must be an ISO 8601 time or ms since the epoch" })
    .optional(),
});

export const ExecuteRequestSchema = RunOptionsSchema.extend({
  workflow: z.unknown().refine((v) => v !== undefined, "is required"),
});

const nameSchema = z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const descriptionSchema = z.string({ error: "must be a string" }).max(5_000, "must be at most 5,000 characters");

export const CreateWorkflowSchema = z.object({
  name: nameSchema,
  description: descriptionSchema.optional(),
  workflow: z.unknown().refine((v) => v !== undefined, "is required"),
});

export const UpdateWorkflowSchema = z
  .object({
    name: nameSchema.optional(),
    description: descriptionSchema.optional(),
    workflow: z.unknown().optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.workflow !== undefined, "give at least one of name, description, workflow");

export const ProviderSchema = z.enum(VENUES, { error: `must be one of ${VENUES.join(", ")}` });
export type Provider = z.infer<typeof ProviderSchema>;

const secret = (label: string) => z.string({ error: `${label} must be a string` }).trim().min(1, `${label} must not be empty`).max(10_000);
/** A secret sent in an HTTP header (an API key, a passphrase): printable characters, no spaces or line breaks. */
const headerSecret = (label: string) => secret(label).regex(/^[\x21-\x7e]+$/, `${label} must be printable characters without spaces or line breaks`);

/** The secret fields each venue's credentials consist of. Unknown fields are refused (likely typos). */
export const CREDENTIAL_FIELDS = {
  binance: z.strictObject({ api_key: headerSecret("api_key"), api_secret: headerSecret("api_secret") }),
  polymarket: z.strictObject({
    private_key: secret("private_key"),
    api_key: headerSecret("api_key").optional(),
    api_secret: headerSecret("api_secret").optional(),
    api_passphrase: headerSecret("api_passphrase").optional(),
    funder_address: secret("funder_address").optional(),
    signature_type: secret("signature_type").optional(),
  }),
  kalshi: z.strictObject({ key_id: headerSecret("key_id"), private_key: secret("private_key") }),
} as const;

export const CreateProfileSchema = z.object({
  name: nameSchema,
  provider: ProviderSchema,
  credentials: z.record(z.string(), z.unknown(), { error: "must be an object of secret fields" }),
  live_capable: z.boolean({ error: "must be true or false" }).optional(),
});

export { WorkflowDocumentSchema };

export const ScheduleSchema = z.object({
  every_seconds: z
    .number({ error: "must be a number of seconds, or null to stop" })
    .int("must be a whole number of seconds")
    .min(5, "must be at least 5 seconds")
    .max(86_400, "must be at most 86,400 seconds (one day)")
    .nullable(),
  mode: z.enum(["simulated", "paper"], { error: 'must be "simulated" or "paper": live trading is never scheduled, it runs by hand while armed' }).optional(),
});

/**
 * Arming live trading for the saved version of a workflow. `confirm_venue` is the venue's name typed by
 * the user in the confirmation, so a live arming is always said twice.
 */
export const ArmSchema = z
  .object({
    venue: ProviderSchema,
    max_order_value: z.number({ error: "must be a number" }).positive("must be more than 0").max(1_000_000, "must be at most 1,000,000"),
    max_position_value: z.number({ error: "must be a number" }).positive("must be more than 0").max(10_000_000, "must be at most 10,000,000").optional(),
    version: z.number({ error: "must be the saved version the user armed" }).int().positive().optional(),
    hours: z.number({ error: "must be a number of hours" }).positive("must be more than 0").max(168, "must be at most 168 hours (a week)").optional(),
    confirm_venue: z.string({ error: "must be the venue's name, typed to confirm" }),
  })
  .refine((b) => b.confirm_venue.trim().toLowerCase() === b.venue, { message: "type the venue's name to confirm live trading", path: ["confirm_venue"] })
  .refine((b) => b.max_position_value === undefined || b.max_position_value >= b.max_order_value, { message: "must be at least max_order_value", path: ["max_position_value"] });
