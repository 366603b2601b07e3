import { BUCKETS, followBucket, type Logger } from '@faas/common';
import { KvWatchInclude, type KvEntry, type NatsConnection } from 'nats';

export interface FunctionChange {
  readonly userId: string;
  readonly name: string;
  /** The definition's revision now; undefined once the function is deleted. */
  readonly revision: number | undefined;
}

const RETRY_MS = 5_000;

/**
 * Follows updates and deletes in the `functions` bucket (keys `<userId>.<name>`), so the warm
 * pool can drop containers of a definition that changed. Binds only: the registry creates the
 * bucket, and a spawner that starts first keeps trying. Best effort: a missed event only leaves
 * an unusable container to the idle timeout (the key carries the revision).
 */
export function watchFunctionChanges(
  nc: NatsConnection,
  logger: Logger,
  onChange: (change: FunctionChange) => void,
): { stop(): void; readonly firstAttempt: Promise<void> } {
  const apply = (entry: KvEntry): void => {
    const dot = entry.key.indexOf('.');
    if (dot < 0) return;
    let revision: number | undefined;
    if (entry.operation === 'PUT') {
      try {
        revision = entry.json<{ revision?: number }>().revision;
      } catch {
        return;
      }
    }
    onChange({ userId: entry.key.slice(0, dot), name: entry.key.slice(dot + 1), revision });
  };
  const follower = followBucket(() => nc.jetstream().views.kv(BUCKETS.functions, { bindOnly: true }), apply, {
    what: 'functions bucket watch',
    logger,
    include: KvWatchInclude.UpdatesOnly,
    retryMs: RETRY_MS,
    // The registry creates the bucket: a spawner that starts first keeps trying, quietly.
    failureLevel: 'debug',
  });
  return { firstAttempt: follower.ready.catch(() => undefined), stop: () => follower.stop() };
}
