import { z } from "zod";

/**
 * The workflow document, in the seed prototype's format: blocks and index-addressed connections.
 * Canvas positions (and any other editor extras) ride along on the block and round-trip untouched.
 */
export const CATEGORIES = ["providers", "triggers", "indicators", "conditions", "risk", "actions", "values"] as const;
export type Category = (typeof CATEGORIES)[number];

const idSchema = z
  .string({ error: "must be a string" })
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");

export const PortRefSchema = z.object({ name: z.string({ error: "must be a string" }).min(1, "must not be empty") }).loose();

export const BlockSchema = z
  .object({
    id: idSchema,
    category: z.string({ error: "must be a string" }),
    type: z.string({ error: "must be a string" }),
    name: z.string({ error: "must be a string" }).max(200).optional(),
    properties: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
    inputs: z.array(PortRefSchema, { error: "must be a list of {name}" }).optional(),
    outputs: z.array(PortRefSchema, { error: "must be a list of {name}" }).optional(),
    position: z.object({ x: z.number(), y: z.number() }, { error: "must be {x, y}" }).optional(),
  })
  .loose();

const EndpointSchema = z.object({
  blockId: idSchema,
  index: z.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more"),
});

export const ConnectionSchema = z.object({ from: EndpointSchema, to: EndpointSchema }).loose();

export const WorkflowDocumentSchema = z
  .object({
    blocks: z.array(BlockSchema, { error: "must be a list of blocks" }).max(200_000, "at most 200,000 blocks"),
    connections: z.array(ConnectionSchema, { error: "must be a list of connections" }).max(400_000).default([]),
  })
  .loose();

export type Block = z.infer<typeof BlockSchema>;
export type Connection = z.infer<typeof ConnectionSchema>;
export type WorkflowDocument = z.infer<typeof WorkflowDocumentSchema>;
