import type { KV, ObjectStore } from 'nats';
import type { KeyLister } from './leader-keys.js';
import { retryPassing } from './retry.js';

/**
 * Which objects each user has, one KV entry per object under `<userId>.<base64url of the rest of
 * its key>`: a listing reads the user's keys only (a subject filter the server applies), never the
 * store's metadata of every user. The entry is written before the object and removed after it, so
 * the index holds every stored object (and, for a moment or after a failure, one that is not:
 * readers check each name against the store).
 */
export interface ObjectIndex {
  add(key: string): Promise<void>;
  remove(key: string): Promise<void>;
  /** The object keys (`<userId>/<rest>`) the index holds for the user, in no order. */
  keysOf(userId: string): Promise<string[]>;
}

/** `<userId>/<rest>` as the index's key; undefined for a key that names no user. */
function indexKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  return `${key.slice(0, slash)}.${Buffer.from(key.slice(slash + 1), 'utf8').toString('base64url')}`;
}

/** Set once the objects stored before the index existed are in it (backfill). */
const BACKFILLED = 'backfilled';

/** Lists through kv.keys(): any replica, which may not have the last writes yet. */
const anyReplica = (kv: KV): KeyLister => async (filter) => {
  const keys: string[] = [];
  for await (const k of await kv.keys(filter)) keys.push(k);
  return keys;
};

/** `listKeys`: how keysOf lists (default any replica; an erasure lists on the leader: leaderKeyLister). */
export function objectIndex(kv: KV, listKeys: KeyLister = anyReplica(kv)): ObjectIndex {
  return {
    async add(key) {
      const k = indexKey(key);
      if (k) await retryPassing(() => kv.put(k, ''));
    },
    async remove(key) {
      const k = indexKey(key);
      if (k) await retryPassing(() => kv.delete(k));
    },
    async keysOf(userId) {
      const prefix = `${userId}.`;
      const listed = await retryPassing(() => listKeys(`${prefix}>`));
      return listed.filter((k) => k.startsWith(prefix)).map((k) => `${userId}/${Buffer.from(k.slice(prefix.length), 'base64url').toString('utf8')}`);
    },
  };
}

/**
 * Objects stored before the index existed: listed once, by the bucket's owner, and marked done.
 * Creates only (an entry written meanwhile stays); an object deleted meanwhile is a stale entry,
 * which readers skip.
 */
export async function backfillObjectIndex(kv: KV, os: ObjectStore): Promise<number> {
  if ((await kv.get(BACKFILLED))?.operation === 'PUT') return 0;
  let added = 0;
  for (const info of await os.list()) {
    const k = info.deleted ? undefined : indexKey(info.name);
    if (!k) continue;
    await kv.create(k, '').then(() => (added += 1), () => undefined);
  }
  await kv.put(BACKFILLED, new Date().toISOString());
  return added;
}
