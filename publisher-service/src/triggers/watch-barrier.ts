import { UnavailableError } from '@faas/common';
import type { JetStreamManager } from 'nats';

/** At most one sync starts per FLOOR_MS: under load one request serves every record of the interval. */
const FLOOR_MS = 50;
/** Past this a sync fails (NATS trouble, a watch that cannot follow): the event is delivered again. */
const TIMEOUT_MS = 5_000;
/**
 * How far the clock that stamped an event (the publisher that queued an execution, the NATS server
 * that stored an object) may be behind this one. A trigger written before the event is seen if the
 * clocks agree within this (NTP keeps a swarm's hosts within a few ms). Larger costs nothing but
 * fewer records served by a sync made already: see sinceEvent.
 */
export const CLOCK_SKEW_MS = 100;

/**
 * The time to ask currentSince for an event that a trigger written before it must see. Handling
 * the event comes after it, so `now` is always enough; the event's own time (plus the skew) is
 * earlier for an event handled late, and then served by a sync made already, so a backlog of
 * records needs one sync per FLOOR_MS rather than one each.
 */
export function sinceEvent(eventMs: number, now = Date.now()): number {
  return Number.isFinite(eventMs) ? Math.min(now, eventMs + CLOCK_SKEW_MS) : now;
}

/**
 * The stream sequence of the bucket's last message (0: none), from the stream's leader (not a
 * direct get, which a lagging replica may answer). The last message, not the stream's last_seq: a
 * purge may have removed that one, and no watch would ever deliver it.
 */
export function lastRevisionOf(jsm: JetStreamManager, bucket: string): () => Promise<number> {
  return async () => {
    try {
      return (await jsm.streams.getMessage(`KV_${bucket}`, { last_by_subj: `$KV.${bucket}.>` })).seq;
    } catch (err) {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === 10037) return 0; // no message found
      throw err;
    }
  };
}

export interface WatchBarrier {
  /** The watch applied the entry at this stream sequence. */
  applied(revision: number): void;
  /** Resolves once the watch holds every entry written before `ms` (this host's clock); rejects past TIMEOUT_MS. */
  currentSince(ms: number): Promise<void>;
  stop(): void;
}

interface Sync {
  /** It must not start before this: the latest `ms` among those waiting for it. */
  due: number;
  startedAt?: number;
  readonly done: Promise<void>;
  settle(err?: unknown): void;
}

function newSync(due: number): Sync {
  let settle: (err?: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => (settle = (err) => (err === undefined ? resolve() : reject(err))));
  done.catch(() => undefined); // its waiters see the rejection; none may be left when the watch stops
  return { due, done, settle: (err) => settle(err) };
}

/**
 * A sync reads the bucket's last revision and waits until the watch has applied it; then everything
 * written before the sync started is in the watch (`syncedAt`). Syncs are coalesced: one in flight,
 * the next one shared by every caller that the running one cannot serve, started no sooner than
 * FLOOR_MS after the last start. The cost is one request per sync, whatever the number of callers.
 */
export function watchBarrier(lastRevision: () => Promise<number>, now: () => number = Date.now): WatchBarrier {
  let appliedRevision = 0;
  let syncedAt = -Infinity;
  let lastStart = -Infinity;
  let inflight: Sync | undefined;
  let next: Sync | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const waiting = new Set<{ target: number; reached(): void; fail(err: Error): void }>();

  const failure = (what: string): UnavailableError => new UnavailableError(`the trigger watch ${what}`);

  function reach(target: number, deadline: number): Promise<void> {
    if (appliedRevision >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const end = (err?: Error): void => {
        clearTimeout(late);
        waiting.delete(waiter);
        if (err) reject(err);
        else resolve();
      };
      const waiter = { target, reached: () => end(), fail: end };
      const late = setTimeout(() => end(failure(`did not reach revision ${target} in ${TIMEOUT_MS} ms`)), deadline - now());
      waiting.add(waiter);
    });
  }

  async function run(sync: Sync): Promise<void> {
    inflight = sync;
    next = undefined;
    const startedAt = (sync.startedAt = lastStart = now());
    let late: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => (late = setTimeout(() => reject(failure('could not read the last revision')), TIMEOUT_MS)));
      const target = await Promise.race([lastRevision(), deadline]);
      await reach(target, startedAt + TIMEOUT_MS);
      syncedAt = Math.max(syncedAt, startedAt);
      sync.settle();
    } catch (err) {
      sync.settle(err);
    } finally {
      clearTimeout(late);
      inflight = undefined;
      schedule();
    }
  }

  function schedule(): void {
    if (stopped || inflight || timer || !next) return;
    const wait = Math.max(next.due, lastStart + FLOOR_MS) - now();
    if (wait <= 0) void run(next);
    else timer = setTimeout(() => ((timer = undefined), schedule()), wait);
  }

  return {
    applied(revision) {
      appliedRevision = Math.max(appliedRevision, revision);
      for (const w of waiting) if (w.target <= appliedRevision) w.reached();
    },
    currentSince(ms) {
      if (stopped) return Promise.reject(failure('is stopped'));
      // A sync covers the times strictly before its start: a write in the millisecond it began
      // may follow its read (a read takes under a millisecond here), so `ms` needs a later start.
      if (ms < syncedAt) return Promise.resolve();
      if (inflight?.startedAt !== undefined && inflight.startedAt > ms) return inflight.done;
      const sync = (next ??= newSync(ms + 1));
      sync.due = Math.max(sync.due, ms + 1);
      schedule(); // may start it at once
      return sync.done;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const w of waiting) w.fail(failure('is stopped'));
      next?.settle(failure('is stopped'));
      next = undefined;
    },
  };
}
