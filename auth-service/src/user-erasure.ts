import { BUCKETS, leaderKeys, type Logger, type TriggerDefinition } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import { eraseUserObjects } from './object-erasure.js';

/** Removes every trace of a user outside the users bucket: functions, secrets, executions, quota, triggers, callback key, uploads and outputs. */
export type UserEraser = (userId: string) => Promise<{ functions: number; secrets: number; executions: number }>;

/**
 * Read from the leader: what is read decides what is purged (a trigger's webhook token and
 * schedule state), and a replica without the latest trigger left a rotated token behind.
 */
async function bindIfExists(nc: NatsConnection, name: string): Promise<KV | undefined> {
  try {
    return await nc.jetstream({ timeout: 10_000 }).views.kv(name, { bindOnly: true, allow_direct: false });
  } catch {
    return undefined; // never created: nothing of anyone's is in it
  }
}

/** A user's keys in a bucket, listed on its leader (leaderKeys): a replica catching up would leave keys behind. */
const keysUnder = (nc: NatsConnection, bucket: string, userId: string): Promise<string[]> => leaderKeys(nc, bucket, `${userId}.>`);

async function purgeAll(kv: KV | undefined, keys: readonly string[]): Promise<number> {
  if (!kv) return 0;
  for (const key of keys) await kv.purge(key);
  return keys.length;
}

/** A user's triggers, their webhook tokens and their schedule state (docs/triggers.md). */
async function purgeTriggers(nc: NatsConnection, userId: string): Promise<number> {
  const [triggers, tokens, state] = await Promise.all([BUCKETS.triggers, BUCKETS.triggerTokens, BUCKETS.triggerState].map((b) => bindIfExists(nc, b)));
  if (!triggers) return 0;
  const keys = await keysUnder(nc, BUCKETS.triggers, userId);
  for (const key of keys) {
    const entry = await triggers.get(key);
    const trigger = entry?.operation === 'PUT' ? entry.json<TriggerDefinition>() : undefined;
    if (trigger?.kind === 'webhook') await tokens?.purge(trigger.tokenHash);
    if (trigger) await state?.purge(trigger.id);
  }
  return purgeAll(triggers, keys);
}

/**
 * Buckets other services own are bound, never created, so their settings (TTLs, replicas) stay
 * theirs. Purge, not delete: no earlier revision of a record survives in the bucket's history.
 */
export function createUserEraser(nc: NatsConnection, logger: Logger): UserEraser {
  return async (userId) => {
    const [functions, secrets, index, executions, quotas] = await Promise.all(
      [BUCKETS.functions, BUCKETS.secrets, BUCKETS.executionIndex, BUCKETS.executions, BUCKETS.quotas].map((b) => bindIfExists(nc, b)),
    );
    const erased = {
      functions: await purgeAll(functions, functions ? await keysUnder(nc, BUCKETS.functions, userId) : []),
      secrets: await purgeAll(secrets, secrets ? await keysUnder(nc, BUCKETS.secrets, userId) : []),
      executions: 0,
    };
    if (index) {
      const indexKeys = await keysUnder(nc, BUCKETS.executionIndex, userId);
      erased.executions = await purgeAll(executions, indexKeys.map((key) => key.slice(userId.length + 1)));
      await purgeAll(index, indexKeys);
    }
    // Purged whether or not a read would show them: a key made a moment ago may not be on every replica yet.
    await quotas?.purge(userId);
    await (await bindIfExists(nc, BUCKETS.callbackKeys))?.purge(userId);
    const triggers = await purgeTriggers(nc, userId);
    const objects = await eraseUserObjects(nc, userId);
    logger.info({ userId, ...erased, triggers, objects }, 'user data erased');
    return erased;
  };
}
