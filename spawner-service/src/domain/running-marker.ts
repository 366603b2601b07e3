import { ConflictError, type ExecutionRecord, type ExecutionStore, type Logger } from '@faas/common';
import { isFinal } from './store-final.js';

const WRITE_ATTEMPTS = 5;

export interface RunningMarker {
  /**
   * Stops a write that has not started and waits for one in flight: afterwards nothing of the
   * marker's writes the record any more. Returns the KV revision of the last non-final version
   * seen (undefined: no record is known to exist), for the revision-checked final write: a final
   * record stored meanwhile by another attempt makes that write conflict, and wins.
   */
  settle(): Promise<number | undefined>;
}

export interface RunningMarkOptions {
  readonly store: ExecutionStore;
  readonly logger: Logger;
  /** 0: written before the run starts (awaited); otherwise only if the run is still going then. */
  readonly delayMs: number;
}

/**
 * The `running` record is for pollers of long runs: a fast run goes from `queued` straight to its
 * final record, one write fewer. Every write is revision-checked and never replaces a final record,
 * so a late mark cannot undo another attempt's result. A failed mark is logged, not fatal: the run
 * is already going, and the final write decides.
 */
export async function markRunning(options: RunningMarkOptions, record: ExecutionRecord, revision: number | undefined): Promise<RunningMarker> {
  const { store, logger } = options;
  let current = revision;
  let cancelled = false;
  let writing: Promise<void> | undefined;

  async function write(): Promise<void> {
    for (let i = 0; i < WRITE_ATTEMPTS && !cancelled; i++) {
      try {
        current = current === undefined ? await store.create(record) : await store.update(record, current);
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        const stored = await store.get(record.id);
        // Another attempt finished it, or runs it now (it took this run's lease over while this
        // process was unheard): nothing to mark, and its revision must never reach the final
        // write, which would then replace that record (and the takeover's `rerun` with it).
        if (stored && (isFinal(stored.record) || anotherAttempt(stored.record, record))) return;
        current = stored?.revision;
        if (!stored) return;
      }
    }
  }
  const start = (): Promise<void> =>
    (writing = write().catch((err: unknown) => logger.warn({ err, executionId: record.id }, 'running record not written')));

  if (options.delayMs <= 0) await start();
  const timer = options.delayMs > 0 ? setTimeout(() => void start(), options.delayMs) : undefined;
  return {
    async settle() {
      clearTimeout(timer);
      cancelled = true;
      await writing;
      return current;
    },
  };
}

/** A running record that another delivery wrote (a takeover: its attempt or its spawner). */
function anotherAttempt(stored: ExecutionRecord, mine: ExecutionRecord): boolean {
  return stored.status === 'running' && (stored.attempt !== mine.attempt || stored.spawner !== mine.spawner);
}
