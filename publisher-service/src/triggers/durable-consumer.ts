import type { Logger } from '@faas/common';
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';

const ACK_WAIT_MS = 30_000;
// Not raised with the delays below: an existing durable with another max_deliver would refuse
// the publisher's add on an upgrade in place.
export const MAX_DELIVER = 5;
/**
 * The wait before delivery n + 1 after delivery n failed. The first retry is quick (a passing
 * fault); then longer, so the 5 deliveries span a NATS leader election or a node loss (about 100
 * s) instead of 8 s, after which a chain would be dropped.
 */
const RETRY_DELAYS_MS = [2_000, 10_000, 30_000, 60_000] as const;

/** The wait before the next delivery, after delivery `delivery` (1 for the first) failed. */
export function retryDelayMs(delivery: number): number {
  return RETRY_DELAYS_MS[Math.min(Math.max(delivery, 1), RETRY_DELAYS_MS.length) - 1] as number;
}

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
 * was made. A handler failure is delivered again, at most MAX_DELIVER times, after retryDelayMs:
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
        msg.nak(retryDelayMs(msg.info.redeliveryCount));
      }
    }
  })().catch((err: unknown) => logger.error({ err, stream: source.stream }, `the ${source.what} consumer stopped`));
  return { stop: () => void messages.close() };
}
