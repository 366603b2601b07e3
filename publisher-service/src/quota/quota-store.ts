import { QuotaError, UnavailableError, isWrongLastSequence } from '@faas/common';
import type { KV, KvEntry } from 'nats';
import { applyQuotaOps, type Holds, type QuotaOp, type QuotaRules } from './quota-ops.js';

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

export interface QuotaObserver {
  /**
   * A write to the bucket, seen by a watch: it refreshes the entry kept for a user this process
   * already knows, so the next write's guess is right even when another replica wrote last.
   */
  observe(entry: KvEntry): void;
}

export interface QuotaOptions extends QuotaRules {
  /** A user's own limit (an admin's override), when they have one. */
  readonly overrideFor?: (userId: string) => number | undefined;
}

const MAX_CAS_ATTEMPTS = 20;
/** Users whose last known entry is kept (a revision to try without reading first). */
const REMEMBERED_USERS = 10_000;

interface Pending extends QuotaOp {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Per-user holds in one KV entry, changed only by revision-checked writes, so concurrent
 * publishers can never overshoot. A crashed publisher or spawner cannot leak a slot forever:
 * when a user is at the limit, holds whose executions are final are dropped, and any hold
 * expires after `holdMaxMs` regardless.
 *
 * Inside one publisher, a user's acquires and releases queue up while a write is in flight and
 * go out together in the next write (one compare-and-set for many executions under load). The
 * entry this process last read, wrote or saw on the bucket's watch (`observe`) is tried first,
 * without a read: a stale guess is refused by its revision check and costs a read. In a stack a
 * result's release reaches any publisher replica, so without the watch the next acquire on another
 * replica paid a refused write and a read before its own. A decision that writes nothing (quota
 * full, hold already gone) is only taken on a fresh read.
 */
export function createQuotaStore(kv: KV, options: QuotaOptions): QuotaStore & QuotaObserver {
  const known = new Map<string, QuotaState>();
  const queued = new Map<string, Pending[]>();
  const remember = (userId: string, state: QuotaState): QuotaState => {
    known.delete(userId);
    known.set(userId, state);
    if (known.size > REMEMBERED_USERS) known.delete(known.keys().next().value ?? userId);
    return state;
  };
  const stateOf = (entry: KvEntry): QuotaState => ({ holds: entry.operation === 'PUT' ? entry.json<Holds>() : {}, revision: entry.revision });
  const read = async (userId: string): Promise<QuotaState> => {
    const entry = await kv.get(userId);
    return remember(userId, entry ? stateOf(entry) : { holds: {}, revision: 0 });
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

  /** One compare-and-set for a batch; each operation's own outcome (granted or refused) settles it. */
  async function apply(userId: string, batch: readonly Pending[]): Promise<void> {
    const rules: QuotaRules = { ...options, maxConcurrent: options.overrideFor?.(userId) ?? options.maxConcurrent };
    const guess = known.get(userId);
    let state = guess ?? (await read(userId));
    let fresh = guess === undefined;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const result = await applyQuotaOps(state.holds, batch, rules);
      if (fresh || result.certain) {
        const written = result.changed ? await write(userId, result.holds, state.revision) : state.revision;
        if (written !== undefined) {
          if (result.changed) remember(userId, { holds: result.holds, revision: written });
          batch.forEach((op, i) => (result.refused[i] ? op.reject(quotaFull(rules)) : op.resolve()));
          return;
        }
      }
      state = await read(userId);
      fresh = true;
    }
    throw new UnavailableError('quota store is too contended, try again');
  }

  async function drain(userId: string): Promise<void> {
    for (let batch = queued.get(userId); batch?.length; batch = queued.get(userId)) {
      // Operations arriving from now on wait for the next write.
      queued.set(userId, []);
      await apply(userId, batch).catch((err: unknown) => batch?.forEach((op) => op.reject(err)));
    }
    queued.delete(userId);
  }

  const enqueue = (userId: string, op: QuotaOp): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const waiting = queued.get(userId);
      if (waiting) return void waiting.push({ ...op, resolve, reject });
      queued.set(userId, [{ ...op, resolve, reject }]);
      void drain(userId);
    });

  return {
    acquire: (userId, executionId) => enqueue(userId, { kind: 'acquire', executionId }),
    release: (userId, executionId) => enqueue(userId, { kind: 'release', executionId }),
    observe(entry) {
      const kept = known.get(entry.key);
      // Only users this process works for, and never back to an older revision than it wrote.
      if (!kept || entry.revision <= kept.revision) return;
      try {
        remember(entry.key, stateOf(entry));
      } catch {
        known.delete(entry.key); // unreadable: the next write reads first
      }
    },
  };
}

const quotaFull = (options: QuotaRules): QuotaError =>
  new QuotaError(`at most ${options.maxConcurrent} executions may be queued or running at once`);
