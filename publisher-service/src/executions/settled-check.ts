import { ELECTION_BUDGET_MS, FINAL_STATUSES, type ExecutionStore } from '@faas/common';

/**
 * A hold is taken before its record is written, and a submit may spend its whole retry budget
 * in between: a hold with no record is dropped only once it is older than this.
 */
export const RECORD_GRACE_MS = 3 * ELECTION_BUDGET_MS;

/** Whether a held execution no longer needs its slot: its record is final, or it never got one in time. */
export function executionSettled(store: Pick<ExecutionStore, 'get'>, graceMs = RECORD_GRACE_MS) {
  return async (executionId: string, heldSinceMs: number): Promise<boolean> => {
    const stored = await store.get(executionId);
    if (stored) return FINAL_STATUSES.has(stored.record.status);
    return Date.now() - heldSinceMs > graceMs;
  };
}
