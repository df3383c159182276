import { defineNode, type AnyNodeDefinition } from "../workflow/definition";
import { requireNumber } from "./inputs";

export const MATH_OPERATIONS = ["+", "-", "*", "/", "min", "max", "abs"] as const;
type Operation = (typeof MATH_OPERATIONS)[number];

function apply(op: Operation, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new Error("division by zero (input b is 0)");
      return a / b;
    case "min":
      return Math.min(a, b);
    case "max":
      return Math.max(a, b);
    case "abs":
      return Math.abs(a);
    default: {
      const never: never = op;
      throw new Error(`unknown operation ${String(never)}`);
    }
  }
}

export const valueNodes: AnyNodeDefinition[] = [
  defineNode<{ value: number }>({
    category: "values",
    type: "constant",
    label: "Constant",
    description: "A fixed number",
    inputs: [],
    outputs: [{ name: "value", type: "number" }],
    properties: [{ kind: "number", name: "value", label: "Value", default: 0 }],
    run: ({ props }) => ({ value: props.value }),
  }),
  defineNode<{ operation: Operation; a: number; b: number }>({
    category: "values",
    type: "math",
    label: "Math",
    description: "a + b, a - b, a * b, a / b, min, max, or abs(a)",
    inputs: [
      { name: "a", type: "number" },
      { name: "b", type: "number" },
    ],
    outputs: [{ name: "result", type: "number" }],
    properties: [
      { kind: "enum", name: "operation", label: "Operation", default: "+", options: MATH_OPERATIONS.map((o) => ({ value: o, label: o })) },
      { kind: "number", name: "a", label: "a", default: 0 },
      { kind: "number", name: "b", label: "b", default: 0 },
    ],
    run: ({ inputs, props }) => {
      const a = requireNumber(inputs, "a");
      const b = props.operation === "abs" ? 0 : requireNumber(inputs, "b");
      const result = apply(props.operation, a, b);
      if (!Number.isFinite(result)) throw new Error(`result is not a finite number (${result})`);
      return { result };
    },
  }),
  defineNode<{ ms: number }>({
    category: "values",
    type: "delay",
    label: "Delay",
    description: "Passes its input on after waiting a number of milliseconds (stops early if the run is cancelled)",
    inputs: [{ name: "value", type: "any" }],
    outputs: [{ name: "value", type: "any" }],
    properties: [{ kind: "number", name: "ms", label: "Wait (ms)", default: 1_000, min: 0, max: 60_000, integer: true }],
    run: ({ inputs, props, signal }) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve({ value: inputs.value ?? null }), props.ms);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new Error("delay interrupted"));
        }, { once: true });
      }),
  }),
];
