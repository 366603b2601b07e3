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
import type { ObjectBucket, StoredObject } from './object-types.js';
import { cappedUpload } from './object-upload.js';
import { reconcileStream } from './stream-settings.js';

/** nats.js's chunk size, and what JetStream stores beside each chunk (subject, headers, sequence). */
const MESSAGE_OVERHEAD_BYTES = 512;

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
        const info = await os.put({ name: key, description: options.contentType }, cappedUpload(nc, source, options.maxBytes, tooLarge));
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
