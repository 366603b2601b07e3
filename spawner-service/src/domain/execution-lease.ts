import { randomUUID } from 'node:crypto';
import { ConflictError, type Logger, type RerunCause } from '@faas/common';

/** Who runs an execution now; renewed (a new KV revision) as long as the run lives. */
export interface Lease {
  readonly spawner: string;
  /** The spawner process: a restarted spawner keeps its id but not this. */
  readonly instance: string;
  /** This delivery's hold: another delivery in the same process is another holder. */
  readonly token: string;
  /** Without a renewal (a new revision) for this long, the holder is taken for dead. */
  readonly ttlMs: number;
  readonly attempt: number;
  /** For people reading the bucket; expiry is never judged by comparing clocks. */
  readonly renewedAt: string;
}

export interface StoredLease {
  readonly lease: Lease;
  readonly revision: number;
}

/** Revision-checked lease entries; create/update throw ConflictError when someone wrote in between. */
export interface LeaseStore {
  get(executionId: string): Promise<StoredLease | undefined>;
  create(executionId: string, lease: Lease): Promise<number>;
  update(executionId: string, lease: Lease, revision: number): Promise<number>;
  /** Deletes the entry if it is still at this revision. */
  remove(executionId: string, revision: number): Promise<void>;
}

export interface LeaseSettings {
  readonly store: LeaseStore;
  readonly spawnerId: string;
  /** Random per process (see Lease.instance). */
  readonly instance: string;
  readonly ttlMs: number;
  /** How often a held lease is renewed (the in-progress ack cadence, below ttlMs). */
  readonly renewMs: number;
  /** How often a waiting delivery looks at the lease again. */
  readonly pollMs: number;
  readonly logger: Logger;
  /** Told once per delivery that waits for another live run, and per lease taken over. */
  readonly onWait?: () => void;
  readonly onTakeover?: () => void;
}

export interface HeldLease {
  /** Set when the lease was taken from a holder presumed dead. */
  readonly rerun?: RerunCause;
  /** Stops renewing and deletes the lease (unless someone else took it): another delivery may start at once. */
  release(): Promise<void>;
}

export const newInstanceId = (): string => randomUUID();

/** Renews every `renewMs` until released; a conflict means the lease was taken over (logged, the final write decides). */
export function holdLease(settings: LeaseSettings, executionId: string, held: Lease, revision: number, rerun?: RerunCause): HeldLease {
  const { store, logger } = settings;
  let current = revision;
  let lost = false;
  let renewing: Promise<void> | undefined;
  const renew = async (): Promise<void> => {
    try {
      current = await store.update(executionId, { ...held, renewedAt: new Date().toISOString() }, current);
    } catch (err) {
      if (err instanceof ConflictError) {
        lost = true;
        clearInterval(timer);
        logger.error({ executionId }, 'execution lease taken over by another spawner while this run lives');
      } else logger.warn({ err, executionId }, 'execution lease not renewed; retrying at the next in-progress ack');
    }
  };
  const timer = setInterval(() => {
    if (!renewing) renewing = renew().finally(() => (renewing = undefined));
  }, settings.renewMs);
  timer.unref();
  return {
    ...(rerun ? { rerun } : {}),
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      await store.remove(executionId, current).catch((err: unknown) => logger.warn({ err, executionId }, 'execution lease not released; it lapses'));
    },
  };
}

export const newLease = (settings: LeaseSettings, attempt: number): Lease => ({
  spawner: settings.spawnerId,
  instance: settings.instance,
  token: randomUUID(),
  ttlMs: settings.ttlMs,
  attempt,
  renewedAt: new Date().toISOString(),
});
