import { describe, expect, it } from "vitest";
import { catalog } from "./index";
import { COMPARE_OPERATORS, compare } from "./conditions";
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
  return executeWorkflow(compile(blocks, wires), { services: simServices(), now: NOW, runId: "run_conditions" });
}

function errorOf(result: RunResult, id: string): string {
  const r = resultOf(result, id);
  expect(r.status).toBe("failed");
  return r.error ?? "";
}

const constant = (id: string, value: number): TestBlock => ({ id, category: "values", type: "constant", properties: { value } });

/** Runs a definition directly with exact inputs (what the executor would have gathered). */
async function runNode(type: string, inputs: Record<string, unknown>, props: Record<string, unknown> = {}) {
  const def = catalog.get("conditions", type)!;
  return def.run({
    inputs,
    props: withDefaults(def.properties, props),
    signal: new AbortController().signal,
    services: simServices(),
    block: { id: type, name: def.label },
    run: { id: "run_conditions", mode: "simulated", now: NOW, clock: () => NOW.getTime() },
  });
}

describe("threshold", () => {
  // value <- constant "v"; threshold inputs: 0 value, 1 min, 2 max
  const threshold = async (value: number, properties: Record<string, unknown>) =>
    run([constant("v", value), { id: "t", category: "conditions", type: "threshold", properties }], [["v", 0, "t", 0]]);

  it("passes inside the bounds and at both bounds (inclusive)", async () => {
    for (const value of [0.2, 0.5, 0.8]) expect(outputOf(await threshold(value, { min: 0.2, max: 0.8 }), "t")).toEqual({ pass: true });
    for (const value of [0.19999, 0.80001, -1, 2]) expect(outputOf(await threshold(value, { min: 0.2, max: 0.8 }), "t")).toEqual({ pass: false });
  });

  it("treats a null side as unbounded", async () => {
    expect(outputOf(await threshold(1e12, { min: 0.5, max: null }), "t")).toEqual({ pass: true });
    expect(outputOf(await threshold(0.4, { min: 0.5, max: null }), "t")).toEqual({ pass: false });
    expect(outputOf(await threshold(-1e12, { min: null, max: 0.5 }), "t")).toEqual({ pass: true });
    expect(outputOf(await threshold(0.6, { min: null, max: 0.5 }), "t")).toEqual({ pass: false });
    expect(outputOf(await threshold(-123, {}), "t")).toEqual({ pass: true }); // both sides open
  });

  it("uses the min property when the min input is unconnected (the seed's {min: 0.5})", async () => {
    expect(outputOf(await threshold(0.5, { min: 0.5 }), "t")).toEqual({ pass: true });
    expect(outputOf(await threshold(0.49, { min: 0.5 }), "t")).toEqual({ pass: false });
  });

  it("prefers a connected min over the property", async () => {
    const blocks = [constant("v", 0.3), constant("lo", 0.25), { id: "t", category: "conditions", type: "threshold", properties: { min: 0.5 } }];
    const result = await run(blocks, [
      ["v", 0, "t", 0],
      ["lo", 0, "t", 1],
    ]);
    expect(outputOf(result, "t")).toEqual({ pass: true });
  });

  it("passes the seed's provider -> threshold wiring", async () => {
    const services = simServices();
    const price = (await services.market.getQuote({ venue: "polymarket", symbol: "SIM-YES" })).price;
    const result = await run(
      [
        { id: "p", category: "providers", type: "polymarket" },
        { id: "t", category: "conditions", type: "threshold", properties: { min: 0.5 } },
      ],
      [["p", 0, "t", 0]],
    );
    expect(outputOf(result, "t")).toEqual({ pass: price >= 0.5 });
  });

  it("fails with a clear message when min is above max", async () => {
    const error = errorOf(await threshold(0.5, { min: 0.8, max: 0.2 }), "t");
    expect(error).toBe("min (0.8) is above max (0.2)");
  });

  it("fails naming the value input when it is missing", async () => {
    const result = await run([{ id: "t", category: "conditions", type: "threshold", properties: { min: 0.5 } }]);
    expect(errorOf(result, "t")).toContain('input "value" has no value');
    await expect(runNode("threshold", { value: "high" })).rejects.toThrow(/"value" must be a number/);
  });

  it("skips what depends on a failed threshold", async () => {
    const result = await run(
      [{ id: "t", category: "conditions", type: "threshold" }, { id: "n", category: "conditions", type: "not" }],
      [["t", 0, "n", 0]],
    );
    expect(resultOf(result, "t").status).toBe("failed");
    expect(resultOf(result, "n").status).toBe("skipped");
  });
});

describe("compare", () => {
  const table: [number, string, number, boolean][] = [
    [2, ">", 1, true],
    [1, ">", 1, false],
    [0, ">", 1, false],
    [2, ">=", 1, true],
    [1, ">=", 1, true],
    [0, ">=", 1, false],
    [0, "<", 1, true],
    [1, "<", 1, false],
    [2, "<", 1, false],
    [0, "<=", 1, true],
    [1, "<=", 1, true],
    [2, "<=", 1, false],
    [1, "==", 1, true],
    [1, "==", 1.0001, false],
    [1, "!=", 1.0001, true],
    [1, "!=", 1, false],
    [-3, "<", -2, true],
  ];

  it("implements all six operators", async () => {
    expect([...COMPARE_OPERATORS].sort()).toEqual(["!=", "<", "<=", "==", ">", ">="]);
    for (const [a, op, b, expected] of table) {
      expect(await runNode("compare", { value1: a, operator: op, value2: b }), `${a} ${op} ${b}`).toEqual({ result: expected });
    }
  });

  it("treats 0.1 + 0.2 as equal to 0.3", async () => {
    const sum = 0.1 + 0.2;
    expect(sum).not.toBe(0.3); // the float problem is real
    const expected: Record<string, boolean> = { "==": true, "!=": false, ">=": true, "<=": true, ">": false, "<": false };
    for (const op of COMPARE_OPERATORS) {
      expect(compare(sum, op, 0.3), op).toBe(expected[op]);
      expect(compare(0.3, op, sum), op).toBe(expected[op]);
    }
    // Through a run: math(0.1 + 0.2) -> compare == 0.3
    const result = await run(
      [
        { id: "m", category: "values", type: "math", properties: { operation: "+", a: 0.1, b: 0.2 } },
        { id: "c", category: "conditions", type: "compare", properties: { operator: "==", value2: 0.3 } },
      ],
      [["m", 0, "c", 0]],
    );
    expect(outputOf(result, "c")).toEqual({ result: true });
  });

  it("is not loose for clearly different numbers", () => {
    // the tolerance is relative (1e-9 of the larger magnitude), with an absolute floor of 1e-9
    expect(compare(1e9, "==", 1e9 + 10)).toBe(false);
    expect(compare(1e9, "==", 1e9 + 0.5)).toBe(true);
    expect(compare(0.3, "==", 0.3000001)).toBe(false);
    expect(compare(1e-12, "==", 0)).toBe(true); // within the absolute floor of 1e-9
  });

  it("uses the operator and value2 properties when unconnected", async () => {
    const blocks = (operator: string, value2: number): TestBlock[] => [constant("a", 5), { id: "c", category: "conditions", type: "compare", properties: { operator, value2 } }];
    expect(outputOf(await run(blocks("<", 6), [["a", 0, "c", 0]]), "c")).toEqual({ result: true });
    expect(outputOf(await run(blocks(">", 6), [["a", 0, "c", 0]]), "c")).toEqual({ result: false });
    expect(outputOf(await run(blocks("!=", 5), [["a", 0, "c", 0]]), "c")).toEqual({ result: false });
  });

  it("compares two connected values", async () => {
    const result = await run(
      [constant("a", 3), constant("b", 4), { id: "c", category: "conditions", type: "compare", properties: { operator: "<" } }],
      [
        ["a", 0, "c", 0],
        ["b", 0, "c", 2],
      ],
    );
    expect(outputOf(result, "c")).toEqual({ result: true });
  });

  it("rejects an unknown operator and missing values", async () => {
    await expect(runNode("compare", { value1: 1, operator: "=>", value2: 1 })).rejects.toThrow(/"operator" must be one of/);
    const invalid = validateWorkflow(documentOf([{ id: "c", category: "conditions", type: "compare", properties: { operator: "~" } }]), catalog);
    expect(invalid.ok).toBe(false);
    const result = await run([constant("a", 1), { id: "c", category: "conditions", type: "compare" }], [["a", 0, "c", 0]]);
    expect(errorOf(result, "c")).toContain('"value2"');
    await expect(runNode("compare", { operator: ">", value2: 1 })).rejects.toThrow(/"value1"/);
  });
});

describe("and / or / not", () => {
  const pairs: [boolean, boolean][] = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ];

  it("and is true only when both inputs are true", async () => {
    for (const [a, b] of pairs) expect(await runNode("and", { input1: a, input2: b })).toEqual({ output: a && b });
  });

  it("or is true when either input is true", async () => {
    for (const [a, b] of pairs) expect(await runNode("or", { input1: a, input2: b })).toEqual({ output: a || b });
  });

  it("not inverts", async () => {
    expect(await runNode("not", { input: true })).toEqual({ output: false });
    expect(await runNode("not", { input: false })).toEqual({ output: true });
  });

  it("fails naming the missing or non-boolean input", async () => {
    await expect(runNode("and", { input1: true })).rejects.toThrow(/"input2" has no value/);
    await expect(runNode("or", { input2: true })).rejects.toThrow(/"input1" has no value/);
    await expect(runNode("not", { input: 1 })).rejects.toThrow(/"input" must be true or false/);
  });

  it("combine in a run", async () => {
    // (5 > 3) and not (5 > 9) -> true; or with (5 > 9) -> true
    const result = await run(
      [
        constant("x", 5),
        { id: "gt3", category: "conditions", type: "compare", properties: { operator: ">", value2: 3 } },
        { id: "gt9", category: "conditions", type: "compare", properties: { operator: ">", value2: 9 } },
        { id: "not9", category: "conditions", type: "not" },
        { id: "and", category: "conditions", type: "and" },
        { id: "or", category: "conditions", type: "or" },
        { id: "and2", category: "conditions", type: "and" },
      ],
      [
        ["x", 0, "gt3", 0],
        ["x", 0, "gt9", 0],
        ["gt9", 0, "not9", 0],
        ["gt3", 0, "and", 0],
        ["not9", 0, "and", 1],
        ["gt9", 0, "or", 0],
        ["gt3", 0, "or", 1],
        ["gt3", 0, "and2", 0],
        ["gt9", 0, "and2", 1],
      ],
    );
    expect(outputOf(result, "and")).toEqual({ output: true });
    expect(outputOf(result, "or")).toEqual({ output: true });
    expect(outputOf(result, "and2")).toEqual({ output: false });
  });
});

describe("if", () => {
  it("routes a condition to its true or false output", async () => {
    expect(await runNode("if", { condition: true })).toEqual({ true: true, false: false });
    expect(await runNode("if", { condition: false })).toEqual({ true: false, false: true });
    await expect(runNode("if", {})).rejects.toThrow(/"condition"/);
  });

  it("has outputs true (0) and false (1)", () => {
    const wf = compile([{ id: "i", category: "conditions", type: "if" }]);
    expect(wf.blocks[0]!.outputs.map((p) => p.name)).toEqual(["true", "false"]);
  });
});

describe("switch", () => {
  it("has one case_N output per case, then default", () => {
    expect(compile([{ id: "s", category: "conditions", type: "switch" }]).blocks[0]!.outputs.map((p) => p.name)).toEqual(["case_1", "case_2", "default"]);
    const three = compile([{ id: "s", category: "conditions", type: "switch", properties: { cases: ["a", "b", "c"] } }]);
    expect(three.blocks[0]!.outputs.map((p) => p.name)).toEqual(["case_1", "case_2", "case_3", "default"]);
    expect(three.blocks[0]!.outputs.map((p) => p.label)).toEqual(["= a", "= b", "= c", undefined]);
    const none = compile([{ id: "s", category: "conditions", type: "switch", properties: { cases: [] } }]);
    expect(none.blocks[0]!.outputs.map((p) => p.name)).toEqual(["default"]);
  });

  it("fires the first matching case and nothing else", async () => {
    expect(await runNode("switch", { value: "sell" }, { cases: ["buy", "sell"] })).toEqual({ case_1: false, case_2: true, default: false });
    expect(await runNode("switch", { value: "buy" }, { cases: ["buy", "sell"] })).toEqual({ case_1: true, case_2: false, default: false });
    // a repeated case: only the first fires
    expect(await runNode("switch", { value: "x" }, { cases: ["y", "x", "x"] })).toEqual({ case_1: false, case_2: true, case_3: false, default: false });
  });

  it("fires default when no case matches", async () => {
    expect(await runNode("switch", { value: "hold" }, { cases: ["buy", "sell"] })).toEqual({ case_1: false, case_2: false, default: true });
    expect(await runNode("switch", { value: "anything" }, { cases: [] })).toEqual({ default: true });
  });

  it("matches a number against its text case", async () => {
    const result = await run(
      [constant("v", 2), { id: "s", category: "conditions", type: "switch", properties: { cases: ["1", "2", "3"] } }],
      [["v", 0, "s", 0]],
    );
    expect(outputOf(result, "s")).toEqual({ case_1: false, case_2: true, case_3: false, default: false });
  });

  it("a connection to case_N follows the cases property", async () => {
    // switch on 2 with cases 1,2,3: output index 1 (case_2) is true, index 2 (case_3) is false
    const blocks: TestBlock[] = [
      constant("v", 2),
      { id: "s", category: "conditions", type: "switch", properties: { cases: ["1", "2", "3"] } },
      { id: "n", category: "conditions", type: "not" },
    ];
    expect(outputOf(await run(blocks, [["v", 0, "s", 0], ["s", 1, "n", 0]]), "n")).toEqual({ output: false });
    expect(outputOf(await run(blocks, [["v", 0, "s", 0], ["s", 2, "n", 0]]), "n")).toEqual({ output: true });
    expect(outputOf(await run(blocks, [["v", 0, "s", 0], ["s", 3, "n", 0]]), "n")).toEqual({ output: true }); // default is false
    // with two cases there is no output 3
    const v = validateWorkflow(
      documentOf([constant("v", 2), { id: "s", category: "conditions", type: "switch" }, { id: "n", category: "conditions", type: "not" }], [
        ["v", 0, "s", 0],
        ["s", 3, "n", 0],
      ]),
      catalog,
    );
    expect(v.ok).toBe(false);
  });

  it("fails when its value is unconnected", async () => {
    const result = await run([{ id: "s", category: "conditions", type: "switch" }]);
    expect(errorOf(result, "s")).toContain('"value"');
  });
});
