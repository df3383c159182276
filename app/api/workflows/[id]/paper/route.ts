import { idParam, json, route } from "@/lib/server/http";
import { paperAccount, resetPaper } from "@/lib/server/trading";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** The saved workflow's paper account: balances, positions, the day's realised P&L, recent orders. */
export const GET = route<Ctx>(async (_request, context) => json(await paperAccount(await idParam(context))));

/** Starts the paper account again from its starting balances. */
export const DELETE = route<Ctx>(async (_request, context) => json(await resetPaper(await idParam(context))));
