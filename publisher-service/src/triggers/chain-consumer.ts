import { BUCKETS, CONSUMERS, FINAL_STATUSES, type ExecutionRecord, type Logger } from '@faas/common';
import type { JsMsg, NatsConnection } from 'nats';
import { consumeDurable } from './durable-consumer.js';

/** A stored final record, or undefined for anything else on the stream (queued, running, a purge). */
function finalRecordOf(msg: JsMsg): ExecutionRecord | undefined {
  if (msg.headers?.get('KV-Operation')) return undefined; // DEL or PURGE: an erased record
  try {
    const record = msg.json<ExecutionRecord>();
    return FINAL_STATUSES.has(record.status) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Chains are driven from the stored final record, not the core-NATS result (which no publisher may
 * hear): the publishers' shared durable consumer on the executions bucket's stream
 * (nats-permissions.ts) gets each record write once. chainFrom makes a repeat start nothing twice.
 */
export function consumeFinalRecords(nc: NatsConnection, logger: Logger, onFinal: (record: ExecutionRecord) => Promise<void>): Promise<{ stop(): void }> {
  const source = { stream: `KV_${BUCKETS.executions}`, durable: CONSUMERS.publisherChains, what: 'chain from a final record' };
  return consumeDurable(nc, source, logger, async (msg) => {
    const record = finalRecordOf(msg);
    if (record) await onFinal(record);
  });
}
