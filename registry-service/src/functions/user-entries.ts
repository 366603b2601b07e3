import { conflictOnRace, retryPassing, type KeyLister } from '@faas/common';
import type { KV } from 'nats';

/** One user's named JSON entry and its KV revision (for compare-and-set; not the entry's own revision). */
export interface StoredEntry<T> {
  readonly value: T;
  readonly kvRevision: number;
}

/**
 * A bucket of named JSON entries per user, keyed `<userId>.<name>` (functions, triggers). Writes are
 * revision-checked, and a lost race is a ConflictError saying which `noun` it was about.
 */
export interface UserEntries<T> {
  /** ConflictError when the user already has an entry of that name. */
  create(userId: string, name: string, value: T): Promise<void>;
  get(userId: string, name: string): Promise<StoredEntry<T> | undefined>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  update(userId: string, name: string, value: T, kvRevision: number): Promise<void>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  remove(userId: string, name: string, kvRevision: number): Promise<void>;
  /** The user's entry names, in no particular order, as the stream's leader has them (a cap counts them). */
  names(userId: string): Promise<string[]>;
}

const keyOf = (userId: string, name: string): string => `${userId}.${name}`;

export function userEntries<T>(kv: KV, noun: string, listKeys: KeyLister): UserEntries<T> {
  return {
    async create(userId, name, value) {
      await conflictOnRace(() => kv.create(keyOf(userId, name), JSON.stringify(value)), `${noun} ${name} already exists`);
    },
    async get(userId, name) {
      // Reads are safe to repeat: a leader election (node loss) is retried before it becomes a 503.
      const entry = await retryPassing(() => kv.get(keyOf(userId, name)));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return { value: entry.json<T>(), kvRevision: entry.revision };
    },
    async update(userId, name, value, kvRevision) {
      await conflictOnRace(() => kv.update(keyOf(userId, name), JSON.stringify(value), kvRevision), `${noun} ${name} was changed meanwhile`);
    },
    async remove(userId, name, kvRevision) {
      await conflictOnRace(() => kv.delete(keyOf(userId, name), { previousSeq: kvRevision }), `${noun} ${name} was changed meanwhile`);
    },
    async names(userId) {
      const prefix = `${userId}.`;
      const keys = await retryPassing(() => listKeys(`${prefix}>`));
      return keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    },
  };
}
