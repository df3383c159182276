import { defineNode, type AnyNodeDefinition } from "../workflow/definition";
import { optionalNumber, requireBoolean, requireNumber } from "./inputs";

export const COMPARE_OPERATORS = [">", ">=", "<", "<=", "==", "!="] as const;
type Operator = (typeof COMPARE_OPERATORS)[number];

/** Numbers compare with a tolerance of 1e-9 relative, so 0.1 + 0.2 == 0.3 as a trader would expect. */
function equal(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

export function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case ">":
      return a > b && !equal(a, b);
    case ">=":
      return a > b || equal(a, b);
    case "<":
      return a < b && !equal(a, b);
    case "<=":
      return a < b || equal(a, b);
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    default: {
      const never: never = op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
}

const logic = (type: "and" | "or", label: string, description: string, fn: (a: boolean, b: boolean) => boolean) =>
  defineNode({
    category: "conditions",
    type,
    label,
    description,
    inputs: [
      { name: "input1", type: "boolean" },
      { name: "input2", type: "boolean" },
    ],
    outputs: [{ name: "output", type: "boolean" }],
    properties: [],
    run: ({ inputs }) => ({ output: fn(requireBoolean(inputs, "input1"), requireBoolean(inputs, "input2")) }),
  });

export const conditionNodes: AnyNodeDefinition[] = [
  defineNode<{ min: number | null; max: number | null }>({
    category: "conditions",
    type: "threshold",
    label: "Threshold",
    description: "Passes when a value lies between min and max (inclusive; an empty side is unbounded)",
    inputs: [
      { name: "value", type: "number" },
      { name: "min", type: "number" },
      { name: "max", type: "number" },
    ],
    outputs: [{ name: "pass", type: "boolean" }],
    properties: [
      { kind: "number", name: "min", label: "Min", default: null, nullable: true },
      { kind: "number", name: "max", label: "Max", default: null, nullable: true },
    ],
    run: ({ inputs }) => {
      const value = requireNumber(inputs, "value");
      const min = optionalNumber(inputs, "min") ?? -Infinity;
      const max = optionalNumber(inputs, "max") ?? Infinity;
      if (min > max) throw new Error(`min (${min}) is above max (${max})`);
      return { pass: (min === -Infinity || compare(value, ">=", min)) && (max === Infinity || compare(value, "<=", max)) };
    },
  }),
  defineNode<{ operator: Operator; value2: number | null }>({
    category: "conditions",
    type: "compare",
    label: "Compare",
    description: "Compares two numbers: >, >=, <, <=, == or !=",
    inputs: [
      { name: "value1", type: "number" },
      { name: "operator", type: "string" },
      { name: "value2", type: "number" },
    ],
    outputs: [{ name: "result", type: "boolean" }],
    properties: [
      { kind: "enum", name: "operator", label: "Operator", default: ">", options: COMPARE_OPERATORS.map((o) => ({ value: o, label: o })) },
      { kind: "number", name: "value2", label: "Value 2", default: null, nullable: true },
    ],
    run: ({ inputs }) => {
      const op = inputs.operator;
      if (typeof op !== "string" || !(COMPARE_OPERATORS as readonly string[]).includes(op)) {
        throw new Error(`input "operator" must be one of ${COMPARE_OPERATORS.join(" ")}, got ${JSON.stringify(op)}`);
      }
      return { result: compare(requireNumber(inputs, "value1"), op as Operator, requireNumber(inputs, "value2")) };
    },
  }),
  logic("and", "And", "True when both inputs are true", (a, b) => a && b),
  logic("or", "Or", "True when either input is true", (a, b) => a || b),
  defineNode({
    category: "conditions",
    type: "not",
    label: "Not",
    description: "Inverts a boolean",
    inputs: [{ name: "input", type: "boolean" }],
    outputs: [{ name: "output", type: "boolean" }],
    properties: [],
    run: ({ inputs }) => ({ output: !requireBoolean(inputs, "input") }),
  }),
  defineNode({
    category: "conditions",
    type: "if",
    label: "If",
    description: "Routes a condition: the true output fires when it holds, the false output when it does not",
    inputs: [{ name: "condition", type: "boolean" }],
    outputs: [
      { name: "true", type: "boolean" },
      { name: "false", type: "boolean" },
    ],
    properties: [],
    run: ({ inputs }) => {
      const c = requireBoolean(inputs, "condition");
      return { true: c, false: !c };
    },
  }),
  defineNode<{ cases: (string | number)[] }>({
    category: "conditions",
    type: "switch",
    label: "Switch",
    description: "Routes a value: the output of the first matching case fires, else default",
    inputs: [{ name: "value", type: "any" }],
    outputs: (props) => [
      ...(props.cases ?? []).map((c, i) => ({ name: `case_${i + 1}`, type: "boolean" as const, label: `= ${String(c)}` })),
      { name: "default", type: "boolean" as const },
    ],
    properties: [{ kind: "list", name: "cases", label: "Cases", item: "string", default: ["buy", "sell"], maxItems: 20 }],
    run: ({ inputs, props }) => {
      const value = inputs.value;
      if (value === undefined) throw new Error('input "value" has no value: connect it');
      const hit = props.cases.findIndex((c) => String(c) === String(value));
      const output: Record<string, boolean> = { default: hit === -1 };
      props.cases.forEach((_, i) => (output[`case_${i + 1}`] = i === hit));
      return output;
    },
  }),
];
