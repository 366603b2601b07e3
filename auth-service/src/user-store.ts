import { ConflictError, USERNAME_PATTERN, isWrongLastSequence } from '@faas/common';
import type { KV } from 'nats';

export interface StoredUser {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly role: string;
  readonly createdAt: string;
}

export interface UserStore {
  /** Fails with ConflictError when the username (in any letter case) is taken. */
  create(user: StoredUser): Promise<void>;
  find(username: string): Promise<StoredUser | undefined>;
}

/** Usernames are unique regardless of case: the key is the lower-cased name. */
const keyOf = (username: string): string => username.toLowerCase();

export function createUserStore(kv: KV): UserStore {
  return {
    async create(user) {
      try {
        await kv.create(keyOf(user.username), JSON.stringify(user));
      } catch (err) {
        if (isWrongLastSequence(err)) throw new ConflictError('username is already taken', { cause: err });
        throw err;
      }
    },
    async find(username) {
      // A name registration would refuse has no user, and may not even be a valid KV key ('a.b', '*', ' ').
      if (!USERNAME_PATTERN.test(username)) return undefined;
      const entry = await kv.get(keyOf(username));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return entry.json<StoredUser>();
    },
  };
}
