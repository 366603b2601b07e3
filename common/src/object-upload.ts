import type { NatsConnection } from 'nats';
import type { ObjectBucket } from './object-types.js';

/** Between two flushes at most this much of an upload is in the client's outgoing buffer. */
const FLUSH_EVERY_BYTES = 1024 * 1024;

/** The upload as the store reads it: flushed every FLUSH_EVERY_BYTES, failed with tooLarge past maxBytes. */
export function cappedUpload(nc: NatsConnection, source: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: (max: number) => Error): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let total = 0;
  let sinceFlush = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sinceFlush >= FLUSH_EVERY_BYTES) {
        sinceFlush = 0;
        await nc.flush();
      }
      const next = await it.next();
      if (next.done) return controller.close();
      total += next.value.length;
      sinceFlush += next.value.length;
      if (total > maxBytes) {
        await it.return?.();
        return controller.error(tooLarge(maxBytes));
      }
      controller.enqueue(next.value);
    },
  });
}

/** A user's uploads and the executions' outputs: where a user's object name lives. */
export interface UserObjectBuckets {
  readonly uploads: ObjectBucket;
  readonly outputs: ObjectBucket;
}

/** `executions/<id>/<path>` is an output (`<userId>/<id>/<path>` in the outputs bucket); any other name an upload. */
export function locateUserObject(buckets: UserObjectBuckets, userId: string, name: string): { bucket: ObjectBucket; key: string } {
  const outputsPrefix = 'executions/';
  return name.startsWith(outputsPrefix)
    ? { bucket: buckets.outputs, key: `${userId}/${name.slice(outputsPrefix.length)}` }
    : { bucket: buckets.uploads, key: `${userId}/${name}` };
}
