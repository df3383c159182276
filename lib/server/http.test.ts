import { describe, expect, it, vi } from "vitest";
import { jsonRequest } from "@/test/http";
import { RUN_REFUSAL_CODES, RunRefusal, type RunRefusalCode } from "../runs/errors";
import { ApiError, REFUSAL_STATUS, route } from "./http";

/** The statuses clients see; stated here independently of the table under test. */
const expected: Record<RunRefusalCode, number> = {
  invalid_workflow: 400,
  needs_saved_workflow: 400,
  pinned_market: 400,
  no_live_profile: 400,
  ambiguous_live_profile: 400,
  not_armed: 403,
  arming_expired: 403,
  arming_stale: 409,
  no_provider: 400,
  unknown_workflow: 404,
  unknown_dataset: 404,
  bad_data_request: 400,
  no_data: 422,
  too_many_bars: 413,
  bad_dataset: 400,
  history_unavailable: 502,
};

const failingWith = (err: unknown) =>
  route(async () => {
    throw err;
  })(jsonRequest("POST", "/api/test"), undefined);

describe("route()", () => {
  it("gives every refusal code a status", () => {
    expect(Object.keys(REFUSAL_STATUS).sort()).toEqual([...RUN_REFUSAL_CODES].sort());
  });

  it.each(RUN_REFUSAL_CODES.map((code) => [code, expected[code]] as const))("answers a %s refusal with %i and { error, details }", async (code, status) => {
    const res = await failingWith(new RunRefusal(code, `refused: ${code}`, { hint: "do this" }));
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({ error: `refused: ${code}`, details: { hint: "do this" } });
  });

  it("answers a refusal without details with details: null", async () => {
    const res = await failingWith(new RunRefusal("not_armed", "live trading is not armed for this workflow"));
    expect(await res.json()).toEqual({ error: "live trading is not armed for this workflow", details: null });
  });

  it("answers an ApiError with its own status", async () => {
    const res = await failingWith(new ApiError(404, "workflow not found", { id: "x" }));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "workflow not found", details: { id: "x" } });
  });

  it("answers anything else with a bare 500 that leaks nothing", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await failingWith(new Error("secret path /etc/x"));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: "internal error", details: null });
    } finally {
      log.mockRestore();
    }
  });
});
