import { ConflictError, ELECTION_BUDGET_MS, USERNAME_PATTERN, isWrongLastSequence, retryPassing } from '@faas/common';
import type { KV } from 'nats';

export interface StoredUser {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly role: string;
  readonly createdAt: string;
  readonly disabled?: boolean;
  /** Tokens carry the generation they were issued under; raising it revokes the older ones. */
  readonly tokenGeneration?: number;
  /** Admin override of the publisher's per-user concurrency limit. */
  readonly maxConcurrent?: number;
}

export interface VersionedUser {
  readonly user: StoredUser;
  /** The KV revision, for compare-and-set. */
  readonly revision: number;
}

export interface UserStore {
  /** Fails with ConflictError when the username (in any letter case) is taken. */
  create(user: StoredUser): Promise<void>;
  find(username: string): Promise<StoredUser | undefined>;
  get(username: string): Promise<VersionedUser | undefined>;
  /** ConflictError when the entry changed since `revision` was read. */
  update(user: StoredUser, revision: number): Promise<void>;
  /** Every key (the lower-cased usernames), in no particular order. */
  keys(): Promise<string[]>;
  remove(username: string): Promise<void>;
}

/** Usernames are unique regardless of case: the key is the lower-cased name. */
const keyOf = (username: string): string => username.toLowerCase();

export function createUserStore(kv: KV): UserStore {
  const get = async (username: string): Promise<VersionedUser | undefined> => {
    // A name registration would refuse has no user, and may not even be a valid KV key ('a.b', '*', ' ').
    if (!USERNAME_PATTERN.test(username)) return undefined;
    // A read is safe to repeat: a leader election (node loss) is waited out before it becomes a
    // 503, as the publisher's submit does (one round can take 18 s; the proof's node loss met a
    // login answering 503 at 10 s, stop 36).
    const entry = await retryPassing(() => kv.get(keyOf(username)), { budgetMs: ELECTION_BUDGET_MS });
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { user: entry.json<StoredUser>(), revision: entry.revision };
  };
  return {
    async create(user) {
      try {
        await kv.create(keyOf(user.username), JSON.stringify(user));
      } catch (err) {
        if (isWrongLastSequence(err)) throw new ConflictError('username is already taken', { cause: err });
        throw err;
      }
    },
    find: async (username) => (await get(username))?.user,
    get,
    async update(user, revision) {
      try {
        await kv.update(keyOf(user.username), JSON.stringify(user), revision);
      } catch (err) {
        if (isWrongLastSequence(err)) throw new ConflictError(`user ${user.username} was changed meanwhile; try again`, { cause: err });
        throw err;
      }
    },
    async keys() {
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      // The bucket also holds the admin lock (admin-lock.ts), under a key no username can take.
      return keys.filter((key) => USERNAME_PATTERN.test(key));
    },
    remove: (username) => kv.purge(keyOf(username)),
  };
}
