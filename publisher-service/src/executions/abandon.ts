import { ConflictError, type ExecutionRecord, type ExecutionStore, type Logger } from '@faas/common';
import type { QuotaStore } from '../quota/quota-store.js';

export interface AbandonDeps {
  readonly store: ExecutionStore;
  readonly quota: Pick<QuotaStore, 'release'>;
  readonly logger: Logger;
}

/** Like Promise.all, but returns (or throws the first failure) only once every write has ended. */
export async function settleAll(writes: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A request that never reached the queue is marked `error` and frees its slot, but only while its
 * record is still the `queued` one: a publish whose PubAck was lost may have been stored and run,
 * and a record a spawner wrote (`running` or final) is never overwritten. `taken`: it was queued.
 */
export async function abandon(deps: AbandonDeps, record: ExecutionRecord, err: unknown): Promise<'abandoned' | 'taken'> {
  const reason = err instanceof Error ? err.message : String(err);
  const failed: ExecutionRecord = { ...record, status: 'error', error: `not queued: ${reason}`, finishedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const stored = await deps.store.get(record.id);
      if (stored && stored.record.status !== 'queued') return 'taken';
      if (stored) await deps.store.update(failed, stored.revision);
      else await deps.store.create(failed);
      break;
    } catch (writeErr) {
      // Changed between our read and our write: read again (a spawner's write is then kept).
      if (writeErr instanceof ConflictError) continue;
      deps.logger.warn({ err: writeErr, executionId: record.id }, 'abandoned execution: its error record was not stored');
      break;
    }
  }
  await deps.quota.release(record.user, record.id).catch(() => undefined);
  return 'abandoned';
}
