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

export function createExecutionIndex(kv: KV): ExecutionIndex {
  return {
    async add(userId, executionId, entry) {
      await kv.put(`${userId}.${executionId}`, JSON.stringify(entry));
    },
    async get(userId, executionId) {
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
