import { BUCKETS, leaderKeyLister, objectIndex, streamExists } from '@faas/common';
import type { NatsConnection } from 'nats';

/** A stream that was never made holds nothing of anyone's; binding must not create it. */
async function exists(nc: NatsConnection, stream: string): Promise<boolean> {
  return streamExists(await nc.jetstreamManager({ timeout: 10_000 }), stream);
}

const STORES = [
  { store: BUCKETS.objects, index: BUCKETS.objectIndex },
  { store: BUCKETS.outputs, index: BUCKETS.outputIndex },
] as const;

/**
 * Deletes every object stored under `<userId>/` in the uploads and outputs buckets (chunks
 * purged, the metadata left as a deletion marker), found through the per-user index (never a
 * listing of every user's objects), then the user's index entries and storage usage entry.
 * Returns how many objects went.
 */
export async function eraseUserObjects(nc: NatsConnection, userId: string): Promise<number> {
  const js = nc.jetstream({ timeout: 10_000 });
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  let erased = 0;
  for (const { store, index } of STORES) {
    if (!(await exists(nc, `OBJ_${store}`)) || !(await exists(nc, `KV_${index}`))) continue;
    const os = await js.views.os(store);
    for (const key of await objectIndex(await js.views.kv(index, { bindOnly: true }), leaderKeyLister(nc, index)).keysOf(userId)) {
      const info = await os.info(key);
      if (info && !info.deleted) {
        await os.delete(key);
        erased += 1;
      }
    }
    await jsm.streams.purge(`KV_${index}`, { filter: `$KV.${index}.${userId}.>` });
  }
  if (await exists(nc, `KV_${BUCKETS.objectUsage}`)) await (await js.views.kv(BUCKETS.objectUsage, { bindOnly: true })).purge(userId);
  return erased;
}
