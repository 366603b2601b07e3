import { BUCKETS, ensureExecutionsStream, openBucket, openExecutionsBucket, USER_REQUESTS_BUCKET, USER_REQUESTS_TTL_MS, type Logger } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import type { PublisherConfig } from '../config.js';

export interface PublisherBuckets {
  /** Read from the leader: what submit, abandon, the quota's healing, the chains and callbacks decide on. */
  readonly executions: KV;
  /** Read from any replica: clients' polls and listings, answerable through a leader election. */
  readonly executionReads: KV;
  readonly index: KV;
  readonly quotas: KV;
  readonly functions: KV;
  readonly callbackKeys: KV;
  readonly triggerState: KV;
  readonly triggers: KV;
  readonly triggerTokens: KV;
  readonly userRequests: KV;
}

/**
 * The executions stream and every bucket the publisher uses. It owns the stream and the buckets
 * it creates (TTL, replicas); the spawners make their consumer (ACK_WAIT_MS, MAX_DELIVER), which
 * the publisher's NATS user may not.
 */
export async function openPublisherBuckets(nc: NatsConnection, config: PublisherConfig, logger: Logger): Promise<PublisherBuckets> {
  const replicas = config.natsReplicas;
  await ensureExecutionsStream(nc, { replicas, owner: logger, consumer: false });
  const executions = await openExecutionsBucket(nc, replicas, { ttlMs: config.executionTtlMs, owner: logger, leaderReads: true });
  const [executionReads, index, quotas, functions, callbackKeys, triggerState, triggers, triggerTokens, userRequests] = await Promise.all([
    openExecutionsBucket(nc, replicas, { ttlMs: config.executionTtlMs }),
    openBucket(nc, BUCKETS.executionIndex, { replicas, ttlMs: config.executionTtlMs, owner: logger }),
    // Every quota decision is a write, or a refusal taken on a fresh read: a replica that had not
    // applied the last release refused a free slot, one without the last acquire kept its hold.
    openBucket(nc, BUCKETS.quotas, { replicas, owner: logger, leaderReads: true }),
    // The function cache follows a watch (a consumer); the reads here decide: a trigger's fire
    // and an HTTP function's lookup. A lagging replica answered "not found" for a function created
    // a moment ago, and a schedule was then disabled until its next revision.
    openBucket(nc, BUCKETS.functions, { replicas, leaderReads: true }),
    // Read after a rotation: the new key or token at once, never the old one from a lagging replica.
    openBucket(nc, BUCKETS.callbackKeys, { replicas, owner: logger, leaderReads: true }),
    // Every claim is revision-checked, so a stale read fires nothing twice; but it failed the
    // claim and put the tick off to the next check.
    openBucket(nc, BUCKETS.triggerState, { replicas, owner: logger, leaderReads: true }),
    // A webhook's and a schedule tick's trigger read decides a start: a lagging replica answered
    // 404 for a trigger created a moment ago, or fired one just deleted. (Its watch is a consumer.)
    openBucket(nc, BUCKETS.triggers, { replicas, leaderReads: true }),
    openBucket(nc, BUCKETS.triggerTokens, { replicas, leaderReads: true }),
    openBucket(nc, USER_REQUESTS_BUCKET, { replicas, ttlMs: USER_REQUESTS_TTL_MS }),
  ]);
  return { executions, executionReads, index, quotas, functions, callbackKeys, triggerState, triggers, triggerTokens, userRequests };
}
