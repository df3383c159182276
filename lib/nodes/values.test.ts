import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import { MATH_OPERATIONS } from "./values";
import { validateWorkflow } from "../workflow/validate";
import { executeWorkflow } from "../workflow/executor";
import type { RunResult } from "../workflow/events";
import { withDefaults } from "../workflow/properties";
import { SimulatedMarket } from "../providers/simulated-market";
import { PaperBroker } from "../providers/paper-broker";
import type { NodeServices } from "../providers/types";
import { NOW, type TestBlock, type Wire, documentOf, compile, resultOf, outputOf } from "./test-kit";

function simServices(): NodeServices {
  const market = new SimulatedMarket({ now: NOW.getTime(), seed: 1 });
  return { market, broker: new PaperBroker(market, { now: () => NOW.getTime() }), notifier: { notify: () => {} } };
}

function run(blocks: TestBlock[], wires: Wire[] = []): Promise<RunResult> {
  return executeWorkflow(compile(blocks, wires), { services: simServices(), now: NOW, runId: "run_values" });
}

const constant = (id: string, value: number): TestBlock => ({ id, category: "values", type: "constant", properties: { value } });
const math = (operation: string, properties: Record<string, unknown> = {}): TestBlock => ({ id: "m", category: "values", type: "math", properties: { operation, ...properties } });

/** Runs math with a and b connected from constants (inputs 0 and 1). */
async function mathOf(operation: string, a: number, b: number) {
  return run([constant("a", a), constant("b", b), math(operation)], [["a", 0, "m", 0], ["b", 0, "m", 1]]);
}

async function mathDirect(operation: string, inputs: Record<string, unknown>) {
  const def = catalog.get("values", "math")!;
  return def.run({
    inputs,
    props: withDefaults(def.properties, { operation }),
    signal: new AbortController().signal,
    services: simServices(),
    block: { id: "m", name: "Math" },
    run: { id: "run_values", mode: "simulated", now: NOW, clock: () => NOW.getTime() },
  });
}

describe("constant", () => {
  it("outputs its value", async () => {
    for (const value of [0, 42, -3.5, 1e-9, 123_456.789]) expect(outputOf(await run([constant("c", value)]), "c")).toEqual({ value });
  });

  it("defaults to 0", async () => {
    expect(outputOf(await run([{ id: "c", category: "values", type: "constant" }]), "c")).toEqual({ value: 0 });
  });

  it("rejects a non-number value", () => {
    for (const value of ["5", null, true]) {
      const v = validateWorkflow(documentOf([{ id: "c", category: "values", type: "constant", properties: { value } }]), catalog);
      expect(v.ok, JSON.stringify(value)).toBe(false);
      if (!v.ok) expect(v.problems[0]).toMatchObject({ code: "bad-property", blockId: "c", property: "value" });
    }
  });
});

describe("math", () => {
  it("offers exactly + - * / min max abs", () => {
    expect([...MATH_OPERATIONS]).toEqual(["+", "-", "*", "/", "min", "max", "abs"]);
  });

  it("computes each operation from connected inputs", async () => {
    const cases: [string, number, number, number][] = [
      ["+", 7, 3, 10],
      ["-", 7, 3, 4],
      ["-", 3, 7, -4],
      ["*", 7, 3, 21],
      ["*", -2, 0.5, -1],
      ["/", 7, 2, 3.5],
      ["/", -9, 3, -3],
      ["min", 7, 3, 3],
      ["min", -1, 3, -1],
      ["max", 7, 3, 7],
      ["max", -7, -3, -3],
      ["abs", -7, 3, 7],
      ["abs", 2.5, -100, 2.5],
    ];
    for (const [op, a, b, expected] of cases) expect(outputOf(await mathOf(op, a, b), "m"), `${a} ${op} ${b}`).toEqual({ result: expected });
  });

  it("uses the a and b properties when the inputs are unconnected", async () => {
    expect(outputOf(await run([math("-", { a: 10, b: 4 })]), "m")).toEqual({ result: 6 });
    expect(outputOf(await run([math("+")]), "m")).toEqual({ result: 0 }); // defaults 0 + 0
    // a connected, b from its property
    expect(outputOf(await run([constant("a", 9), math("/", { b: 3 })], [["a", 0, "m", 0]]), "m")).toEqual({ result: 3 });
  });

  it("abs needs only a", async () => {
    expect(await mathDirect("abs", { a: -4 })).toEqual({ result: 4 });
    await expect(mathDirect("+", { a: -4 })).rejects.toThrow(/input "b" has no value/);
  });

  it("fails on division by zero, naming it", async () => {
    const result = await mathOf("/", 5, 0);
    const r = resultOf(result, "m");
    expect(r.status).toBe("failed");
    expect(r.error).toContain("division by zero");
    expect(result.status).toBe("failed");
  });

  it("fails when the result is not finite", async () => {
    const r = resultOf(await mathOf("*", 1e308, 10), "m");
    expect(r.status).toBe("failed");
    expect(r.error).toContain("not a finite number");
  });

  it("fails naming a non-number input", async () => {
    await expect(mathDirect("+", { a: "1", b: 2 })).rejects.toThrow(/input "a" must be a number/);
    await expect(mathDirect("+", { a: 1, b: Number.NaN })).rejects.toThrow(/input "b" must be a number/);
  });

  it("rejects an unknown operation at validation", () => {
    const v = validateWorkflow(documentOf([math("%")]), catalog);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems[0]).toMatchObject({ code: "bad-property", property: "operation" });
  });

  it("chains: (2 + 3) * 4 = 20", async () => {
    const result = await run(
      [
        { id: "sum", category: "values", type: "math", properties: { operation: "+", a: 2, b: 3 } },
        { id: "prod", category: "values", type: "math", properties: { operation: "*", b: 4 } },
      ],
      [["sum", 0, "prod", 0]],
    );
    expect(outputOf(result, "prod")).toEqual({ result: 20 });
  });
});
