import type { Logger } from '@faas/common';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, nanos, type JsMsg, type NatsConnection } from 'nats';

/** Work queue of callbacks to send: one message per execution with a callback URL. */
export const CALLBACK_STREAM = 'CALLBACKS';
const CONSUMER = 'publisher-callbacks';
const subject = (executionId: string): string => `faas.callback.${executionId}`;

export interface PendingCallback {
  readonly id: string;
  readonly user: string;
  readonly url: string;
}

/** What the handler wants done with a message: gone (acked), or back on the queue after a pause. */
export type CallbackStep = { readonly kind: 'done' } | { readonly kind: 'later'; readonly delayMs: number };

export interface CallbackQueue {
  /** Safe to repeat: the execution id is the msg id. */
  enqueue(pending: PendingCallback): Promise<void>;
  /** Pulls from the shared durable consumer (any publisher replica) until stopped. */
  start(handle: (pending: PendingCallback, delivery: number) => Promise<CallbackStep>): { stop(): void };
}

export async function openCallbackQueue(nc: NatsConnection, options: { replicas: number; ackWaitMs: number }, logger: Logger): Promise<CallbackQueue> {
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  await jsm.streams.info(CALLBACK_STREAM).catch(() =>
    jsm.streams.add({
      name: CALLBACK_STREAM, subjects: [subject('*')], retention: RetentionPolicy.Workqueue, storage: StorageType.File,
      num_replicas: options.replicas, duplicate_window: nanos(120_000),
    }).catch((err: unknown) => jsm.streams.info(CALLBACK_STREAM).catch(() => Promise.reject(err))),
  );
  await jsm.consumers.info(CALLBACK_STREAM, CONSUMER).catch(() =>
    jsm.consumers.add(CALLBACK_STREAM, {
      durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs), max_deliver: -1, max_ack_pending: 1_000,
    }).catch((err: unknown) => jsm.consumers.info(CALLBACK_STREAM, CONSUMER).catch(() => Promise.reject(err))),
  );
  const js = nc.jetstream({ timeout: 10_000 });
  return {
    async enqueue(pending) {
      await js.publish(subject(pending.id), JSON.stringify(pending), { msgID: pending.id });
    },
    start(handle) {
      let stopping = false;
      const one = async (msg: JsMsg): Promise<void> => {
        const working = setInterval(() => msg.working(), Math.max(1_000, options.ackWaitMs / 3));
        try {
          const step = await handle(msg.json<PendingCallback>(), msg.info.deliveryCount);
          if (step.kind === 'done') msg.ack();
          else msg.nak(step.delayMs);
        } catch (err) {
          logger.warn({ err, subject: msg.subject }, 'callback not handled yet; retrying');
          msg.nak(1_000);
        } finally {
          clearInterval(working);
        }
      };
      const loop = async (): Promise<void> => {
        let consumer: Awaited<ReturnType<typeof js.consumers.get>> | undefined;
        while (!stopping && !nc.isClosed()) {
          try {
            consumer ??= await js.consumers.get(CALLBACK_STREAM, CONSUMER);
            const batch = await consumer.fetch({ max_messages: 64, expires: 5_000 });
            for await (const msg of batch) void one(msg);
          } catch (err) {
            consumer = undefined;
            if (!stopping) logger.warn({ err }, 'fetch from the callbacks consumer failed; retrying');
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      };
      void loop();
      return { stop: () => (stopping = true) };
    },
  };
}
