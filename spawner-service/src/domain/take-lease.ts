import { ConflictError, isPassingFault, type RerunCause } from '@faas/common';
import { holdLease, newLease, type HeldLease, type Lease, type LeaseSettings, type StoredLease } from './execution-lease.js';

/**
 * `held`: this delivery runs it (`atOnce`: by its first create, no lease seen). `ended`: the
 * holder's run ended, the record is final.
 */
export type Taking =
  | { readonly kind: 'held'; readonly lease: HeldLease; readonly atOnce?: true }
  | { readonly kind: 'ended' }
  | { readonly kind: 'handed-back' };

export interface TakeOptions {
  readonly attempt: number;
  readonly handedBack?: AbortSignal;
  /** Whether the execution's record is final (asked while another holder's lease lives). */
  readonly isFinal: () => Promise<boolean>;
}

/** Lease store faults (a NATS election) are waited out this long before the delivery is handed back. */
const STORE_PATIENCE_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The same revision seen since `since` (this process's clock): no renewal meanwhile. */
interface Sighting {
  readonly revision: number;
  readonly since: number;
}

/** Why a lease may be taken although it exists; undefined: it lives, wait. */
function lapsed(settings: LeaseSettings, held: Lease, sighting: Sighting): RerunCause | undefined {
  if (held.spawner === settings.spawnerId && held.instance !== settings.instance) {
    // This spawner's id, an earlier process: it restarted, so that run is gone (its container was removed at start).
    return { previousSpawner: held.spawner, reason: 'the spawner running it restarted' };
  }
  if (Date.now() - sighting.since >= held.ttlMs) {
    return { previousSpawner: held.spawner, reason: `its lease was not renewed for ${held.ttlMs} ms: the spawner running it is presumed dead` };
  }
  return undefined;
}

/**
 * Takes the execution's lease before a run: free, it is created; held by a live run (renewed
 * within its ttl, as seen by this process's own clock, so no two clocks are compared), this
 * delivery waits, its message kept in progress by the consumer loop, until the lease is released
 * (the record is then final: `ended`) or lapses (its holder died: taken, with the cause).
 */
export async function takeLease(settings: LeaseSettings, executionId: string, options: TakeOptions): Promise<Taking> {
  const mine = newLease(settings, options.attempt);
  let sighting: Sighting | undefined;
  let waitLogged = false;
  let faultsSince: number | undefined;
  // Almost every delivery finds no lease: create it at once (one write, no read before it). A
  // refused create (a lease exists) or a store fault goes on below, which reads first.
  if (!options.handedBack?.aborted) {
    try {
      return { kind: 'held', lease: holdLease(settings, executionId, mine, await settings.store.create(executionId, mine)), atOnce: true };
    } catch (err) {
      if (!(err instanceof ConflictError) && !isPassingFault(err)) throw err;
    }
  }
  for (;;) {
    if (options.handedBack?.aborted) return { kind: 'handed-back' };
    try {
      const stored = await settings.store.get(executionId);
      if (!stored) {
        const revision = await settings.store.create(executionId, mine);
        return { kind: 'held', lease: holdLease(settings, executionId, mine, revision) };
      }
      if (sighting?.revision !== stored.revision) sighting = { revision: stored.revision, since: Date.now() };
      const cause = lapsed(settings, stored.lease, sighting);
      if (cause) return await takeOver(settings, executionId, mine, stored, cause);
      if (await options.isFinal()) return { kind: 'ended' };
      faultsSince = undefined;
      if (!waitLogged) {
        waitLogged = true;
        settings.onWait?.();
        settings.logger.info({ executionId, holder: stored.lease.spawner, holderAttempt: stored.lease.attempt }, 'execution leased by a live run: waiting for it to end');
      }
    } catch (err) {
      if (err instanceof ConflictError) continue; // another delivery wrote first: look again
      if (!isPassingFault(err)) throw err;
      faultsSince ??= Date.now();
      if (Date.now() - faultsSince > STORE_PATIENCE_MS) throw err;
      // Unseen renewals are not missing renewals: the lapse clock starts again after the fault.
      sighting = undefined;
    }
    await sleep(settings.pollMs);
  }
}

async function takeOver(settings: LeaseSettings, executionId: string, mine: Lease, stored: StoredLease, cause: RerunCause): Promise<Taking> {
  const revision = await settings.store.update(executionId, mine, stored.revision);
  settings.onTakeover?.();
  settings.logger.warn({ executionId, previousSpawner: cause.previousSpawner, reason: cause.reason }, 'execution lease taken over: running it again');
  return { kind: 'held', lease: holdLease(settings, executionId, mine, revision, cause) };
}
