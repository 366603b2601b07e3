import { BUCKETS, UnavailableError, retryPassing, type FunctionDefinition } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import type { FunctionSource } from '../domain/authoritative-request.js';

/**
 * Reads definitions from the `functions` bucket (`<userId>.<name>`). Binds only, on first use: the
 * registry creates the bucket. A bucket not reachable yet is a passing fault (the delivery is retried).
 * Reads go to the stream's leader (as openBucket's do): a lagging replica could answer an old image.
 */
export function kvFunctionSource(nc: NatsConnection): FunctionSource {
  let bucket: Promise<KV> | undefined;
  return {
    async get(userId, name) {
      bucket ??= nc.jetstream({ timeout: 10_000 }).views.kv(BUCKETS.functions, { bindOnly: true, allow_direct: false });
      const kv = await bucket.catch((err: unknown) => {
        bucket = undefined;
        throw new UnavailableError('the functions bucket is not reachable', { cause: err });
      });
      // Reads are safe to repeat: a leader election is retried before the delivery is handed back.
      const entry = await retryPassing(() => kv.get(`${userId}.${name}`));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return entry.json<FunctionDefinition>();
    },
  };
}
