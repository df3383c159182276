import { describe, expect, it } from "vitest";
import { compileWorkflow } from "../runs/compile";
import { documentOf } from "./test-kit";

describe("resolveMarkets: an order node trades the market its graph reads", () => {
  it("gives a node on the provider's market the market of the provider upstream, or of the only provider", () => {
    const wf = compileWorkflow(
      documentOf(
        [
          { id: "btc", category: "providers", type: "binance", properties: { symbol: "ETHUSDT", enabled_endpoints: ["price_feed"] } },
          { id: "high", category: "conditions", type: "compare", properties: { operator: ">", value2: 1 } },
          { id: "buy", category: "actions", type: "buy" },
          { id: "held", category: "values", type: "position" },
        ],
        [
          ["btc", 0, "high", 0],
          ["high", 0, "buy", 0],
        ],
      ),
    );
    const props = (id: string) => wf.blocks.find((b) => b.id === id)!.props;
    expect(props("buy")).toMatchObject({ venue: "binance", symbol: "ETHUSDT" });
    expect(props("held")).toMatchObject({ venue: "binance", symbol: "ETHUSDT" });
    expect(wf.warnings).toBeUndefined();
  });

  it("takes the nearest provider upstream when there are several, and keeps a market set by hand", () => {
    const wf = compileWorkflow(
      documentOf(
        [
          { id: "poly", category: "providers", type: "polymarket", properties: { symbol: "will-it-rain:YES" } },
          { id: "kal", category: "providers", type: "kalshi", properties: { symbol: "RAIN-26" } },
          { id: "buy_poly", category: "actions", type: "buy" },
          { id: "sell_set", category: "actions", type: "sell", properties: { venue: "binance", symbol: "SOLUSDT" } },
        ],
        [
          ["poly", 0, "buy_poly", 1],
          ["kal", 0, "sell_set", 1],
        ],
      ),
    );
    const props = (id: string) => wf.blocks.find((b) => b.id === id)!.props;
    expect(props("buy_poly")).toMatchObject({ venue: "polymarket", symbol: "will-it-rain:YES" });
    expect(props("sell_set")).toMatchObject({ venue: "binance", symbol: "SOLUSDT" });
    // A market no provider reads is a warning, not an error.
    expect(wf.warnings).toEqual([{ blockId: "sell_set", message: '"sell_set" trades binance SOLUSDT, which no provider node reads' }]);
  });
});
