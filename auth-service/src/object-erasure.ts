import { BUCKETS, streamExists } from '@faas/common';
import type { NatsConnection } from 'nats';

/** A stream that was never made holds nothing of anyone's; binding must not create it. */
async function exists(nc: NatsConnection, stream: string): Promise<boolean> {
  return streamExists(await nc.jetstreamManager({ timeout: 10_000 }), stream);
}

/**
 * Deletes every object stored under `<userId>/` in the uploads and outputs buckets (chunks
 * purged, the metadata left as a deletion marker), and the user's storage usage entry.
 * Returns how many objects went.
 */
export async function eraseUserObjects(nc: NatsConnection, userId: string): Promise<number> {
  const js = nc.jetstream({ timeout: 10_000 });
  let erased = 0;
  for (const bucket of [BUCKETS.objects, BUCKETS.outputs]) {
    if (!(await exists(nc, `OBJ_${bucket}`))) continue;
    const os = await js.views.os(bucket);
    const mine = (await os.list()).filter((info) => !info.deleted && info.name.startsWith(`${userId}/`));
    for (const info of mine) await os.delete(info.name);
    erased += mine.length;
  }
  if (await exists(nc, `KV_${BUCKETS.objectUsage}`)) await (await js.views.kv(BUCKETS.objectUsage, { bindOnly: true })).purge(userId);
  return erased;
}
