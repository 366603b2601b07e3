import type { KV } from 'nats';
import type { FailureRecord, FailureStore } from './login-guard.js';

/** The KV bucket of failed logins per username, shared by every auth replica. */
export const LOGIN_FAILURES_BUCKET = 'login_failures';
/** Entries outlive the longest backoff and failure window the config allows. */
export const LOGIN_FAILURES_TTL_MS = 2 * 60 * 60 * 1000;

/** Per username in NATS KV: a backoff holds whichever replica the next attempt reaches. Last write wins. */
export function createKvFailureStore(kv: KV): FailureStore {
  return {
    async get(key) {
      const entry = await kv.get(key);
      return entry && entry.operation === 'PUT' ? entry.json<FailureRecord>() : undefined;
    },
    async put(key, record) {
      await kv.put(key, JSON.stringify(record));
    },
    async clear(key) {
      await kv.purge(key);
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
    put(key, record) {
      records.delete(key);
      records.set(key, record);
      if (records.size > maxEntries) records.delete(records.keys().next().value ?? '');
      return Promise.resolve();
    },
    clear(key) {
      records.delete(key);
      return Promise.resolve();
    },
  };
}
