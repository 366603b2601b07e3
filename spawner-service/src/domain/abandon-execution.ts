import type { ExecutionStore, Logger } from '@faas/common';
import type { IncomingExecution } from './execution-request.js';
import type { ResultPublisher } from './ports.js';
import { errorRecord, queuedRecordFor } from './records.js';
import { isFinal, storeFinal } from './store-final.js';

export interface AbandonPorts {
  readonly store: ExecutionStore;
  readonly results: ResultPublisher;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * JetStream gave up on a message (every delivery crashed or overran its ack wait): the record
 * ends as `error` with the reason, unless an attempt finished it after all.
 */
export async function abandonExecution(ports: AbandonPorts, request: IncomingExecution, deliveries: number): Promise<void> {
  const now = ports.now ?? (() => new Date());
  const stored = await ports.store.get(request.id);
  if (stored && isFinal(stored.record)) return;
  const reason = `no spawner finished the execution in ${deliveries} deliveries (each attempt crashed or stopped answering)`;
  const base = stored?.record ?? queuedRecordFor(request, now());
  const final = errorRecord({ ...base, attempt: Math.max(base.attempt, deliveries) }, reason, now());
  const record = stored ? await storeFinal(ports.store, final, stored.revision) : await createFinal(ports.store, final);
  ports.logger.warn({ executionId: request.id, deliveries, status: record.status }, 'execution abandoned after its last delivery');
  await ports.results.publish(record);
}

async function createFinal(store: ExecutionStore, final: Parameters<ExecutionStore['create']>[0]): Promise<typeof final> {
  await store.create(final);
  return final;
}
