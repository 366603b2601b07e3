import { QuotaError, UnavailableError, isWrongLastSequence } from '@faas/common';
import type { KV } from 'nats';

/** Execution id -> epoch ms after which the hold is considered stale. */
type Holds = Record<string, number>;

export interface QuotaStore {
  /** Takes one slot for the execution, or throws QuotaError when the user is at the limit. */
  acquire(userId: string, executionId: string): Promise<void>;
  release(userId: string, executionId: string): Promise<void>;
}

export interface QuotaOptions {
  readonly maxConcurrent: number;
  /** A user's own limit (an admin's override), when they have one. */
  readonly overrideFor?: (userId: string) => number | undefined;
  readonly holdMaxMs: number;
  /** True when the execution no longer needs a slot (final or gone): lets a full quota heal itself. */
  readonly isSettled: (executionId: string) => Promise<boolean>;
}

const MAX_CAS_ATTEMPTS = 20;

/**
 * Per-user holds in one KV entry, changed only by revision-checked writes, so concurrent
 * publishers can never overshoot. A crashed publisher or spawner cannot leak a slot forever:
 * when a user is at the limit, holds whose executions are final are dropped, and any hold
 * expires after `holdMaxMs` regardless.
 */
export function createQuotaStore(kv: KV, options: QuotaOptions): QuotaStore {
  const read = async (userId: string): Promise<{ holds: Holds; revision: number }> => {
    const entry = await kv.get(userId);
    if (!entry || entry.operation !== 'PUT') return { holds: {}, revision: entry?.revision ?? 0 };
    return { holds: entry.json<Holds>(), revision: entry.revision };
  };
  const write = async (userId: string, holds: Holds, revision: number): Promise<boolean> => {
    try {
      if (revision === 0) await kv.create(userId, JSON.stringify(holds));
      else await kv.update(userId, JSON.stringify(holds), revision);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      throw err;
    }
  };
  const limitFor = (userId: string): number => options.overrideFor?.(userId) ?? options.maxConcurrent;
  const reconcile = async (holds: Holds, limit: number): Promise<Holds> => {
    const now = Date.now();
    const live = Object.entries(holds).filter(([, expires]) => expires > now);
    if (live.length < limit) return Object.fromEntries(live);
    const settled = await Promise.all(live.map(([id]) => options.isSettled(id)));
    return Object.fromEntries(live.filter((_, i) => !settled[i]));
  };
  const change = async (userId: string, mutate: (holds: Holds) => Promise<Holds | undefined>): Promise<void> => {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { holds, revision } = await read(userId);
      const next = await mutate(holds);
      if (!next || (await write(userId, next, revision))) return;
      // Lost the race: a random pause spreads the retries of writers that lost together.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
    throw new UnavailableError('quota store is too contended, try again');
  };
  return {
    acquire: (userId, executionId) =>
      change(userId, async (holds) => {
        const limit = limitFor(userId);
        const live = await reconcile(holds, limit);
        if (Object.keys(live).length >= limit) {
          throw new QuotaError(`at most ${limit} executions may be queued or running at once`);
        }
        return { ...live, [executionId]: Date.now() + options.holdMaxMs };
      }),
    release: (userId, executionId) =>
      change(userId, async (holds) => {
        if (!(executionId in holds)) return undefined;
        const { [executionId]: _released, ...rest } = holds;
        return rest;
      }),
  };
}
