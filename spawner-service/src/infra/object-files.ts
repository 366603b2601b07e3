import { NotFoundError, OUTPUTS_PREFIX, objectKey, type ObjectBucket } from '@faas/common';
import type { InputFile, ObjectFiles } from '../domain/ports.js';

/** The spawner's side of the object store: the users' uploads (and earlier outputs) in, outputs out. */
export function bucketObjectFiles(buckets: { readonly uploads: ObjectBucket; readonly outputs: ObjectBucket }): ObjectFiles {
  function locate(userId: string, name: string): { bucket: ObjectBucket; key: string } {
    return name.startsWith(OUTPUTS_PREFIX)
      ? { bucket: buckets.outputs, key: objectKey(userId, name.slice(OUTPUTS_PREFIX.length)) }
      : { bucket: buckets.uploads, key: objectKey(userId, name) };
  }
  return {
    async inputs(userId, names) {
      const found: InputFile[] = [];
      for (const name of names) {
        const { bucket, key } = locate(userId, name);
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
