import { BUCKETS, NotFoundError, locateUserObject, openObjectBucket, type UserObjectBuckets } from '@faas/common';
import type { NatsConnection } from 'nats';

/** Throws NotFoundError (404) naming the first of the caller's inputs that does not exist. */
export type InputCheck = (userId: string, names: readonly string[]) => Promise<void>;

export function inputCheck(buckets: UserObjectBuckets): InputCheck {
  return async (userId, names) => {
    for (const name of names) {
      const { bucket, key } = locateUserObject(buckets, userId, name);
      if (!(await bucket.info(key))) throw new NotFoundError(`input object ${name} not found`);
    }
  };
}

/** The buckets the registry serves objects from (the outputs one expires with the records). */
export async function connectInputCheck(nc: NatsConnection, replicas: number, executionTtlMs: number): Promise<InputCheck> {
  const [uploads, outputs] = await Promise.all([
    openObjectBucket(nc, BUCKETS.objects, { replicas }),
    openObjectBucket(nc, BUCKETS.outputs, { replicas, ttlMs: executionTtlMs }),
  ]);
  return inputCheck({ uploads, outputs });
}
