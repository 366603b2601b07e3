import { BUCKETS, CONSUMERS, FINAL_STATUSES, type ExecutionRecord, type Logger } from '@faas/common';
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';

/** The publishers' shared durable consumer on the executions bucket's stream (nats-permissions.ts). */
const CHAIN_CONSUMER = CONSUMERS.publisherChains;
const STREAM = `KV_${BUCKETS.executions}`;
const ACK_WAIT_MS = 30_000;
const MAX_DELIVER = 5;
const RETRY_DELAY_MS = 2_000;

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
 * hear): a durable consumer shared by the publisher replicas gets each record write once, and a
 * write made while no publisher ran waits in the stream. A handler failure is delivered again
 * (at most MAX_DELIVER times); chainFrom makes a repeat start nothing twice.
 */
export async function consumeFinalRecords(nc: NatsConnection, logger: Logger, onFinal: (record: ExecutionRecord) => Promise<void>): Promise<{ stop(): void }> {
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  await jsm.consumers.add(STREAM, {
    durable_name: CHAIN_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    ack_wait: nanos(ACK_WAIT_MS),
    max_deliver: MAX_DELIVER,
  });
  const consumer = await nc.jetstream({ timeout: 10_000 }).consumers.get(STREAM, CHAIN_CONSUMER);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
  void (async () => {
    for await (const msg of messages) {
      const record = finalRecordOf(msg);
      if (!record) {
        msg.ack();
        continue;
      }
      try {
        await onFinal(record);
        msg.ack();
      } catch (err) {
        logger.warn({ err, executionId: record.id, delivery: msg.info.redeliveryCount }, 'chain from a final record failed; delivered again');
        msg.nak(RETRY_DELAY_MS);
      }
    }
  })().catch((err: unknown) => logger.error({ err }, 'the chain consumer stopped'));
  return { stop: () => void messages.close() };
}
