import { followBucket, type FunctionFinishedTrigger, type Logger, type ObjectTrigger, type ScheduleTrigger, type TriggerDefinition } from '@faas/common';
import type { KV, KvEntry } from 'nats';
import { watchBarrier } from './watch-barrier.js';

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
  /**
   * Resolves once the watch holds every trigger written before `ms` (this host's clock): what a
   * handler awaits before it looks, so that a trigger created before its event fires for it.
   * Rejects if the watch cannot catch up within a few seconds (the event is then delivered again).
   */
  currentSince(ms: number): Promise<void>;
  stop(): void;
}

/** Webhooks are looked up by token in KV, never here; a schedule is kept without its argument. */
function keptOf(trigger: TriggerDefinition): Kept | undefined {
  if (trigger.kind === 'webhook') return undefined;
  if (trigger.kind !== 'schedule') return trigger;
  const { argument: _argument, ...entry } = trigger;
  return entry;
}

/** A deletion, an unreadable definition or a webhook removes what was kept under the key. */
function applyTo(triggers: Map<string, Kept>, entry: KvEntry, logger: Logger): void {
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
}

export interface TriggerWatchOptions {
  readonly logger: Logger;
  /** True once the connection is closing: the watch is not followed again. */
  readonly closing: () => boolean;
  /** The bucket's last revision, from its stream's leader (lastRevisionOf in watch-barrier.ts). */
  readonly lastRevision: () => Promise<number>;
}

/**
 * Follows the bucket (resolving once its current entries are loaded) and follows it again after a
 * failure: schedules, chains and object triggers only. The watch lags the bucket a little; a
 * handler that must see every trigger written before its event awaits currentSince first (chains
 * and object triggers do; a schedule created a moment ago may be seen a moment later).
 */
export async function watchTriggers(kv: KV, options: TriggerWatchOptions): Promise<TriggerWatch> {
  const { logger, closing } = options;
  const triggers = new Map<string, Kept>();
  const barrier = watchBarrier(options.lastRevision);
  const apply = (entry: KvEntry): void => {
    applyTo(triggers, entry, logger);
    barrier.applied(entry.revision);
  };
  const follower = followBucket(kv, apply, { what: 'trigger watch', logger, closing });
  try {
    await follower.ready;
  } catch (err) {
    follower.stop();
    barrier.stop();
    throw err;
  }
  const all = (): Kept[] => [...triggers.values()];
  return {
    schedules: () => all().filter((t): t is ScheduleEntry => t.kind === 'schedule'),
    chainsFrom: (userId, fn) => all().filter((t): t is FunctionFinishedTrigger => t.kind === 'function-finished' && t.userId === userId && t.source === fn),
    objectTriggersOf: (userId) => all().filter((t): t is ObjectTrigger => t.kind === 'object' && t.userId === userId),
    currentSince: (ms) => barrier.currentSince(ms),
    stop: () => {
      follower.stop();
      barrier.stop();
    },
  };
}
