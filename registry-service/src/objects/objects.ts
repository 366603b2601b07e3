import { NotFoundError, OUTPUTS_PREFIX, TooLargeError, ValidationError, locateUserObject, objectKey, type ObjectBucket, type StoredObject } from '@faas/common';

export interface ObjectDeps {
  /** Users' uploads, `<userId>/<name>`. */
  readonly uploads: ObjectBucket;
  /** Execution outputs, `<userId>/<executionId>/<path>`, shown as `executions/<executionId>/<path>`. */
  readonly outputs: ObjectBucket;
  readonly maxObjectBytes: number;
  readonly maxBytesPerUser: number;
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

/** Bytes the user's uploads take (outputs are capped per execution and expire, so they are not counted). */
async function usedBytes(deps: ObjectDeps, userId: string, except: string): Promise<number> {
  const mine = await deps.uploads.list(objectKey(userId, ''));
  return mine.filter((o) => o.key !== except).reduce((sum, o) => sum + o.size, 0);
}

/**
 * Streams an upload in, capped by the object limit and what is left of the user's quota (both
 * 413). Replacing an object frees its old size first; a refused upload leaves the old one.
 */
export async function putObject(
  deps: ObjectDeps,
  userId: string,
  upload: { name: string; contentType: string; declaredBytes: number | undefined; body: AsyncIterable<Uint8Array> },
): Promise<ObjectView> {
  if (isOutput(upload.name)) throw new ValidationError(`names under ${OUTPUTS_PREFIX} are execution outputs; upload under another name`);
  const key = objectKey(userId, upload.name);
  const left = Math.max(0, deps.maxBytesPerUser - (await usedBytes(deps, userId, key)));
  const overQuota = (): Error => new TooLargeError(`the upload would pass your storage quota of ${deps.maxBytesPerUser} bytes (${left} left)`);
  const overCap = (): Error => new TooLargeError(`an object has at most ${deps.maxObjectBytes} bytes (MAX_OBJECT_BYTES)`);
  const declared = upload.declaredBytes;
  if (declared !== undefined && declared > deps.maxObjectBytes) throw overCap();
  if (declared !== undefined && declared > left) throw overQuota();
  const cap = Math.min(deps.maxObjectBytes, left);
  const stored = await deps.uploads.put(key, upload.body, {
    contentType: upload.contentType,
    maxBytes: cap,
    tooLarge: () => (cap === deps.maxObjectBytes ? overCap() : overQuota()),
  });
  return viewOf(stored, upload.name);
}

/** The caller's object, or a 404 (anyone else's is one too). */
export async function findObject(deps: ObjectDeps, userId: string, name: string): Promise<{ view: ObjectView; object: StoredObject; bucket: ObjectBucket }> {
  const { bucket, key } = locate(deps, userId, name);
  const object = await bucket.info(key);
  if (!object) throw new NotFoundError(`object ${name} not found`);
  return { view: viewOf(object, name), object, bucket };
}

export async function deleteObject(deps: ObjectDeps, userId: string, name: string): Promise<void> {
  const { bucket, key } = locate(deps, userId, name);
  if (!(await bucket.delete(key))) throw new NotFoundError(`object ${name} not found`);
}

/** The caller's objects by name (uploads and outputs), optionally under a prefix, a page at a time. */
export async function listObjects(deps: ObjectDeps, userId: string, page: { limit: number; after?: string; prefix?: string }): Promise<ObjectPage> {
  const own = objectKey(userId, '');
  const [uploads, outputs] = await Promise.all([deps.uploads.list(own), deps.outputs.list(own)]);
  const all = [
    ...uploads.map((o) => viewOf(o, o.key.slice(own.length))),
    ...outputs.map((o) => viewOf(o, OUTPUTS_PREFIX + o.key.slice(own.length))),
  ]
    .filter((o) => (page.prefix === undefined || o.name.startsWith(page.prefix)) && (page.after === undefined || o.name > page.after))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const items = all.slice(0, page.limit);
  return { items, last: all.length > page.limit ? (items.at(-1)?.name ?? null) : null };
}
