import { followBucket, type FunctionFinishedTrigger, type Logger, type ObjectTrigger, type ScheduleTrigger, type TriggerDefinition } from '@faas/common';
import type { KV, KvEntry } from 'nats';

/**
 * What the scheduler keeps of a schedule: all but its argument (up to 64 KiB, for every user's
 * schedules in every publisher), which is read from KV when a tick fires (fire-trigger.ts).
 */
export type ScheduleEntry = Omit<ScheduleTrigger, 'argument'>;
type Kept = ScheduleEntry | FunctionFinishedTrigger | ObjectTrigger;

/** What this publisher knows of the trigger definitions, kept current by a watch on KV `triggers`. */
export interface TriggerWatch {
  schedules(): ScheduleEntry[];
  /** The user's function-finished triggers whose source is `fn`. */
  chainsFrom(userId: string, fn: string): FunctionFinishedTrigger[];
  /** The user's object triggers. */
  objectTriggersOf(userId: string): ObjectTrigger[];
  stop(): void;
}

/** Webhooks are looked up by token in KV, never here; a schedule is kept without its argument. */
function keptOf(trigger: TriggerDefinition): Kept | undefined {
  if (trigger.kind === 'webhook') return undefined;
  if (trigger.kind !== 'schedule') return trigger;
  const { argument: _argument, ...entry } = trigger;
  return entry;
}

/**
 * Follows the bucket (resolving once its current entries are loaded) and follows it again after a
 * failure. A trigger created a moment ago may be seen a moment later: schedules, chains and object triggers only.
 */
export async function watchTriggers(kv: KV, logger: Logger, closing: () => boolean): Promise<TriggerWatch> {
  const triggers = new Map<string, Kept>();
  const apply = (entry: KvEntry): void => {
    if (entry.operation !== 'PUT') triggers.delete(entry.key);
    else {
      try {
        const kept = keptOf(entry.json<TriggerDefinition>());
        if (kept) triggers.set(entry.key, kept);
        else triggers.delete(entry.key);
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
  const all = (): Kept[] => [...triggers.values()];
  return {
    schedules: () => all().filter((t): t is ScheduleEntry => t.kind === 'schedule'),
    chainsFrom: (userId, fn) => all().filter((t): t is FunctionFinishedTrigger => t.kind === 'function-finished' && t.userId === userId && t.source === fn),
    objectTriggersOf: (userId) => all().filter((t): t is ObjectTrigger => t.kind === 'object' && t.userId === userId),
    stop: () => follower.stop(),
  };
}
