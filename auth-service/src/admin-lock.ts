import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { UnavailableError, isWrongLastSequence } from '@faas/common';
import type { KV } from 'nats';

/**
 * Serialises the changes that can take an admin away (disable, delete): "is another admin left?"
 * and the write that follows are one step for every auth replica. Without it two admins disabling
 * each other at once each saw the other enabled, and both were disabled.
 */
export interface AdminLock {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** In `users`, under a key no username can take (usernames have no dot). */
const ADMIN_LOCK_KEY = 'lock.admin-changes';
/** A holder that died is replaced after this long; a change takes a few KV round trips. */
const STALE_AFTER_MS = 15_000;
const WAIT_MS = 10_000;

interface Holder {
  readonly holder: string;
  readonly at: number;
}

/** Takes the lock with one revision-checked write (create, or replace a released or stale holder). */
async function tryTake(kv: KV, me: string): Promise<number | undefined> {
  const value = JSON.stringify({ holder: me, at: Date.now() } satisfies Holder);
  const entry = await kv.get(ADMIN_LOCK_KEY);
  const free = !entry || entry.operation !== 'PUT' || Date.now() - entry.json<Holder>().at > STALE_AFTER_MS;
  if (!free) return undefined;
  try {
    return entry ? await kv.update(ADMIN_LOCK_KEY, value, entry.revision) : await kv.create(ADMIN_LOCK_KEY, value);
  } catch (err) {
    if (isWrongLastSequence(err)) return undefined;
    throw err;
  }
}

/** `kv` must read from the stream's leader (auth opens `users` so): a stale replica could show the lock free. */
export function createKvAdminLock(kv: KV): AdminLock {
  return {
    async run(work) {
      const me = randomUUID();
      const deadline = Date.now() + WAIT_MS;
      let revision: number | undefined;
      while ((revision = await tryTake(kv, me)) === undefined) {
        if (Date.now() > deadline) throw new UnavailableError('another admin change is in progress; try again');
        await delay(20 + Math.random() * 80);
      }
      try {
        return await work();
      } finally {
        // Revision-checked: a holder that was presumed dead and replaced does not release the new one.
        await kv.delete(ADMIN_LOCK_KEY, { previousSeq: revision }).catch(() => undefined);
      }
    },
  };
}
