import { createHash } from 'node:crypto';
import { nanos, type JetStreamManager, type NatsConnection, type ObjectStore, type StoredMsg } from 'nats';

/** The part of nats.js's direct-get API used here (the manager has it; its public type omits it). */
interface DirectGet {
  getMessage(stream: string, query: { seq: number; next_by_subj: string }): Promise<StoredMsg>;
}
import { OBJECT_CHUNK_BYTES } from './constants.js';
import { StorageFullError, TooLargeError, UnavailableError } from './errors.js';
import { openBucket, openOrAwaitOwner } from './kv.js';
import type { Logger } from './logger.js';
import { backfillObjectIndex, objectIndex, type ObjectIndex } from './object-index.js';
import { reconcileStream } from './stream-settings.js';

/** An object as listed: `key` is the bucket key (`<userId>/<name>`). */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** `SHA-256=<base64url>` of the content. */
  readonly digest: string;
  readonly contentType: string;
  readonly mtime: string;
}

export interface PutOptions {
  readonly contentType: string;
  readonly maxBytes: number;
  readonly tooLarge?: (max: number) => Error;
  /** The size the source says it has: refused up front (StorageFullError) when the bucket has no room for it. */
  readonly expectedBytes?: number;
}

/** A JetStream Object Store bucket, streamed both ways: nothing is held whole in memory. */
export interface ObjectBucket {
  info(key: string): Promise<StoredObject | undefined>;
  /** The user's objects (`<userId>/…`), by key, read through the per-user index: never another user's metadata. */
  listOwn(userId: string): Promise<StoredObject[]>;
  /** Stores the source under key; past maxBytes a TooLargeError and nothing is stored (an older object under key stays). */
  put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredObject>;
  /** The content, chunk by chunk, read from the server only as fast as it is consumed. */
  read(object: StoredObject): AsyncIterable<Uint8Array>;
  /** Deletes the object under key; what was deleted, or undefined when there was none. */
  delete(key: string): Promise<StoredObject | undefined>;
}

/** nats.js's chunk size, and what JetStream stores beside each chunk (subject, headers, sequence). */
const MESSAGE_OVERHEAD_BYTES = 512;

/** Between two flushes at most this much of an upload is in the client's outgoing buffer. */
const FLUSH_EVERY_BYTES = 1024 * 1024;

export async function openObjectBucket(
  nc: NatsConnection,
  name: string,
  options: {
    replicas: number;
    ttlMs?: number;
    /** The bucket's byte cap (max_bytes of its stream): a write past it fails, nothing older is dropped. */
    maxBytes?: number;
    /** The owner: see BucketOptions.owner. */
    owner?: Logger;
    /** The KV bucket indexing it per user (object-index.ts), for a writer or lister; readers by key need none. */
    index?: string;
  },
): Promise<ObjectBucket> {
  const js = nc.jetstream({ timeout: 10_000 });
  const capped = options.maxBytes === undefined ? {} : { max_bytes: options.maxBytes };
  const os = await openOrAwaitOwner(nc, `OBJ_${name}`, () => js.views.os(name, { replicas: options.replicas, ...(options.ttlMs ? { ttl: nanos(options.ttlMs) } : {}), ...capped }));
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  if (options.owner) {
    const wanted = { replicas: options.replicas, maxAgeMs: options.ttlMs ?? 0, ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }) };
    await reconcileStream(jsm, `OBJ_${name}`, wanted, options.owner);
  }
  // The manager has the direct-get API (the object store's own reads use it); its public type omits it.
  const direct = (jsm as JetStreamManager & { direct?: DirectGet }).direct;
  if (!direct) throw new Error('this nats client has no direct-get API');
  const index = options.index ? await openIndex(nc, options.index, os, options) : undefined;
  return objectBucket(nc, { direct, jsm, index }, os, name);
}

/** The index bucket, with the store's replicas and expiry; its owner fills it once with what the store held before. */
async function openIndex(nc: NatsConnection, bucket: string, os: ObjectStore, options: { replicas: number; ttlMs?: number; owner?: Logger }): Promise<ObjectIndex> {
  const kv = await openBucket(nc, bucket, { replicas: options.replicas, ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}), ...(options.owner ? { owner: options.owner } : {}) });
  if (options.owner) {
    const added = await backfillObjectIndex(kv, os);
    if (added > 0) options.owner.info({ bucket, added }, 'object index filled with the objects stored before it');
  }
  return objectIndex(kv);
}

/** At most this many object infos are read at once by a listing. */
const LIST_READS = 16;

/** The digest as nats.js writes it: base64url with padding. */
const paddedBase64Url = (bytes: Buffer): string => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

function view(key: string, info: { size: number; digest: string; mtime: string; description?: string }): StoredObject {
  return { key, size: info.size, digest: info.digest, contentType: info.description || 'application/octet-stream', mtime: info.mtime };
}

function objectBucket(nc: NatsConnection, api: { direct: DirectGet; jsm: JetStreamManager; index: ObjectIndex | undefined }, os: ObjectStore, name: string): ObjectBucket {
  const { direct, jsm } = api;
  const indexed = (): ObjectIndex => {
    if (!api.index) throw new Error(`the ${name} bucket was opened without its index`);
    return api.index;
  };
  const info = async (key: string): Promise<StoredObject | undefined> => {
    const found = await os.info(key);
    return found && !found.deleted ? view(key, found) : undefined;
  };
  const full = (): Error => new StorageFullError(`the ${name} store is full (its max_bytes); nothing was stored`);
  /**
   * JetStream times a write past max_bytes out (a 503 after 10 s) rather than refusing it: a known
   * size, with room for each chunk's subject and headers, is checked first.
   */
  async function ensureRoom(bytes: number): Promise<void> {
    const { config, state } = await jsm.streams.info(`OBJ_${name}`);
    const stored = bytes + Math.ceil(bytes / OBJECT_CHUNK_BYTES + 1) * MESSAGE_OVERHEAD_BYTES;
    if (config.max_bytes > 0 && state.bytes + stored > config.max_bytes) throw full();
  }
  function capped(source: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: (max: number) => Error): ReadableStream<Uint8Array> {
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
  return {
    info,
    async listOwn(userId) {
      const keys = await indexed().keysOf(userId);
      const found: StoredObject[] = [];
      for (let i = 0; i < keys.length; i += LIST_READS) {
        for (const object of await Promise.all(keys.slice(i, i + LIST_READS).map(info))) if (object) found.push(object);
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async put(key, source, options) {
      const tooLarge = options.tooLarge ?? ((max: number) => new TooLargeError(`the object is larger than ${max} bytes`));
      if (options.expectedBytes !== undefined) await ensureRoom(options.expectedBytes);
      // Indexed first: a stored object is always listed (an entry whose write then fails is dropped below, or skipped by readers).
      await indexed().add(key);
      try {
        const info = await os.put({ name: key, description: options.contentType }, capped(source, options.maxBytes, tooLarge));
        return view(key, info);
      } catch (err) {
        if (!(await info(key).catch(() => true))) await indexed().remove(key).catch(() => undefined);
        // The stream's max_bytes with discard "new": JetStream refuses the write, nothing older goes.
        if (err instanceof Error && /maximum bytes|resource limits|insufficient resources/i.test(err.message)) {
          throw full();
        }
        throw err;
      }
    },
    async *read(object) {
      const info = await os.info(object.key);
      if (!info || info.deleted) throw new UnavailableError(`object ${object.key} went away while being read`);
      const subject = `$O.${name}.C.${info.nuid}`;
      const sha = createHash('sha256');
      let seq = 0;
      for (let i = 0; i < info.chunks; i++) {
        const msg = await direct.getMessage(`OBJ_${name}`, { seq: seq + 1, next_by_subj: subject });
        seq = msg.seq;
        sha.update(msg.data);
        yield msg.data;
      }
      if (`SHA-256=${paddedBase64Url(sha.digest())}` !== info.digest) {
        throw new UnavailableError(`object ${object.key} did not match its digest`);
      }
    },
    async delete(key) {
      const found = await info(key);
      if (!found) return undefined;
      await os.delete(key);
      await indexed().remove(key);
      return found;
    },
  };
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
