import type { FunctionFinishedTrigger, Logger, ScheduleTrigger, TriggerDefinition } from '@faas/common';
import type { KV, KvEntry } from 'nats';

const RESTART_DELAY_MS = 1_000;

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
  let stopped = false;
  let current: { stop(): void } | undefined;
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
  const follow = async (): Promise<void> => {
    let initialized!: () => void;
    const ready = new Promise<void>((resolve) => (initialized = resolve));
    const watch = await kv.watch({ initializedFn: () => initialized() });
    current = watch;
    void (async () => {
      try {
        for await (const entry of watch) apply(entry);
      } catch (err) {
        logger.warn({ err }, 'trigger watch failed');
      }
      if (stopped || closing()) return;
      setTimeout(() => void follow().catch((err: unknown) => logger.error({ err }, 'trigger watch restart failed')), RESTART_DELAY_MS).unref();
    })();
    await ready;
  };
  await follow();
  const all = (): TriggerDefinition[] => [...triggers.values()];
  return {
    schedules: () => all().filter((t): t is ScheduleTrigger => t.kind === 'schedule'),
    chainsFrom: (userId, fn) => all().filter((t): t is FunctionFinishedTrigger => t.kind === 'function-finished' && t.userId === userId && t.source === fn),
    stop() {
      stopped = true;
      current?.stop();
    },
  };
}
