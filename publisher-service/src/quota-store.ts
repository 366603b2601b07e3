import { QuotaError, UnavailableError, isWrongLastSequence } from '@faas/common';
import type { KV } from 'nats';
import { createSerialQueue } from './serial-queue.js';

/** Execution id -> epoch ms after which the hold is considered stale. */
type Holds = Record<string, number>;

interface QuotaState {
  readonly holds: Holds;
  /** KV revision of the entry; 0 when it does not exist. */
  readonly revision: number;
}

export interface QuotaStore {
  /** Takes one slot for the execution, or throws QuotaError when the user is at the limit. */
  acquire(userId: string, executionId: string): Promise<void>;
  release(userId: string, executionId: string): Promise<void>;
}

export interface QuotaOptions {
  readonly maxConcurrent: number;
  readonly holdMaxMs: number;
  /** True when the execution no longer needs a slot (final or gone): lets a full quota heal itself. */
  readonly isSettled: (executionId: string) => Promise<boolean>;
}

const MAX_CAS_ATTEMPTS = 20;
/** Users whose last known entry is kept (a revision to try without reading first). */
const REMEMBERED_USERS = 10_000;

/**
 * Per-user holds in one KV entry, changed only by revision-checked writes, so concurrent
 * publishers can never overshoot. A crashed publisher or spawner cannot leak a slot forever:
 * when a user is at the limit, holds whose executions are final are dropped, and any hold
 * expires after `holdMaxMs` regardless.
 *
 * The entry this process last read or wrote is tried first, without a read: the write is still
 * checked against its revision, so a stale guess costs one refused write and a read. A decision
 * that writes nothing (quota full, hold already gone) is only taken on a fresh read. Changes for
 * one user are serialised inside this process, so its own acquires and releases never collide.
 */
export function createQuotaStore(kv: KV, options: QuotaOptions): QuotaStore {
  const known = new Map<string, QuotaState>();
  const serial = createSerialQueue();
  const remember = (userId: string, state: QuotaState): QuotaState => {
    known.delete(userId);
    known.set(userId, state);
    if (known.size > REMEMBERED_USERS) known.delete(known.keys().next().value ?? userId);
    return state;
  };
  const read = async (userId: string): Promise<QuotaState> => {
    const entry = await kv.get(userId);
    if (!entry || entry.operation !== 'PUT') return remember(userId, { holds: {}, revision: entry?.revision ?? 0 });
    return remember(userId, { holds: entry.json<Holds>(), revision: entry.revision });
  };
  /** The new revision, or undefined when someone else wrote first. */
  const write = async (userId: string, holds: Holds, revision: number): Promise<number | undefined> => {
    try {
      return revision === 0 ? await kv.create(userId, JSON.stringify(holds)) : await kv.update(userId, JSON.stringify(holds), revision);
    } catch (err) {
      if (isWrongLastSequence(err)) return undefined;
      throw err;
    }
  };
  const reconcile = async (holds: Holds): Promise<Holds> => {
    const now = Date.now();
    const live = Object.entries(holds).filter(([, expires]) => expires > now);
    if (live.length < options.maxConcurrent) return Object.fromEntries(live);
    const settled = await Promise.all(live.map(([id]) => options.isSettled(id)));
    return Object.fromEntries(live.filter((_, i) => !settled[i]));
  };
  const change = (userId: string, mutate: (holds: Holds) => Promise<Holds | undefined>): Promise<void> =>
    serial.run(userId, async () => {
      const guess = known.get(userId);
      let state = guess ?? (await read(userId));
      let fresh = guess === undefined;
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const next = await mutate(state.holds).catch(async (err: unknown) => {
          if (fresh) throw err;
          return null;
        });
        if (next === undefined && fresh) return;
        if (next) {
          const revision = await write(userId, next, state.revision);
          if (revision !== undefined) return void remember(userId, { holds: next, revision });
        }
        state = await read(userId);
        fresh = true;
      }
      throw new UnavailableError('quota store is too contended, try again');
    });
  return {
    acquire: (userId, executionId) =>
      change(userId, async (holds) => {
        const live = await reconcile(holds);
        if (Object.keys(live).length >= options.maxConcurrent) {
          throw new QuotaError(`at most ${options.maxConcurrent} executions may be queued or running at once`);
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
