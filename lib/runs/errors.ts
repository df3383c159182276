/**
 * Why a run was refused before it started. Each code is one reason; the HTTP edge gives each code one
 * status (REFUSAL_STATUS in lib/server/http.ts), and other callers (scheduler, workers) read the code.
 */
export const RUN_REFUSAL_CODES = [
  "invalid_workflow",
  "needs_saved_workflow",
  "pinned_market",
  "no_live_profile",
  "ambiguous_live_profile",
  "not_armed",
  "arming_expired",
  "arming_stale",
  "no_provider",
  "unknown_workflow",
  "unknown_dataset",
  "bad_data_request",
  "no_data",
  "too_many_bars",
  "bad_dataset",
  "history_unavailable",
] as const;

export type RunRefusalCode = (typeof RUN_REFUSAL_CODES)[number];

/** A run that must not start. Raised before the run's first event, so nothing was executed or stored. */
export class RunRefusal extends Error {
  override readonly name = "RunRefusal";

  constructor(
    readonly code: RunRefusalCode,
    message: string,
    /** What to show the user alongside the message: a hint, or the list of problems found. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}
