import { CreateWorkflowSchema } from "@/lib/api/schemas";
import { createWorkflow, listWorkflows } from "@/lib/db/workflows";
import { json, parseBody, readJson, route } from "@/lib/server/http";
import { compileOrThrow } from "@/lib/server/run-service";
import { resumeSchedules } from "@/lib/server/scheduler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async () => {
  await resumeSchedules(); // the first request after a restart resumes stored schedules if start-up did not
  return json(await listWorkflows());
});

export const POST = route(async (request) => {
  const body = parseBody(CreateWorkflowSchema, await readJson(request));
  const { document } = compileOrThrow(body.workflow);
  return json(await createWorkflow({ name: body.name, description: body.description, workflow: document }), 201);
});
