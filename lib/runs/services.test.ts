import { describe, expect, it } from "vitest";
import { compileWorkflow } from "./compile";
import { RunRefusal } from "./errors";
import { liveProfileId, venueSources } from "./services";

describe("liveProfileId", () => {
  it("refuses a live run whose venue names no profile, or several", () => {
    const node = (id: string, profile?: string) => ({ id, category: "providers", type: "binance", properties: profile ? { profile_id: profile } : {} });
    const codeOf = (blocks: unknown[]) => {
      try {
        return liveProfileId(compileWorkflow({ blocks, connections: [] }), "binance");
      } catch (err) {
        return err instanceof RunRefusal ? err.code : "not a refusal";
      }
    };
    expect(codeOf([node("a")])).toBe("no_live_profile");
    expect(codeOf([node("a", "p1"), node("b", "p2")])).toBe("ambiguous_live_profile");
    expect(codeOf([node("a", "p1"), node("b", "p1")])).toBe("p1");
  });
});

describe("venueSources", () => {
  it("reads the venues in paper and live runs and the simulated market otherwise, unless a node chooses", () => {
    const workflow = compileWorkflow({ blocks: [{ id: "k", category: "providers", type: "kalshi", properties: { data_source: "live" } }], connections: [] });
    expect(venueSources(workflow, "simulated")).toMatchObject({ binance: "simulated", kalshi: "live" });
    expect(venueSources(workflow, "backtest")).toMatchObject({ binance: "simulated", kalshi: "live" });
    expect(venueSources(workflow, "paper")).toMatchObject({ binance: "live", kalshi: "live" });
    expect(venueSources(workflow, "live")).toMatchObject({ binance: "live" });
  });
});
