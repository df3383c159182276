import { describe, expect, it } from "vitest";
import { GET } from "./route";

describe("GET /api/nodes", () => {
  it("lists every node type with ports and property schemas, and no functions", async () => {
    const res = await GET(new Request("http://127.0.0.1/api/nodes"), undefined);
    const nodes = (await res.json()) as { category: string; type: string; inputs: { name: string; type: string }[]; outputs: { name: string }[]; properties: { name: string; kind: string }[] }[];
    const keys = nodes.map((n) => `${n.category}/${n.type}`);
    for (const k of [
      "providers/polymarket", "providers/binance", "providers/kalshi",
      "triggers/manual", "triggers/interval", "triggers/schedule", "triggers/price_alert",
      "conditions/threshold", "conditions/compare", "conditions/and", "conditions/or", "conditions/not", "conditions/if", "conditions/switch",
      "actions/buy", "actions/sell", "actions/cancel", "actions/notify",
      "risk/max_position", "risk/stop_loss", "risk/take_profit", "risk/daily_loss_limit", "risk/max_order_value", "risk/kill_switch",
      "values/constant", "values/math",
    ]) expect(keys).toContain(k);
    const threshold = nodes.find((n) => n.type === "threshold")!;
    expect(threshold.inputs.map((p) => p.name)).toEqual(["value", "min", "max"]);
    expect(threshold.outputs.map((p) => p.name)).toEqual(["pass"]);
    const poly = nodes.find((n) => n.type === "polymarket")!;
    expect(poly.properties.find((p) => p.name === "enabled_endpoints")).toMatchObject({ kind: "multi", default: ["price_feed"] });
    expect(poly.properties.find((p) => p.name === "profile_id")).toMatchObject({ kind: "profile", provider: "polymarket" });
  });
});
