import { conflictOnRace, retryPassing, type KeyLister, type SealedSecret } from '@faas/common';
import type { KV } from 'nats';

/** What the API shows of a secret: never its value. */
export interface SecretMetadata {
  readonly name: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StoredSecret extends SecretMetadata {
  readonly sealed: SealedSecret;
}

/** KV `secrets`, keyed `<userId>.<NAME>`; values are sealed before they get here. */
export interface SecretStore {
  /** ConflictError when the user already has a secret of that name. */
  create(userId: string, secret: StoredSecret): Promise<void>;
  get(userId: string, name: string): Promise<{ secret: StoredSecret; kvRevision: number } | undefined>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  update(userId: string, secret: StoredSecret, kvRevision: number): Promise<void>;
  remove(userId: string, name: string): Promise<void>;
  names(userId: string): Promise<string[]>;
}

const keyOf = (userId: string, name: string): string => `${userId}.${name}`;

export function createSecretStore(kv: KV, listKeys: KeyLister): SecretStore {
  return {
    async create(userId, secret) {
      await conflictOnRace(() => kv.create(keyOf(userId, secret.name), JSON.stringify(secret)), `secret ${secret.name} already exists`);
    },
    async get(userId, name) {
      const entry = await kv.get(keyOf(userId, name));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return { secret: entry.json<StoredSecret>(), kvRevision: entry.revision };
    },
    async update(userId, secret, kvRevision) {
      await conflictOnRace(() => kv.update(keyOf(userId, secret.name), JSON.stringify(secret), kvRevision), `secret ${secret.name} was changed meanwhile`);
    },
    // Purge: an earlier sealed value must not linger in the bucket's history.
    remove: (userId, name) => kv.purge(keyOf(userId, name)),
    async names(userId) {
      const prefix = `${userId}.`;
      const keys = await retryPassing(() => listKeys(`${prefix}>`));
      return keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    },
  };
}
