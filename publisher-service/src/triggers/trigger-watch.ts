import { followBucket, type FunctionFinishedTrigger, type Logger, type ScheduleTrigger, type TriggerDefinition } from '@faas/common';
import type { KV, KvEntry } from 'nats';

/** The trigger definitions this publisher knows, kept current by a watch on KV `triggers`. */
export interface TriggerWatch {
  schedules(): ScheduleTrigger[];
  /** The user's function-finished triggers whose source is `fn`. */
  chainsFrom(userId: string, fn: string): FunctionFinishedTrigger[];
  stop(): void;
}

/**
 * Follows the bucket (resolving once its current entries are loaded) and follows it again after a
 * failure. A trigger created a moment ago may be seen a moment later: schedules and chains only.
 */
export async function watchTriggers(kv: KV, logger: Logger, closing: () => boolean): Promise<TriggerWatch> {
  const triggers = new Map<string, TriggerDefinition>();
  const apply = (entry: KvEntry): void => {
    if (entry.operation !== 'PUT') triggers.delete(entry.key);
    else {
      try {
        triggers.set(entry.key, entry.json<TriggerDefinition>());
      } catch (err) {
        triggers.delete(entry.key);
        logger.warn({ err, key: entry.key }, 'unreadable trigger definition in the watch');
      }
    }
  };
  const follower = followBucket(kv, apply, { what: 'trigger watch', logger, closing });
  try {
    await follower.ready;
  } catch (err) {
    follower.stop();
    throw err;
  }
  const all = (): TriggerDefinition[] => [...triggers.values()];
  return {
    schedules: () => all().filter((t): t is ScheduleTrigger => t.kind === 'schedule'),
    chainsFrom: (userId, fn) => all().filter((t): t is FunctionFinishedTrigger => t.kind === 'function-finished' && t.userId === userId && t.source === fn),
    stop: () => follower.stop(),
  };
}
