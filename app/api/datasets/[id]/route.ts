import { deleteDataset, getDatasetSummary } from "@/lib/db/datasets";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  const dataset = await getDatasetSummary(id);
  if (!dataset) throw new ApiError(404, "dataset not found", { id });
  return json(dataset);
});

export const DELETE = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  if (!(await deleteDataset(id))) throw new ApiError(404, "dataset not found", { id });
  return new Response(null, { status: 204 });
});
