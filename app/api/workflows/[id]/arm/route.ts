import { ArmSchema } from "@/lib/api/schemas";
import { idParam, json, parseBody, readJson, route } from "@/lib/server/http";
import { armWorkflow, armingState, disarmWorkflow } from "@/lib/server/trading";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** Whether live trading is armed for the saved workflow, on which venue, up to what order value. */
export const GET = route<Ctx>(async (_request, context) => json(await armingState(await idParam(context))));

/** `{ venue, max_order_value, max_position_value?, hours?, confirm_venue }` arms the saved version. */
export const PUT = route<Ctx>(async (request, context) => {
  const id = await idParam(context);
  return json(await armWorkflow(id, parseBody(ArmSchema, await readJson(request))));
});

export const DELETE = route<Ctx>(async (_request, context) => json(await disarmWorkflow(await idParam(context))));
