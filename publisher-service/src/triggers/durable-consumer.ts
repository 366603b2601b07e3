import type { Logger } from '@faas/common';
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';

const ACK_WAIT_MS = 30_000;
const MAX_DELIVER = 5;
const RETRY_DELAY_MS = 2_000;

export interface DurableSource {
  readonly stream: string;
  /** Shared by every publisher replica: each message goes to one of them. */
  readonly durable: string;
  readonly filterSubject?: string;
  /** For logs: what the consumer drives. */
  readonly what: string;
}

/**
 * A durable consumer shared by the publisher replicas (each message handled by one of them, and a
 * message stored while no publisher ran waits in the stream), from the messages stored after it
 * was made. A handler failure is delivered again, at most MAX_DELIVER times, after RETRY_DELAY_MS:
 * handlers must make a repeat start nothing twice.
 */
export async function consumeDurable(nc: NatsConnection, source: DurableSource, logger: Logger, handle: (msg: JsMsg) => Promise<void>): Promise<{ stop(): void }> {
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  await jsm.consumers.add(source.stream, {
    durable_name: source.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    ack_wait: nanos(ACK_WAIT_MS),
    max_deliver: MAX_DELIVER,
    ...(source.filterSubject ? { filter_subject: source.filterSubject } : {}),
  });
  const consumer = await nc.jetstream({ timeout: 10_000 }).consumers.get(source.stream, source.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
  void (async () => {
    for await (const msg of messages) {
      try {
        await handle(msg);
        msg.ack();
      } catch (err) {
        logger.warn({ err, stream: source.stream, seq: msg.seq, delivery: msg.info.redeliveryCount }, `${source.what} failed; delivered again`);
        msg.nak(RETRY_DELAY_MS);
      }
    }
  })().catch((err: unknown) => logger.error({ err, stream: source.stream }, `the ${source.what} consumer stopped`));
  return { stop: () => void messages.close() };
}
