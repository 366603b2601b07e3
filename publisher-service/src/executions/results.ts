import type { ExecutionRecord } from '@faas/common';
import type { QuotaStore } from '../quota/quota-store.js';

export interface ResultDeps {
  readonly quota: QuotaStore;
}

/**
 * A final record arrived: free the user's slot. Callbacks are not sent from here but from the
 * durable CALLBACKS work queue (callback-queue.ts), so none is lost while no publisher runs.
 */
export async function handleResult(deps: ResultDeps, record: ExecutionRecord): Promise<void> {
  await deps.quota.release(record.user, record.id);
}
