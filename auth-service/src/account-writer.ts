import type { AccountControl } from '@faas/common';
import type { KV } from 'nats';
import type { StoredUser } from './user-store.js';

/** Auth's side of KV `accounts`: what every service's watch must know about a user. */
export interface AccountWriter {
  publish(user: StoredUser): Promise<void>;
  /** The user is gone: their tokens are refused everywhere until they expire. */
  tombstone(userId: string): Promise<void>;
}

export function controlOf(user: StoredUser): AccountControl {
  return {
    disabled: user.disabled === true,
    minTokenGeneration: user.tokenGeneration ?? 0,
    ...(user.maxConcurrent !== undefined ? { maxConcurrent: user.maxConcurrent } : {}),
  };
}

export function createAccountWriter(kv: KV): AccountWriter {
  return {
    async publish(user) {
      await kv.put(user.id, JSON.stringify(controlOf(user)));
    },
    async tombstone(userId) {
      const control: AccountControl = { deleted: true, disabled: true };
      await kv.put(userId, JSON.stringify(control));
    },
  };
}
