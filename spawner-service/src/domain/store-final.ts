import { ConflictError, FINAL_STATUSES, UnavailableError, type ExecutionRecord, type ExecutionStore, type Logger } from '@faas/common';

const WRITE_ATTEMPTS = 5;

export const isFinal = (record: ExecutionRecord): boolean => FINAL_STATUSES.has(record.status);

/**
 * Writes the final record, unless a final one is there already: that one wins and is returned.
 * Every write is revision-checked (`revision` undefined: the record must not exist yet), so two
 * attempts of one execution can never both store a final record.
 *
 * When the record was changed meanwhile by another attempt that took this run's lease over (its
 * `running` record says `rerun`: this run's renewals went unseen for the lease's ttl, as during a
 * NATS node loss), this run still ends it first, and the final record keeps that cause: the
 * execution was started twice, and its record says so.
 */
export async function storeFinal(store: ExecutionStore, final: ExecutionRecord, revision: number | undefined): Promise<ExecutionRecord> {
  let expected = revision;
  let mine = final;
  for (let i = 0; i < WRITE_ATTEMPTS; i++) {
    try {
      if (expected === undefined) await store.create(mine);
      else await store.update(mine, expected);
      return mine;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const stored = await store.get(final.id);
      // Ours, when an earlier write of this loop landed although its answer was lost.
      if (stored && isFinal(stored.record)) return JSON.stringify(stored.record) === JSON.stringify(mine) ? mine : stored.record;
      const takenOver = stored?.record.rerun;
      if (takenOver && !mine.rerun) mine = { ...mine, rerun: takenOver };
      // Changed meanwhile, or deleted (TTL or an operator): try again against what is there now.
      expected = stored?.revision;
    }
  }
  throw new UnavailableError(`execution ${final.id} kept changing while its result was stored`);
}

export interface Patience {
  readonly logger: Logger;
  /** How long store faults (a NATS leader election) are retried before giving up. */
  readonly patienceMs: number;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2_000;

/**
 * storeFinal, retrying store faults for a while: the run is done and its result is in hand, so
 * waiting out a few seconds of NATS leader election beats handing the message back, which would
 * run the function again. The spawner keeps sending in-progress acks meanwhile.
 */
export async function storeFinalPatiently(
  store: ExecutionStore,
  final: ExecutionRecord,
  revision: number | undefined,
  patience: Patience,
): Promise<ExecutionRecord> {
  const deadline = Date.now() + patience.patienceMs;
  for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
    try {
      return await storeFinal(store, final, revision);
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      patience.logger.warn({ err, executionId: final.id, retryInMs: delay }, 'final record not stored yet; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
