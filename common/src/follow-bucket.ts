import type { KV, KvEntry, KvWatchInclude } from 'nats';
import type { Logger } from './logger.js';

export interface FollowOptions {
  /** What is followed, for the logs ("account watch", "function watch", ...). */
  readonly what: string;
  readonly logger?: Logger;
  /** True once the connection is closing: a watch that ends then is not followed again. */
  readonly closing?: () => boolean;
  /** Default: every key's last value, then updates. */
  readonly include?: KvWatchInclude;
  /** Called when a watch starts, before its first entry. */
  readonly onUp?: () => void;
  /** Called whenever a watch ends, fails or is stopped: what a cache held from it may be stale now. */
  readonly onDown?: () => void;
  /** Failures are logged at this level (default warn; debug where a missing bucket is expected for a while). */
  readonly failureLevel?: 'warn' | 'debug';
  /** The wait before following again: doubled after each failure up to maxRetryMs (default 1 s, flat). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export interface BucketFollower {
  /** Resolves once the first watch has delivered the bucket's entries; rejects if that first watch could not start. */
  readonly ready: Promise<void>;
  /** Whether the current watch has delivered the entries the bucket had when it started. */
  initialized(): boolean;
  /** Follows again now instead of at the end of the current wait (e.g. the connection is back). */
  wake(): void;
  /** Stops the current watch (a restart at once if the follower is not stopped). */
  interrupt(): void;
  stop(): void;
}

/**
 * Follows a KV bucket for as long as it is wanted: every entry goes to `apply`, a watch that ends
 * or fails is followed again after a wait, and nothing more happens once stopped or closing. The
 * one watch loop behind account controls, triggers, the publisher's function cache and the
 * spawner's function changes. `bucket` may be a function: a bucket another service creates is
 * bound again at every attempt, until it exists.
 */
export function followBucket(bucket: KV | (() => Promise<KV>), apply: (entry: KvEntry) => void, options: FollowOptions): BucketFollower {
  const { what, logger } = options;
  const retryMs = options.retryMs ?? 1_000;
  let stopped = false;
  let initialized = false;
  let current: { stop(): void } | undefined;
  let wake: () => void = () => undefined;
  let settleFirst: ((err?: unknown) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => (settleFirst = (err) => (err === undefined ? resolve() : reject(err))));
  ready.catch(() => undefined); // a caller that does not wait for it must not see an unhandled rejection
  const ended = (): boolean => stopped || options.closing?.() === true;

  async function watchOnce(): Promise<void> {
    const kv = typeof bucket === 'function' ? await bucket() : bucket;
    const watch = await kv.watch({
      ...(options.include ? { include: options.include } : {}),
      initializedFn: () => {
        initialized = true;
        settleFirst?.();
        settleFirst = undefined;
      },
    });
    current = watch;
    if (stopped) watch.stop();
    else options.onUp?.();
    for await (const entry of watch) apply(entry);
  }

  async function keepFollowing(): Promise<void> {
    for (let failures = 0; !ended(); ) {
      try {
        await watchOnce();
        failures = initialized ? 0 : failures + 1;
        if (!ended()) logger?.warn(`${what} ended; following again`);
      } catch (err) {
        failures++;
        settleFirst?.(err);
        settleFirst = undefined;
        if (!ended()) logger?.[options.failureLevel ?? 'warn']({ err, failures }, `${what} failed; following again`);
      }
      initialized = false;
      current = undefined;
      options.onDown?.();
      if (ended()) break;
      await new Promise<void>((resume) => {
        wake = resume;
        setTimeout(resume, Math.min(retryMs * 2 ** Math.max(0, failures - 1), options.maxRetryMs ?? retryMs)).unref();
      });
    }
    settleFirst?.(new Error(`${what} stopped before it started`));
  }

  void keepFollowing();
  return {
    ready,
    initialized: () => initialized,
    wake: () => wake(),
    interrupt: () => current?.stop(),
    stop() {
      stopped = true;
      current?.stop();
      wake();
    },
  };
}
