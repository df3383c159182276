import { getRun } from "@/lib/db/runs";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (_request, context) => {
  const id = await idParam(context);
  const run = await getRun(id);
  if (!run) throw new ApiError(404, "run not found", { id });
  return json(run);
});
