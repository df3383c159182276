import { describe, expect, it } from "vitest";
import { catalog } from "../nodes";
import { checkProperties, propertiesSchema, withDefaults } from "./properties";

const candidates: unknown[] = [null, 0, -5, 0.5, 1, 2.5, 1e9, -1e9, "", ">", "market", "x".repeat(300), true, false, [], ["price_feed"], {}, NaN, Infinity];

describe("property checks", () => {
  it("accept a value on the fast path only when the zod schema accepts it, for every property of every node", () => {
    let compared = 0;
    for (const def of catalog.list()) {
      const schema = propertiesSchema(def.properties);
      for (const spec of def.properties) {
        for (const value of candidates) {
          const values = { [spec.name]: value };
          const ours = checkProperties(def.properties, schema, values);
          const zod = schema.safeParse(values);
          expect(ours.success, `${def.type}.${spec.name} = ${JSON.stringify(value)}`).toBe(zod.success);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("fills defaults without sharing arrays between blocks, and keeps undeclared properties", () => {
    const specs = catalog.get("providers", "binance")!.properties;
    const a = withDefaults(specs, { note: "mine" });
    const b = withDefaults(specs, {});
    expect(a.enabled_endpoints).toEqual(["price_feed"]);
    expect(a.enabled_endpoints).not.toBe(b.enabled_endpoints);
    expect(a.note).toBe("mine");
    expect(a.symbol).toBe("BTCUSDT");
  });
});
