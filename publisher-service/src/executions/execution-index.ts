import type { KV } from 'nats';

export interface IndexEntry {
  readonly function: string;
  readonly callbackUrl?: string;
}

/** Per-user index `<userId>.<executionId>`: lists a user's executions without scanning everyone's. */
export interface ExecutionIndex {
  add(userId: string, executionId: string, entry: IndexEntry): Promise<void>;
  get(userId: string, executionId: string): Promise<IndexEntry | undefined>;
  /** The user's execution ids, newest first (ids are UUIDv7, so key order is time order). */
  ids(userId: string): Promise<string[]>;
}

/** Entries this process wrote, remembered for the result handler; older ones are read from KV. */
const REMEMBERED = 10_000;

/**
 * Entries are written once and never change, so the ones this process added are answered from
 * memory: the result handler of an execution accepted here reads no KV to find its callback.
 */
export function createExecutionIndex(kv: KV): ExecutionIndex {
  const recent = new Map<string, IndexEntry>();
  const remember = (key: string, entry: IndexEntry): void => {
    recent.set(key, entry);
    if (recent.size > REMEMBERED) recent.delete(recent.keys().next().value ?? key);
  };
  return {
    async add(userId, executionId, entry) {
      const key = `${userId}.${executionId}`;
      await kv.put(key, JSON.stringify(entry));
      remember(key, entry);
    },
    async get(userId, executionId) {
      const remembered = recent.get(`${userId}.${executionId}`);
      if (remembered) return remembered;
      const entry = await kv.get(`${userId}.${executionId}`);
      return entry && entry.operation === 'PUT' ? entry.json<IndexEntry>() : undefined;
    },
    async ids(userId) {
      const prefix = `${userId}.`;
      const ids: string[] = [];
      for await (const key of await kv.keys(`${prefix}>`)) ids.push(key.slice(prefix.length));
      return ids.sort().reverse();
    },
  };
}
