import { BUCKETS, type Logger, type TriggerDefinition, type TriggerRef } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import type { PublisherConfig } from '../config.js';
import { consumeFinalRecords } from './chain-consumer.js';
import { chainFrom, depthOf } from './chains.js';
import { fireSchedule, fireTrigger, triggerRefOf, type FireDeps } from './fire-trigger.js';
import { consumeObjectChanges } from './object-consumer.js';
import { fireObjectTriggers, type ObjectStart } from './object-triggers.js';
import { startScheduler } from './scheduler.js';
import { watchTriggers } from './trigger-watch.js';
import { lastRevisionOf } from './watch-barrier.js';
import { kvWebhookLookup, kvWebhookRateLimit, type WebhookDeps } from './webhooks.js';

export interface TriggerBuckets {
  readonly triggers: KV;
  readonly triggerState: KV;
  readonly triggerTokens: KV;
  readonly userRequests: KV;
}

/**
 * Everything that fires triggers: the watch, the chains (from stored final records), object
 * triggers (from the object stores' meta subjects), the
 * scheduler (when this publisher runs one) and the webhooks' lookups. Triggered executions are
 * submitted through the same path as clients', as the trigger's owner (docs/triggers.md).
 */
export async function startTriggers(
  nc: NatsConnection,
  options: { fireDeps: FireDeps; buckets: TriggerBuckets; config: PublisherConfig['triggers']; logger: Logger; now?: () => number },
): Promise<{ webhooks: WebhookDeps; stop(): void }> {
  const { fireDeps, buckets, config, logger } = options;
  const fire = fireTrigger.bind(undefined, fireDeps);
  const closing = (): boolean => nc.isClosed() || nc.isDraining();
  const lastRevision = lastRevisionOf(await nc.jetstreamManager({ timeout: 10_000 }), BUCKETS.triggers);
  const watch = await watchTriggers(buckets.triggers, { logger, closing, lastRevision });
  const chains = { watch, maxDepth: config.maxChainDepth, logger, fire: (t: TriggerDefinition, argument: string, ref: TriggerRef, id: string) => fire(t, { argument, ref, id }) };
  const chainConsumer = await consumeFinalRecords(nc, logger, (record) => chainFrom(chains, record));
  const depthOfExecution = async (id: string): Promise<number> => depthOf((await fireDeps.store.get(id))?.record);
  const objects = { ...chains, depthOfExecution, fire: (t: TriggerDefinition, start: ObjectStart) => fire(t, start) };
  const objectConsumer = await consumeObjectChanges(nc, logger, (change) => fireObjectTriggers(objects, change));
  const scheduler = config.scheduler
    ? startScheduler({
        watch, state: buckets.triggerState, intervalMs: config.checkMs, lateAfterMs: config.lateAfterMs, logger, ...(options.now ? { now: options.now } : {}),
        fire: (t, d) => fireSchedule({ ...fireDeps, triggersKv: buckets.triggers }, t, triggerRefOf(t, { tick: new Date(d.tick).toISOString(), ...(d.missed ? { missed: true } : {}) })),
      })
    : undefined;
  return {
    webhooks: {
      lookup: kvWebhookLookup(buckets.triggerTokens, buckets.triggers),
      hit: kvWebhookRateLimit(buckets.userRequests),
      fire: (t, argument, ref, requestId) => fire(t, { argument, ref, requestId }),
    },
    stop() {
      void scheduler?.stop();
      watch.stop();
      chainConsumer.stop();
      objectConsumer.stop();
    },
  };
}
