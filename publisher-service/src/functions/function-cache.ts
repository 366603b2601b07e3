import { followBucket, type FunctionDefinition, type Logger } from '@faas/common';
import type { KV, KvEntry, NatsConnection } from 'nats';
import type { CallerContext, FunctionResolver } from './registry-client.js';

/** What the registry accepts as the owner part of a `functions` key (its ownerOf check). */
const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_RETRY_MS = 5_000;

export interface FunctionCache extends FunctionResolver {
  /** The definition the current watch delivered for the key, if any (tests and diagnostics). */
  peek(userId: string, name: string): FunctionDefinition | undefined;
  /** The HTTP function `<owner>/<name>` (owner's username, any case) the watch delivered, if any. */
  httpFunction(owner: string, name: string): FunctionDefinition | undefined;
  /** True once the current watch has delivered the bucket's values as they were when it started. */
  initialized(): boolean;
  stop(): void;
}

export interface FunctionCacheOptions {
  /** The `functions` bucket, keyed `<userId>.<name>`. */
  readonly kv: KV;
  /** Asked on a miss, and for everything while no watch is up: same answers, one HTTP hop. */
  readonly fallback: FunctionResolver;
  /** A disconnect drops the cache at once: events missed meanwhile must not leave it stale. */
  readonly nc?: NatsConnection;
  readonly logger: Logger;
  readonly retryMs?: number;
}

const keyOf = (userId: string, name: string): string => `${userId}.${name}`;
/** Usernames are unique regardless of case: the route matches any case. */
const routeOf = (owner: string, name: string): string => `${owner.toLowerCase()}/${name}`;

/**
 * Function definitions kept current by a watch on the `functions` bucket, so a submit needs no
 * registry hop. Every entry is the latest one the watch delivered for its key: an update or delete
 * is seen by every lookup after its event arrived. A miss (a function created moments ago) asks the
 * registry, which also gives the registry's own 404. While the watch is down (a NATS disconnect or
 * a failed consumer) the cache is empty and every lookup goes to the registry, until a new watch
 * replays the bucket.
 */
export function createFunctionCache(options: FunctionCacheOptions): FunctionCache {
  const { kv, fallback, logger } = options;
  const retryMs = options.retryMs ?? 250;
  const entries = new Map<string, FunctionDefinition>();
  /** HTTP functions by route, pointing at their `entries` key. */
  const routes = new Map<string, string>();
  const forget = (key: string): void => {
    const old = entries.get(key);
    if (old?.http && old.owner) routes.delete(routeOf(old.owner, old.name));
    entries.delete(key);
  };
  /** False between a failure and the next watch: entries still in flight from a dead watch are ignored. */
  let up = false;
  let stopped = false;

  const apply = (entry: KvEntry): void => {
    if (!up) return;
    forget(entry.key);
    if (entry.operation !== 'PUT') return;
    try {
      const fn = entry.json<FunctionDefinition>();
      entries.set(entry.key, fn);
      if (fn.http && fn.owner) routes.set(routeOf(fn.owner, fn.name), entry.key);
    } catch (err) {
      // Unreadable: never serve an older value for this key; the registry answers instead.
      logger.warn({ err, key: entry.key }, 'unreadable function definition in the watch');
    }
  };
  const drop = (): void => {
    up = false;
    entries.clear();
    routes.clear();
  };
  const follower = followBucket(kv, apply, {
    what: 'function watch (the registry answers until it is back)',
    logger,
    onUp: () => {
      drop();
      up = !stopped;
    },
    onDown: drop,
    retryMs,
    maxRetryMs: MAX_RETRY_MS,
  });

  async function followConnection(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (stopped) break;
      if (status.type === 'disconnect') {
        drop();
        follower.interrupt();
      }
      // Back off, but follow again at once when the connection comes back.
      if (status.type === 'reconnect') follower.wake();
    }
  }
  if (options.nc) void followConnection(options.nc);

  return {
    async getFunction(name: string, caller: CallerContext) {
      const userId = caller.principal.id;
      const hit = USER_ID_PATTERN.test(userId) ? entries.get(keyOf(userId, name)) : undefined;
      if (hit && hit.userId === userId && hit.name === name) return hit;
      return fallback.getFunction(name, caller);
    },
    peek: (userId, name) => entries.get(keyOf(userId, name)),
    httpFunction(owner, name) {
      const key = routes.get(routeOf(owner, name));
      return key === undefined ? undefined : entries.get(key);
    },
    initialized: () => up && follower.initialized(),
    stop() {
      stopped = true;
      follower.stop();
      drop();
    },
  };
}
