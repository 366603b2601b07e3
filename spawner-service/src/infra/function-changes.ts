import { BUCKETS, type Logger } from '@faas/common';
import { KvWatchInclude, type NatsConnection } from 'nats';

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
  let stopped = false;
  let attempted: () => void = () => undefined;
  const firstAttempt = new Promise<void>((resolve) => (attempted = resolve));
  let stopWatch: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  async function follow(): Promise<void> {
    const kv = await nc.jetstream().views.kv(BUCKETS.functions, { bindOnly: true });
    const watch = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
    stopWatch = () => watch.stop();
    attempted();
    for await (const entry of watch) {
      const dot = entry.key.indexOf('.');
      if (dot < 0) continue;
      let revision: number | undefined;
      if (entry.operation === 'PUT') {
        try {
          revision = entry.json<{ revision?: number }>().revision;
        } catch {
          continue;
        }
      }
      onChange({ userId: entry.key.slice(0, dot), name: entry.key.slice(dot + 1), revision });
    }
  }
  function start(): void {
    follow()
      .catch((err: unknown) => logger.debug({ err }, 'functions bucket not followed yet'))
      .finally(() => {
        attempted();
        if (!stopped) timer = setTimeout(start, RETRY_MS).unref();
      });
  }
  start();
  return {
    firstAttempt,
    stop() {
      stopped = true;
      clearTimeout(timer);
      stopWatch?.();
    },
  };
}
