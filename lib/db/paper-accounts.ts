import "server-only";
import { getDb } from "./client";
import { newPaperAccount, type PaperAccountState } from "../providers/paper-broker";

/**
 * Paper accounts, one per saved workflow, so consecutive paper runs continue one account. Runs of the
 * same workflow take turns (withPaperAccount), so two runs never both load, change and save it.
 */

export async function loadPaperAccount(workflowId: string): Promise<PaperAccountState> {
  const row = await getDb().paperAccount.findUnique({ where: { workflowId } });
  return row ? (JSON.parse(row.state) as PaperAccountState) : newPaperAccount();
}

export async function savePaperAccount(workflowId: string, state: PaperAccountState): Promise<void> {
  const json = JSON.stringify(state);
  await getDb().paperAccount.upsert({ where: { workflowId }, create: { workflowId, state: json }, update: { state: json } });
}

/** Starts the account again, after any run of the workflow that is using it. */
export function resetPaperAccount(workflowId: string): Promise<PaperAccountState> {
  return inTurn(workflowId, async () => {
    await getDb().paperAccount.deleteMany({ where: { workflowId } });
    return newPaperAccount();
  });
}

// On globalThis, like the scheduler's state, so every copy of this module in the process shares the turns.
const holder = globalThis as typeof globalThis & { __scPaperTurns?: Map<string, Promise<unknown>> };
const turns = (holder.__scPaperTurns ??= new Map<string, Promise<unknown>>());

function inTurn<T>(workflowId: string, work: () => Promise<T>): Promise<T> {
  const previous = turns.get(workflowId) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(work);
  turns.set(workflowId, mine);
  return mine.finally(() => {
    if (turns.get(workflowId) === mine) turns.delete(workflowId);
  });
}

/** Runs `work` with the workflow's paper account, after any other run of it finishes; saves it after. */
export function withPaperAccount<T>(workflowId: string, work: (state: PaperAccountState) => Promise<T>): Promise<T> {
  return inTurn(workflowId, async () => {
    const state = await loadPaperAccount(workflowId);
    try {
      return await work(state);
    } finally {
      await savePaperAccount(workflowId, state);
    }
  });
}
