import { NotFoundError, locateUserObject, objectKey, type UserObjectBuckets } from '@faas/common';
import type { InputFile, ObjectFiles } from '../domain/ports.js';

/** The spawner's side of the object store: the users' uploads (and earlier outputs) in, outputs out. */
export function bucketObjectFiles(buckets: UserObjectBuckets): ObjectFiles {
  return {
    async inputs(userId, names) {
      const found: InputFile[] = [];
      for (const name of names) {
        const { bucket, key } = locateUserObject(buckets, userId, name);
        const object = await bucket.info(key);
        if (!object) throw new NotFoundError(`object ${name} not found`);
        found.push({ name, size: object.size, open: () => bucket.read(object) });
      }
      return found;
    },
    outputSink(userId, executionId) {
      return async (path, size, data) => {
        await buckets.outputs.put(objectKey(userId, `${executionId}/${path}`), data, { contentType: 'application/octet-stream', maxBytes: size });
      };
    },
  };
}
