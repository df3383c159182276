import { getWorkflow, listWorkflowVersions } from "@/lib/db/workflows";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every saved version, newest first. */
export const GET = route<{ params: Promise<{ id: string }> }>(async (_request, context) => {
  const id = await idParam(context);
  if (!(await getWorkflow(id))) throw new ApiError(404, "workflow not found", { id });
  return json(await listWorkflowVersions(id));
});
