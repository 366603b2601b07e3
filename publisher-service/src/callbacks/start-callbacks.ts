import type { ExecutionStore, Logger } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import type { PublisherConfig } from '../config.js';
import { deliverQueuedCallback } from './callback-delivery.js';
import { createCallbackKeys, type CallbackKeys } from './callback-keys.js';
import { openCallbackQueue, type PendingCallback } from './callback-queue.js';

/** The per-user signing keys and the callback queue with its delivery loop (docs/callbacks.md). */
export async function startCallbacks(
  nc: NatsConnection,
  options: { keysKv: KV; store: ExecutionStore; config: PublisherConfig; logger: Logger },
): Promise<{ keys: CallbackKeys; enqueue(pending: PendingCallback): Promise<void>; stop(): void }> {
  // `store` reads the leader: a callback is queued right after its record's create, and a delivery
  // that finds no record drops it as expired (a lagging replica must not answer that read).
  const { config, logger, store } = options;
  const keys = createCallbackKeys(options.keysKv, config.keyring);
  if (!config.keyring) logger.warn('SECRETS_KEY_FILE is not set: callbacks are sent unsigned and the callback-key API answers 503');
  const queue = await openCallbackQueue(nc, { replicas: config.natsReplicas, ackWaitMs: config.callbacks.timeoutMs * 2 + 5_000 }, logger);
  const delivery = queue.start((pending, message) =>
    deliverQueuedCallback({ store, options: config.callbacks, signingKey: keys.signingKey, logger }, pending, message),
  );
  return { keys, enqueue: (pending) => queue.enqueue(pending), stop: () => delivery.stop() };
}
