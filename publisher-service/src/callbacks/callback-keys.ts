import { randomBytes } from 'node:crypto';
import {
  isWrongLastSequence,
  openSecret,
  sealSecret,
  SecretUnreadableError,
  UnavailableError,
  type SealedSecret,
  type SecretKeyring,
  type SecretOwner,
} from '@faas/common';
import type { KV } from 'nats';

/** A user's callback signing key, as the API shows it to its owner. */
export interface CallbackKey {
  readonly key: string;
  readonly createdAt: string;
}

interface StoredKey {
  readonly sealed: SealedSecret;
  readonly createdAt: string;
}

export interface CallbackKeys {
  /** The user's key, made on first use; undefined when the platform has no SECRETS_KEY_FILE (callbacks go unsigned). */
  signingKey(userId: string): Promise<string | undefined>;
  /** The user's key (made on first use) for the user to read; 503 without SECRETS_KEY_FILE. */
  reveal(userId: string): Promise<CallbackKey>;
  /** Replaces the key: callbacks from now on are signed with the new one. */
  rotate(userId: string): Promise<CallbackKey>;
}

/** The sealed value is bound to its owner and to its own kind, so it cannot be moved to another user or open as a secret. */
const sealedAs = (userId: string): SecretOwner => ({ userId, name: 'CALLBACK_KEY', kind: 'callback-key' });
/** How keys made before callback keys had their own kind were sealed: as the secret CALLBACK_KEY. */
const legacySealedAs = (userId: string): SecretOwner => ({ userId, name: 'CALLBACK_KEY' });

/** KV `callback-keys`, keyed by user id; the key itself is sealed with the secrets keyring (AES-256-GCM). */
export function createCallbackKeys(kv: KV, keyring: SecretKeyring | undefined): CallbackKeys {
  const fresh = (userId: string, ring: SecretKeyring): { stored: StoredKey; key: string } => {
    const key = randomBytes(32).toString('base64url');
    return { key, stored: { sealed: sealSecret(ring, sealedAs(userId), key), createdAt: new Date().toISOString() } };
  };
  const read = async (userId: string, ring: SecretKeyring): Promise<CallbackKey | undefined> => {
    const entry = await kv.get(userId);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const stored = entry.json<StoredKey>();
    try {
      return { key: openSecret(ring, sealedAs(userId), stored.sealed), createdAt: stored.createdAt };
    } catch (err) {
      if (!(err instanceof SecretUnreadableError)) throw err;
      const key = openSecret(ring, legacySealedAs(userId), stored.sealed); // throws when it is neither
      await resealLegacy(userId, ring, { key, createdAt: stored.createdAt }, entry.revision);
      return { key, createdAt: stored.createdAt };
    }
  };
  // Migration: a key sealed the old way is sealed again under its own kind on its first read;
  // losing the race to a rotation or another reader is fine (theirs is as good).
  const resealLegacy = async (userId: string, ring: SecretKeyring, found: CallbackKey, revision: number): Promise<void> => {
    const stored: StoredKey = { sealed: sealSecret(ring, sealedAs(userId), found.key), createdAt: found.createdAt };
    await kv.update(userId, JSON.stringify(stored), revision).catch((err: unknown) => {
      if (!isWrongLastSequence(err)) throw err;
    });
  };
  const ring = (): SecretKeyring => {
    if (!keyring) throw new UnavailableError('callback signing is not configured on this platform (SECRETS_KEY_FILE is not set)');
    return keyring;
  };
  const reveal = async (userId: string): Promise<CallbackKey> => {
    const existing = await read(userId, ring());
    if (existing) return existing;
    const made = fresh(userId, ring());
    try {
      await kv.create(userId, JSON.stringify(made.stored));
      return { key: made.key, createdAt: made.stored.createdAt };
    } catch (err) {
      // Another request made it first: theirs is the key.
      const theirs = isWrongLastSequence(err) ? await read(userId, ring()) : undefined;
      if (!theirs) throw err;
      return theirs;
    }
  };
  return {
    signingKey: async (userId) => (keyring ? (await reveal(userId)).key : undefined),
    reveal,
    async rotate(userId) {
      const made = fresh(userId, ring());
      await kv.put(userId, JSON.stringify(made.stored));
      return { key: made.key, createdAt: made.stored.createdAt };
    },
  };
}
