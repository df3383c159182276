import { getBacktest } from "@/lib/db/backtests";
import { ApiError, idParam, json, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route<Ctx>(async (_request, context) => {
  const id = await idParam(context);
  const backtest = await getBacktest(id);
  if (!backtest) throw new ApiError(404, "backtest not found", { id });
  return json(backtest);
});
