import { ScheduleSchema } from "@/lib/api/schemas";
import { getWorkflow } from "@/lib/db/workflows";
import { ApiError, idParam, json, parseBody, readJson, route } from "@/lib/server/http";
import { compileOrThrow } from "@/lib/server/run-service";
import { getScheduleState, resumeSchedules, setSchedule } from "@/lib/server/scheduler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

async function existing(context: Ctx) {
  await resumeSchedules();
  const id = await idParam(context);
  const saved = await getWorkflow(id);
  if (!saved) throw new ApiError(404, "workflow not found", { id });
  return saved;
}

/** Whether the saved workflow runs continuously, when next, and how its last scheduled run went. */
export const GET = route<Ctx>(async (_request, context) => json(getScheduleState((await existing(context)).id)));

/** `{ every_seconds, mode? }` runs the saved workflow every N seconds (5 to 86,400), simulated or on paper; `null` stops it. */
export const PUT = route<Ctx>(async (request, context) => {
  const saved = await existing(context);
  const { every_seconds, mode } = parseBody(ScheduleSchema, await readJson(request));
  if (every_seconds !== null) compileOrThrow(saved.workflow); // refuse to schedule what cannot run
  return json(await setSchedule(saved.id, every_seconds, mode));
});

export const DELETE = route<Ctx>(async (_request, context) => json(await setSchedule((await existing(context)).id, null)));
