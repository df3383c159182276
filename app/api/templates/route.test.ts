import { describe, expect, it } from "vitest";
import { params } from "@/test/http";
import { GET as list } from "./route";
import { GET as one } from "./[id]/route";

describe("/api/templates", () => {
  it("lists the eleven templates with their workflows and what they need", async () => {
    const res = await list(new Request("http://127.0.0.1/api/templates"), undefined);
    const body = (await res.json()) as { id: string; workflow: { blocks: unknown[] }; credentials: string; tags: string[] }[];
    expect(body).toHaveLength(11);
    for (const t of body) {
      expect(t.workflow.blocks.length).toBeGreaterThan(3);
      expect(t.credentials).toMatch(/^None to run on the simulated market/);
      expect(t.tags.length).toBeGreaterThan(0);
    }
  });

  it("reads one by id, and 404s on an unknown one", async () => {
    const res = await one(new Request("http://127.0.0.1/"), params({ id: "ema-cross" }));
    expect(((await res.json()) as { name: string }).name).toBe("EMA Cross");
    const missing = await one(new Request("http://127.0.0.1/"), params({ id: "nope" }));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "template not found", details: { id: "nope" } });
  });
});
