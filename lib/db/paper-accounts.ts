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

export async function resetPaperAccount(workflowId: string): Promise<PaperAccountState> {
  await getDb().paperAccount.deleteMany({ where: { workflowId } });
  return newPaperAccount();
}

const turns = new Map<string, Promise<unknown>>();

/** Runs `work` with the workflow's paper account, after any other run of it finishes; saves it after. */
export async function withPaperAccount<T>(workflowId: string, work: (state: PaperAccountState) => Promise<T>): Promise<T> {
  const previous = turns.get(workflowId) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(async () => {
    const state = await loadPaperAccount(workflowId);
    try {
      return await work(state);
    } finally {
      await savePaperAccount(workflowId, state);
    }
  });
  turns.set(workflowId, mine);
  try {
    return await mine;
  } finally {
    if (turns.get(workflowId) === mine) turns.delete(workflowId);
  }
}
