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
