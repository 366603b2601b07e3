import type { KV, NatsConnection } from 'nats';
import { BUCKETS, OBJECT_CHUNK_BYTES } from './constants.js';
import { TooLargeError, UnavailableError } from './errors.js';
import { compareAndSet, openBucket } from './kv.js';
import type { Logger } from './logger.js';
import type { ObjectBucket } from './object-types.js';


/** What an object (or a reservation for one) is charged: its size, at least one chunk. */
export const chargeOf = (bytes: number): number => Math.max(bytes, OBJECT_CHUNK_BYTES);

export interface Usage {
  readonly bytes: number;
  readonly objects: number;
}

/**
 * A user's storage, one KV entry per user (bucket `object-usage`), changed only by
 * revision-checked writes. Outputs expire with their bucket's max_age, so they are kept by the
 * day they were stored and a day's share is dropped once everything stored that day has expired.
 */
interface UsageEntry {
  readonly uploads: Usage;
  readonly outputs: Record<string, Usage>;
}

export interface UsageLimits {
  readonly maxBytes: number;
  readonly maxObjects: number;
}

/** Where a charge goes: uploads, or outputs stored on a given day (ms since the epoch). */
export type UsageKind = { readonly uploads: true } | { readonly outputsAt: number };

export interface ObjectUsageLedger {
  /**
   * Charges the user at once, or refuses with a TooLargeError (413) when it would pass the limits
   * (nothing charged). With `upTo`, charges as much of charge.bytes as is left, at least one chunk,
   * and returns what it charged.
   */
  reserve(userId: string, charge: Usage, kind: UsageKind, limits: UsageLimits & { upTo?: boolean }): Promise<Usage>;
  /** Gives back what reserve charged (or what a deleted object cost); never below zero. */
  release(userId: string, charge: Usage, kind: UsageKind): Promise<void>;
}

const DAY_MS = 86_400_000;
const MAX_RACES = 50;
const EMPTY: Usage = { bytes: 0, objects: 0 };

const add = (a: Usage, b: Usage, sign: 1 | -1): Usage => ({
  bytes: Math.max(0, a.bytes + sign * b.bytes),
  objects: Math.max(0, a.objects + sign * b.objects),
});

function unexpired(entry: UsageEntry, now: number, outputsTtlMs: number): UsageEntry {
  const outputs = Object.fromEntries(Object.entries(entry.outputs).filter(([day]) => (Number(day) + 1) * DAY_MS + outputsTtlMs > now));
  return { uploads: entry.uploads, outputs };
}

function totalOf(entry: UsageEntry): Usage {
  return Object.values(entry.outputs).reduce((sum, day) => add(sum, day, 1), entry.uploads);
}

function applied(entry: UsageEntry, charge: Usage, kind: UsageKind, sign: 1 | -1): UsageEntry {
  if ('uploads' in kind) return { ...entry, uploads: add(entry.uploads, charge, sign) };
  const day = String(Math.floor(kind.outputsAt / DAY_MS));
  const current = entry.outputs[day];
  if (sign < 0 && !current) return entry; // that day has expired already
  return { ...entry, outputs: { ...entry.outputs, [day]: add(current ?? EMPTY, charge, sign) } };
}

export interface UsageOptions {
  readonly outputsTtlMs: number;
  /**
   * What a user's uploads take when the user has no entry yet (objects stored before the ledger
   * existed): read once per user, from a listing.
   */
  readonly seed: (userId: string) => Promise<Usage>;
}

/** The seed: what a user's uploads take, from a listing of theirs (each at least a chunk). */
export function uploadsUsage(uploads: Pick<ObjectBucket, 'listOwn'>): (userId: string) => Promise<Usage> {
  return async (userId) => {
    const mine = await uploads.listOwn(userId);
    return { bytes: mine.reduce((sum, o) => sum + chargeOf(o.size), 0), objects: mine.length };
  };
}

/** The ledger over the `object-usage` bucket; the registry passes its logger as the owner. */
export async function openObjectUsage(nc: NatsConnection, options: UsageOptions & { replicas: number; owner?: Logger }): Promise<ObjectUsageLedger> {
  // A refusal is decided on the entry read, with no write to conflict: a lagging replica without
  // the last release refused room the user had. Every charge writes, which needs the leader anyway.
  const kv = await openBucket(nc, BUCKETS.objectUsage, { replicas: options.replicas, leaderReads: true, ...(options.owner ? { owner: options.owner } : {}) });
  return objectUsageLedger(kv, options);
}

export function objectUsageLedger(kv: KV, { outputsTtlMs, seed }: UsageOptions): ObjectUsageLedger {
  /** Reads, changes and writes the entry, again on a lost race; `change` may throw to refuse. */
  async function change(userId: string, next: (entry: UsageEntry) => UsageEntry): Promise<void> {
    await compareAndSet(
      kv,
      userId,
      async (live) => JSON.stringify(next(unexpired(live ? live.json<UsageEntry>() : { uploads: await seed(userId), outputs: {} }, Date.now(), outputsTtlMs))),
      { races: MAX_RACES, tooMany: () => new UnavailableError('storage usage is changing too fast to be counted; retry') },
    );
  }
  return {
    async reserve(userId, wanted, kind, limits) {
      let granted = wanted;
      await change(userId, (entry) => {
        const used = totalOf(entry);
        const left = Math.max(0, limits.maxBytes - used.bytes);
        granted = limits.upTo ? { ...wanted, bytes: Math.min(wanted.bytes, left) } : wanted;
        if (used.objects + granted.objects > limits.maxObjects) throw new TooLargeError(`you have the most objects you may keep (${limits.maxObjects}, MAX_OBJECTS_PER_USER)`);
        if (used.bytes + granted.bytes > limits.maxBytes || granted.bytes < Math.min(wanted.bytes, OBJECT_CHUNK_BYTES)) {
          throw new TooLargeError(`this would pass your storage quota of ${limits.maxBytes} bytes (${left} left)`);
        }
        return applied(entry, granted, kind, 1);
      });
      return granted;
    },
    release: (userId, charge, kind) => change(userId, (entry) => applied(entry, charge, kind, -1)),
  };
}
