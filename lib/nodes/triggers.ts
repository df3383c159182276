import { Cron } from "croner";
import { defineNode, type AnyNodeDefinition } from "../workflow/definition";
import { requireNumber } from "./inputs";

/**
 * Triggers start a strategy. A run is one tick: `fired` says whether this tick is one the trigger fires
 * on, `next` when it fires again (ms since the epoch), so downstream logic can be gated on it.
 */

function cronProblem(value: never): string | null {
  try {
    new Cron(value as string, { paused: true, timezone: "UTC" });
    return null;
  } catch (err) {
    return `is not a valid cron expression: ${(err as Error).message.replace(/^CronPattern: /, "")}`;
  }
}

export const triggerNodes: AnyNodeDefinition[] = [
  defineNode({
    category: "triggers",
    type: "manual",
    label: "Manual",
    description: "Fires when you press Run Workflow",
    inputs: [],
    outputs: [
      { name: "fired", type: "boolean" },
      { name: "time", type: "number", description: "Run time, ms since the epoch" },
    ],
    properties: [],
    run: ({ run }) => ({ fired: true, time: run.now.getTime() }),
  }),
  defineNode<{ every_seconds: number }>({
    category: "triggers",
    type: "interval",
    label: "Interval",
    description: "Fires every N seconds; each run is one tick",
    inputs: [],
    outputs: [
      { name: "fired", type: "boolean" },
      { name: "next", type: "number", description: "Next tick, ms since the epoch" },
    ],
    properties: [{ kind: "number", name: "every_seconds", label: "Every (seconds)", default: 60, min: 1, max: 7 * 86_400, integer: true }],
    run: ({ props, run }) => ({ fired: true, next: run.now.getTime() + props.every_seconds * 1000 }),
  }),
  defineNode<{ cron: string }>({
    category: "triggers",
    type: "schedule",
    label: "Schedule",
    description: "Fires on a cron schedule (UTC), e.g. */5 * * * * for every five minutes",
    inputs: [],
    outputs: [
      { name: "fired", type: "boolean", description: "True when the run falls in a scheduled minute" },
      { name: "next", type: "number", description: "Next scheduled time, ms since the epoch" },
    ],
    properties: [{ kind: "cron", name: "cron", label: "Cron (UTC)", default: "*/5 * * * *", validate: cronProblem }],
    run: ({ props, run }) => {
      const cron = new Cron(props.cron, { paused: true, timezone: "UTC" });
      const minute = new Date(Math.floor(run.now.getTime() / 60_000) * 60_000);
      return { fired: cron.match(minute), next: cron.nextRun(run.now)?.getTime() ?? null };
    },
  }),
  defineNode<{ above: number | null; below: number | null }>({
    category: "triggers",
    type: "price_alert",
    label: "Price alert",
    description: "Fires when a price is at or above one level, or at or below another",
    inputs: [{ name: "price", type: "number" }],
    outputs: [
      { name: "fired", type: "boolean" },
      { name: "price", type: "number" },
    ],
    properties: [
      { kind: "number", name: "above", label: "At or above", default: null, nullable: true },
      { kind: "number", name: "below", label: "At or below", default: null, nullable: true },
    ],
    run: ({ inputs, props }) => {
      const price = requireNumber(inputs, "price");
      const fired = (props.above !== null && price >= props.above) || (props.below !== null && price <= props.below);
      return { fired, price };
    },
  }),
];
