import type { KV, NatsConnection } from 'nats';

export interface BucketOptions {
  readonly replicas: number;
  /** Entry lifetime in milliseconds; 0 keeps entries forever. */
  readonly ttlMs?: number;
  readonly history?: number;
}

/** Opens a KV bucket, creating it with the given replica count when it does not exist yet. */
export async function openBucket(nc: NatsConnection, name: string, options: BucketOptions): Promise<KV> {
  const js = nc.jetstream({ timeout: 10_000 });
  return js.views.kv(name, {
    replicas: options.replicas,
    history: options.history ?? 1,
    ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
  });
}

/** A KV create/update that lost a race reports "wrong last sequence" (JetStream error 10071). */
export function isWrongLastSequence(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const apiCode = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
  return apiCode === 10071 || /wrong last sequence/i.test(err.message);
}
