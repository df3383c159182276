import { credentialsNeeded, getTemplate } from "@/lib/templates";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";

export const GET = route<{ params: Promise<{ id: string }> }>(async (_request, context) => {
  const id = await idParam(context);
  const template = getTemplate(id);
  if (!template) throw new ApiError(404, "template not found", { id });
  return json({ ...template, credentials: credentialsNeeded(template) });
});
