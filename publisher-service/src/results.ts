import type { ExecutionRecord, Logger } from '@faas/common';
import type { ExecutionIndex } from './execution-index.js';
import type { QuotaStore } from './quota-store.js';

export interface ResultDeps {
  readonly quota: QuotaStore;
  readonly index: ExecutionIndex;
  readonly deliver: (url: string, record: ExecutionRecord) => Promise<boolean>;
  readonly logger: Logger;
}

/** A final record arrived: free the user's slot, then notify the callback URL if one was given. */
export async function handleResult(deps: ResultDeps, record: ExecutionRecord): Promise<void> {
  await deps.quota.release(record.user, record.id);
  const entry = await deps.index.get(record.user, record.id);
  if (!entry?.callbackUrl) return;
  const delivered = await deps.deliver(entry.callbackUrl, record);
  deps.logger.info({ executionId: record.id, delivered }, 'callback finished');
}
