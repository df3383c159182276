import { listBacktests } from "@/lib/db/backtests";
import { getWorkflow } from "@/lib/db/workflows";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** The workflow's stored backtests, newest first, without curves or trades. */
export const GET = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  if (!(await getWorkflow(id))) throw new ApiError(404, "workflow not found", { id });
  return json(await listBacktests(id));
});
