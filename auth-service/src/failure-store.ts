import { ELECTION_BUDGET_MS, UnavailableError, compareAndSet, retryPassing } from '@faas/common';
import type { KV, KvEntry } from 'nats';
import type { FailureRecord, FailureStore } from './login-guard.js';

/** The KV bucket of failed logins per username, shared by every auth replica. */
export const LOGIN_FAILURES_BUCKET = 'login_failures';
/** Entries outlive the longest backoff and failure window the config allows. */
export const LOGIN_FAILURES_TTL_MS = 2 * 60 * 60 * 1000;

/** A lost race retries at once: each try is one leader read and one write. */
const UPDATE_RACES = 20;

/**
 * Per username in NATS KV: a backoff holds whichever replica the next attempt reaches. `kv` must
 * read the leader (openBucket's `leaderReads`): a lagging replica's count (a failure through
 * another replica a moment ago not applied yet) let a login through a backoff. Each failure is
 * a compare-and-set on the revision read, so concurrent failures through several replicas all
 * count (a plain put let the last writer win and drop the others).
 */
export function createKvFailureStore(kv: KV): FailureStore {
  const recordOf = (entry: KvEntry | null | undefined): FailureRecord | undefined => (entry?.operation === 'PUT' ? entry.json<FailureRecord>() : undefined);
  return {
    // Every login reads here first: a leader election is waited out like the user's own read.
    get: async (key) => recordOf(await retryPassing(() => kv.get(key), { budgetMs: ELECTION_BUDGET_MS })),
    async update(key, next) {
      let written: FailureRecord | undefined;
      await compareAndSet(kv, key, (live) => JSON.stringify((written = next(recordOf(live)))), {
        races: UPDATE_RACES,
        tooMany: () => new UnavailableError('failed logins are being counted too fast; retry'),
      });
      return written as FailureRecord;
    },
    async clear(key) {
      await retryPassing(() => kv.purge(key), { budgetMs: ELECTION_BUDGET_MS });
    },
  };
}

/**
 * Per address, in this process: addresses are many and churn, and the edge (APISIX) already
 * limits each address across replicas. Bounded: the oldest entry goes first.
 */
export function createMemoryFailureStore(maxEntries = 100_000): FailureStore {
  const records = new Map<string, FailureRecord>();
  return {
    get: (key) => Promise.resolve(records.get(key)),
    update(key, next) {
      const record = next(records.get(key));
      records.delete(key);
      records.set(key, record);
      if (records.size > maxEntries) records.delete(records.keys().next().value ?? '');
      return Promise.resolve(record);
    },
    clear(key) {
      records.delete(key);
      return Promise.resolve();
    },
  };
}
