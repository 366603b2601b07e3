import { setTimeout as delay } from 'node:timers/promises';
import type { JetStreamManager, KV, KvEntry, NatsConnection } from 'nats';
import { ConflictError, UnavailableError } from './errors.js';
import type { Logger } from './logger.js';
import { connectionOptions } from './nats.js';
import { NATS_PERMISSIONS, type NatsService } from './nats-permissions.js';
import { NATS_TRY_TIMEOUT_MS } from './retry.js';
import { reconcileStream } from './stream-settings.js';

export interface BucketOptions {
  readonly replicas: number;
  /** Entry lifetime in milliseconds; 0 keeps entries forever. */
  readonly ttlMs?: number;
  readonly history?: number;
  /**
   * Given by the bucket's owner only: an existing bucket's replicas and TTL are updated to these
   * (and each change logged here). Others create the bucket if it is missing and leave it as it is.
   */
  readonly owner?: Logger;
  /**
   * Reads go to the stream's leader (read-your-writes) instead of any replica. A direct get may be
   * answered by a replica that has not applied the last write yet (a login right after its
   * registration saw no user, under load on three nodes); a leader read cannot be answered at all
   * while the bucket elects a new leader (a node loss: ~5-10 s). So only where a stale read is
   * wrong: users, callback keys, webhook tokens, the spawner's secrets (a rotated or deleted
   * value must not reach a run; during an election the execution waits and is retried instead),
   * execution records where something is decided on them (the spawner's run-or-not, the
   * publisher's abandon, quota healing, chain depth, callback delivery: no record there drops the
   * callback), quota holds and storage usage (a refusal is decided on a read, with no write to
   * conflict), and every registry bucket (a PUT or DELETE reads before it writes; the publisher
   * asks for a function created a moment ago). A read followed by a write loses nothing: the write needs the leader anyway.
   */
  readonly leaderReads?: boolean;
}

/** A stack's services start in any order: this long a service waits for a bucket's owner to create it. */
const OWNER_WAIT_MS = 120_000;
const OWNER_POLL_MS = 500;

/** Whether the stream exists (a look that never creates it). */
export async function streamExists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  try {
    await jsm.streams.info(stream);
    return true;
  } catch (err) {
    if (err instanceof Error && /stream not found/i.test(err.message)) return false;
    throw err;
  }
}

/**
 * Whether this connection may create `stream`: a platform user only where the table grants it
 * (nats-permissions.ts); a connection without a platform user (a test's fixture) is not limited.
 */
function mayCreate(nc: NatsConnection, stream: string): boolean {
  const { user } = connectionOptions(nc);
  const grants = user !== undefined && Object.hasOwn(NATS_PERMISSIONS, user) ? NATS_PERMISSIONS[user as NatsService] : undefined;
  return !grants || grants.publish.includes(`$JS.API.STREAM.CREATE.${stream}`);
}

/**
 * Opens a stream-backed bucket with `open`, which creates it when missing. Only the owner's NATS
 * user may create it (nats-permissions.ts): anyone else waits, polling the stream (an info, which
 * every reader may ask), until the owner has created it, then opens it. It never tries a create
 * it would be refused: nats-server logs each refusal as a permissions violation, which the stack's
 * e2e counts as a defect (a reader that started before the registry did, in stop 37).
 */
export async function openOrAwaitOwner<T>(nc: NatsConnection, stream: string, open: () => Promise<T>): Promise<T> {
  if (!mayCreate(nc, stream)) await awaitStream(nc, stream);
  return open();
}

async function awaitStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  const deadline = Date.now() + OWNER_WAIT_MS;
  while (!(await streamExists(jsm, stream))) {
    if (Date.now() > deadline) throw new UnavailableError(`stream ${stream} does not exist: the service that owns it has not created it`);
    await delay(OWNER_POLL_MS);
  }
}

/** Opens a KV bucket, creating it with the given replica count when it does not exist yet (or waiting for its owner to). */
export async function openBucket(nc: NatsConnection, name: string, options: BucketOptions): Promise<KV> {
  const js = nc.jetstream({ timeout: NATS_TRY_TIMEOUT_MS });
  const kv = await openOrAwaitOwner(nc, `KV_${name}`, () =>
    js.views.kv(name, {
      replicas: options.replicas,
      history: options.history ?? 1,
      ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
    }),
  );
  if (options.owner) {
    const jsm = await nc.jetstreamManager({ timeout: 10_000 });
    await reconcileStream(jsm, `KV_${name}`, { replicas: options.replicas, maxAgeMs: options.ttlMs ?? 0 }, options.owner);
  }
  // The stream keeps direct gets allowed for everyone else; this handle asks the leader.
  return options.leaderReads ? js.views.kv(name, { bindOnly: true, allow_direct: false }) : kv;
}

/** A KV create/update that lost a race reports "wrong last sequence" (JetStream error 10071). */
export function isWrongLastSequence(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const apiCode = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
  return apiCode === 10071 || /wrong last sequence/i.test(err.message);
}

/**
 * Reads `key` and writes `next(its live entry, or undefined)` by compare-and-set (a create, or an
 * update at the revision read), again on a lost race; `next` may throw to refuse. After `races`
 * lost races in a row, throws `tooMany()`: a count or ledger is never written over another's.
 */
export async function compareAndSet(kv: KV, key: string, next: (live: KvEntry | undefined) => string | Promise<string>, o: { races: number; tooMany: () => Error }): Promise<void> {
  for (let race = 0; race < o.races; race++) {
    const found = await kv.get(key);
    const live = found?.operation === 'PUT' ? found : undefined;
    const value = await next(live);
    try {
      // A deleted or purged key's create replaces its marker (nats.js reads and updates it).
      if (live) await kv.update(key, value, live.revision);
      else await kv.create(key, value);
      return;
    } catch (err) {
      if (!isWrongLastSequence(err) && !/key exists/i.test(String(err))) throw err;
    }
  }
  throw o.tooMany();
}

/** A revision-checked write whose race was lost becomes a ConflictError (409) saying `message`. */
export async function conflictOnRace<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isWrongLastSequence(err)) throw new ConflictError(message, { cause: err });
    throw err;
  }
}
