import { UpdateWorkflowSchema } from "@/lib/api/schemas";
import { deleteWorkflow, getWorkflow, updateWorkflow } from "@/lib/db/workflows";
import { ApiError, idParam, json, parseBody, readJson, route } from "@/lib/server/http";
import { compileOrThrow } from "@/lib/server/run-service";
import { dropSchedule } from "@/lib/server/scheduler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  const workflow = await getWorkflow(id);
  if (!workflow) throw new ApiError(404, "workflow not found", { id });
  return json(workflow);
});

/** Saves changes; each save that changes something becomes a new version. */
export const PUT = route<Ctx>(async (request, context) => {
  const id = await idParam(context);
  const body = parseBody(UpdateWorkflowSchema, await readJson(request));
  const document = body.workflow === undefined ? undefined : compileOrThrow(body.workflow).document;
  const saved = await updateWorkflow(id, { name: body.name, description: body.description, workflow: document });
  if (!saved) throw new ApiError(404, "workflow not found", { id });
  return json(saved);
});

export const DELETE = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  if (!(await deleteWorkflow(id))) throw new ApiError(404, "workflow not found", { id });
  dropSchedule(id);
  return new Response(null, { status: 204 });
});
