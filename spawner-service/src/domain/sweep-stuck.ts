import { ConflictError, type ExecutionStore, type Logger } from '@faas/common';
import type { ResultPublisher } from './ports.js';
import { errorRecord } from './records.js';
import { isFinal } from './store-final.js';

export interface SweepPorts {
  readonly store: ExecutionStore;
  readonly results: ResultPublisher;
  /** Execution ids in the records bucket, oldest first (UUIDv7 ids sort by creation time). */
  readonly recordIds: () => Promise<readonly string[]>;
  /** Ids whose request is still on the EXECUTIONS stream; undefined: too many to tell this time. */
  readonly queuedIds: () => Promise<ReadonlySet<string> | undefined>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface SweepWindow {
  /** Ids up to this one were final (or ended) at the last sweep: not read again. */
  readonly after?: string;
  /** Younger records are left alone: their request may not be published yet. */
  readonly staleAfterMs: number;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The creation time a UUIDv7 id carries (ms); NaN for any other key, which is never swept. */
export function idTime(id: string): number {
  return UUID_V7.test(id) ? parseInt(id.replace(/-/g, '').slice(0, 12), 16) : NaN;
}

/**
 * Ends records stuck `queued` or `running` whose request is gone from the stream: no spawner holds
 * it (a message is acked only after the final record is stored) and none will be given it. The
 * final write is revision-checked, so a spawner's own final record always wins. Returns the
 * cursor for the next sweep: just before the oldest record that is still in flight.
 */
export async function sweepStuck(ports: SweepPorts, window: SweepWindow): Promise<{ cursor: string | undefined; ended: number }> {
  const now = ports.now ?? (() => new Date());
  const boundary = now().getTime() - window.staleAfterMs;
  const candidates = (await ports.recordIds()).filter((id) => (window.after === undefined || id > window.after) && idTime(id) <= boundary);
  // NaN <= boundary is false: keys that are not UUIDv7 ids (e.g. tests' own) are skipped.
  if (candidates.length === 0) return { cursor: window.after, ended: 0 };
  const queued = await ports.queuedIds();
  let cursor = window.after;
  let inFlight = false;
  let ended = 0;
  for (const id of candidates) {
    const stored = await ports.store.get(id);
    const stuck = stored && !isFinal(stored.record) && queued !== undefined && !queued.has(id);
    if (stored && !isFinal(stored.record) && !stuck) inFlight = true;
    if (stuck && (await endStuck(ports, stored.record, stored.revision, now()))) ended += 1;
    if (!inFlight) cursor = id;
  }
  return { cursor, ended };
}

async function endStuck(ports: SweepPorts, record: Parameters<typeof errorRecord>[0], revision: number, now: Date): Promise<boolean> {
  const reason = `its request is no longer queued and no spawner finished it (found ${record.status} by the sweeper)`;
  const final = errorRecord(record, reason, now);
  try {
    await ports.store.update(final, revision);
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
  ports.logger.warn({ executionId: record.id, was: record.status }, 'stuck execution ended by the sweeper');
  await ports.results.publish(final);
  return true;
}
