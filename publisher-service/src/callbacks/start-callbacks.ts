import { BUCKETS, createExecutionStore, openBucket, type Logger } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import type { PublisherConfig } from '../config.js';
import { deliverQueuedCallback } from './callback-delivery.js';
import { createCallbackKeys, type CallbackKeys } from './callback-keys.js';
import { openCallbackQueue, type PendingCallback } from './callback-queue.js';

/** The per-user signing keys and the callback queue with its delivery loop (docs/callbacks.md). */
export async function startCallbacks(
  nc: NatsConnection,
  options: { keysKv: KV; config: PublisherConfig; logger: Logger },
): Promise<{ keys: CallbackKeys; enqueue(pending: PendingCallback): Promise<void>; stop(): void }> {
  const { config, logger } = options;
  const keys = createCallbackKeys(options.keysKv, config.keyring);
  if (!config.keyring) logger.warn('SECRETS_KEY_FILE is not set: callbacks are sent unsigned and the callback-key API answers 503');
  // A callback is queued right after its record is created, and a delivery that finds no record
  // drops it as expired: a replica that has not applied the create yet must not answer that read.
  const store = createExecutionStore(
    await openBucket(nc, BUCKETS.executions, { replicas: config.natsReplicas, ttlMs: config.executionTtlMs, leaderReads: true }),
  );
  const queue = await openCallbackQueue(nc, { replicas: config.natsReplicas, ackWaitMs: config.callbacks.timeoutMs * 2 + 5_000 }, logger);
  const delivery = queue.start((pending, message) =>
    deliverQueuedCallback({ store, options: config.callbacks, signingKey: keys.signingKey, logger }, pending, message),
  );
  return { keys, enqueue: (pending) => queue.enqueue(pending), stop: () => delivery.stop() };
}
