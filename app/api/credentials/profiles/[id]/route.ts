import { deleteProfile, getProfile } from "@/lib/db/credential-profiles";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  const profile = await getProfile(id);
  if (!profile) throw new ApiError(404, "credential profile not found", { id });
  return json(profile);
});

export const DELETE = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  if (!(await deleteProfile(id))) throw new ApiError(404, "credential profile not found", { id });
  return new Response(null, { status: 204 });
});
