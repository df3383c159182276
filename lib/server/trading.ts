import "server-only";
import type { z } from "zod";
import type { ArmSchema } from "../api/schemas";
import type { ArmingState, PaperAccountView } from "../api/types";
import { arm, disarm, getArming } from "../db/armings";
import { getProfile } from "../db/credential-profiles";
import { loadPaperAccount, resetPaperAccount } from "../db/paper-accounts";
import { getWorkflow } from "../db/workflows";
import type { PaperAccountState } from "../providers/paper-broker";
import { CURRENCY } from "../providers/paper-broker";
import { VENUES } from "../providers/types";
import { ApiError } from "./http";
import { compileOrThrow, liveProfileId } from "./run-service";

/** Paper accounts and live arming of saved workflows, for the thin route handlers. */

async function savedOrThrow(id: string) {
  const saved = await getWorkflow(id);
  if (!saved) throw new ApiError(404, "workflow not found", { id });
  return saved;
}

export async function armingState(id: string): Promise<ArmingState> {
  const saved = await savedOrThrow(id);
  const a = await getArming(id);
  const live = a !== null && Date.parse(a.expiresAt) > Date.now();
  return {
    workflow_id: id,
    armed: live,
    venue: live ? a.venue : null,
    version: live ? a.version : null,
    current: live && a.version === saved.version,
    max_order_value: live ? a.maxOrderValue : null,
    max_position_value: live ? a.maxPositionValue : null,
    armed_at: live ? a.armedAt : null,
    expires_at: live ? a.expiresAt : null,
  };
}

/**
 * Arms live trading for the workflow's saved version on one venue. The workflow must be valid and name a
 * live-capable credential profile for the venue on its provider node(s).
 */
export async function armWorkflow(id: string, body: z.infer<typeof ArmSchema>): Promise<ArmingState> {
  const saved = await savedOrThrow(id);
  if (body.version !== undefined && body.version !== saved.version) {
    throw new ApiError(409, `version ${body.version} was reviewed, but the saved workflow is now version ${saved.version}`, "Reload the workflow, check it, and arm it again.");
  }
  const profileId = liveProfileId(compileOrThrow(saved.workflow), body.venue);
  const profile = await getProfile(profileId);
  if (!profile) throw new ApiError(400, `credential profile "${profileId}" does not exist`, "Pick another profile on the provider node.");
  if (profile.provider !== body.venue) throw new ApiError(400, `credential profile "${profile.name}" is for ${profile.provider}, not ${body.venue}`);
  if (!profile.live_capable) throw new ApiError(403, `credential profile "${profile.name}" is not marked live-capable`, "Create a profile with live trading allowed to trade real money with it.");
  await arm({
    workflowId: id,
    venue: body.venue,
    version: saved.version,
    maxOrderValue: body.max_order_value,
    maxPositionValue: body.max_position_value ?? body.max_order_value * 5,
    expiresAt: new Date(Date.now() + (body.hours ?? 12) * 3_600_000),
  });
  return armingState(id);
}

export async function disarmWorkflow(id: string): Promise<ArmingState> {
  await savedOrThrow(id);
  await disarm(id);
  return armingState(id);
}

function view(id: string, state: PaperAccountState): PaperAccountView {
  return {
    workflow_id: id,
    balances: VENUES.map((venue) => ({ venue, currency: CURRENCY[venue], available: state.balances[venue] })),
    positions: Object.values(state.positions)
      .filter((p) => Math.abs(p.quantity) > 1e-12)
      .map((p) => ({ venue: p.venue, symbol: p.symbol, quantity: p.quantity, average_price: p.averagePrice, realized_pnl: p.realizedPnl })),
    realized_today: { ...state.realizedToday },
    orders: Object.values(state.orders)
      .sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id))
      .slice(0, 100)
      .map((o) => ({
        id: o.id,
        client_order_id: o.clientOrderId,
        venue: o.venue,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        quantity: o.quantity,
        filled_quantity: o.filledQuantity,
        limit_price: o.limitPrice,
        average_price: o.averagePrice,
        fee: o.fee,
        status: o.status,
        reason: o.reason ?? null,
        at: o.at,
      })),
  };
}

export async function paperAccount(id: string): Promise<PaperAccountView> {
  await savedOrThrow(id);
  return view(id, await loadPaperAccount(id));
}

export async function resetPaper(id: string): Promise<PaperAccountView> {
  await savedOrThrow(id);
  return view(id, await resetPaperAccount(id));
}
