import { NotFoundError, chargeOf, locateUserObject, objectKey, type ObjectUsageLedger, type UsageLimits, type UserObjectBuckets } from '@faas/common';
import type { InputFile, ObjectFiles } from '../domain/ports.js';

export interface OutputQuota {
  readonly usage: ObjectUsageLedger;
  readonly limits: UsageLimits;
}

/**
 * The spawner's side of the object store: the users' uploads (and earlier outputs) in, outputs
 * out. Each output is charged to its owner's storage before it is stored (a TooLargeError when
 * it would pass the quota: the collection stops there) and given back if it cannot be stored.
 */
export function bucketObjectFiles(buckets: UserObjectBuckets, quota: OutputQuota): ObjectFiles {
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
        const kind = { outputsAt: Date.now() };
        const charge = await quota.usage.reserve(userId, { bytes: chargeOf(size), objects: 1 }, kind, quota.limits);
        try {
          await buckets.outputs.put(objectKey(userId, `${executionId}/${path}`), data, { contentType: 'application/octet-stream', maxBytes: size, expectedBytes: size });
        } catch (err) {
          await quota.usage.release(userId, charge, kind);
          throw err;
        }
      };
    },
  };
}
