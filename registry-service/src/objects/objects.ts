import {
  NotFoundError,
  OUTPUTS_PREFIX,
  TooLargeError,
  ValidationError,
  chargeOf,
  locateUserObject,
  objectKey,
  type ObjectBucket,
  type ObjectUsageLedger,
  type StoredObject,
} from '@faas/common';

export interface ObjectDeps {
  /** Users' uploads, `<userId>/<name>`. */
  readonly uploads: ObjectBucket;
  /** Execution outputs, `<userId>/<executionId>/<path>`, shown as `executions/<executionId>/<path>`. */
  readonly outputs: ObjectBucket;
  /** What each user's uploads and outputs take (the quota's only counter). */
  readonly usage: ObjectUsageLedger;
  readonly maxObjectBytes: number;
  readonly maxBytesPerUser: number;
  readonly maxObjectsPerUser: number;
}

/** An object as its owner sees it. */
export interface ObjectView {
  readonly name: string;
  readonly size: number;
  readonly digest: string;
  readonly contentType: string;
  readonly mtime: string;
}

export interface ObjectPage {
  readonly items: ObjectView[];
  readonly last: string | null;
}

const isOutput = (name: string): boolean => name.startsWith(OUTPUTS_PREFIX);

const locate = locateUserObject;

function viewOf(object: StoredObject, name: string): ObjectView {
  return { name, size: object.size, digest: object.digest, contentType: object.contentType, mtime: object.mtime };
}

const UPLOADS = { uploads: true } as const;

/**
 * Streams an upload in, capped by the object limit and what is left of the user's quota (both
 * 413). The quota is reserved in the user's usage entry before a byte is stored (the declared
 * length, or as much as is left up to MAX_OBJECT_BYTES), so parallel uploads cannot pass it
 * together; what the object did not take is given back, and all of it on a refusal. Replacing an
 * object frees its old size once the new one is stored; a refused upload leaves the old one.
 */
export async function putObject(
  deps: ObjectDeps,
  userId: string,
  upload: { name: string; contentType: string; declaredBytes: number | undefined; body: AsyncIterable<Uint8Array> },
): Promise<ObjectView> {
  if (isOutput(upload.name)) throw new ValidationError(`names under ${OUTPUTS_PREFIX} are execution outputs; upload under another name`);
  const key = objectKey(userId, upload.name);
  const overCap = (): Error => new TooLargeError(`an object has at most ${deps.maxObjectBytes} bytes (MAX_OBJECT_BYTES)`);
  const declared = upload.declaredBytes;
  if (declared !== undefined && declared > deps.maxObjectBytes) throw overCap();
  const old = await deps.uploads.info(key);
  // A replacement is charged only what it adds: the old object's charge is its credit.
  const credit = old ? chargeOf(old.size) : 0;
  const wanted = { bytes: Math.max(0, chargeOf(declared ?? deps.maxObjectBytes) - credit), objects: old ? 0 : 1 };
  const limits = { maxBytes: deps.maxBytesPerUser, maxObjects: deps.maxObjectsPerUser, upTo: declared === undefined };
  const granted = await deps.usage.reserve(userId, wanted, UPLOADS, limits);
  const cap = Math.min(deps.maxObjectBytes, granted.bytes + credit);
  const overQuota = (): Error => new TooLargeError(`the upload would pass your storage quota of ${deps.maxBytesPerUser} bytes (${granted.bytes + credit} left)`);
  let stored: StoredObject;
  try {
    const tooLarge = (): Error => (cap === deps.maxObjectBytes ? overCap() : overQuota());
    stored = await deps.uploads.put(key, upload.body, { contentType: upload.contentType, maxBytes: cap, tooLarge, expectedBytes: chargeOf(declared ?? 0) });
  } catch (err) {
    await deps.usage.release(userId, granted, UPLOADS);
    throw err;
  }
  // What the reservation held beyond the object's charge goes back (nothing, when the size was declared).
  const unused = granted.bytes + credit - chargeOf(stored.size);
  if (unused !== 0) await deps.usage.release(userId, { bytes: unused, objects: 0 }, UPLOADS);
  return viewOf(stored, upload.name);
}

/** The caller's object, or a 404 (anyone else's is one too). */
export async function findObject(deps: ObjectDeps, userId: string, name: string): Promise<{ view: ObjectView; object: StoredObject; bucket: ObjectBucket }> {
  const { bucket, key } = locate(deps, userId, name);
  const object = await bucket.info(key);
  if (!object) throw new NotFoundError(`object ${name} not found`);
  return { view: viewOf(object, name), object, bucket };
}

/** Deletes it and gives its charge back (an output's to the day it was stored). */
export async function deleteObject(deps: ObjectDeps, userId: string, name: string): Promise<void> {
  const { bucket, key } = locate(deps, userId, name);
  const object = await bucket.delete(key);
  if (!object) throw new NotFoundError(`object ${name} not found`);
  const kind = isOutput(name) ? { outputsAt: Date.parse(object.mtime) } : UPLOADS;
  await deps.usage.release(userId, { bytes: chargeOf(object.size), objects: 1 }, kind);
}

/** The caller's objects by name (uploads and outputs), optionally under a prefix, a page at a time. */
export async function listObjects(deps: ObjectDeps, userId: string, page: { limit: number; after?: string; prefix?: string }): Promise<ObjectPage> {
  const own = objectKey(userId, '');
  const [uploads, outputs] = await Promise.all([deps.uploads.listOwn(userId), deps.outputs.listOwn(userId)]);
  const all = [
    ...uploads.map((o) => viewOf(o, o.key.slice(own.length))),
    ...outputs.map((o) => viewOf(o, OUTPUTS_PREFIX + o.key.slice(own.length))),
  ]
    .filter((o) => (page.prefix === undefined || o.name.startsWith(page.prefix)) && (page.after === undefined || o.name > page.after))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const items = all.slice(0, page.limit);
  return { items, last: all.length > page.limit ? (items.at(-1)?.name ?? null) : null };
}
