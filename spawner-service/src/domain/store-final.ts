import { ConflictError, FINAL_STATUSES, UnavailableError, type ExecutionRecord, type ExecutionStore } from '@faas/common';

const WRITE_ATTEMPTS = 5;

export const isFinal = (record: ExecutionRecord): boolean => FINAL_STATUSES.has(record.status);

/**
 * Writes the final record, unless a final one is there already: that one wins and is returned.
 * Every write is revision-checked (`revision` undefined: the record must not exist yet), so two
 * attempts of one execution can never both store a final record.
 */
export async function storeFinal(store: ExecutionStore, final: ExecutionRecord, revision: number | undefined): Promise<ExecutionRecord> {
  let expected = revision;
  for (let i = 0; i < WRITE_ATTEMPTS; i++) {
    try {
      if (expected === undefined) await store.create(final);
      else await store.update(final, expected);
      return final;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const stored = await store.get(final.id);
      if (stored && isFinal(stored.record)) return stored.record;
      // Changed meanwhile, or deleted (TTL or an operator): try again against what is there now.
      expected = stored?.revision;
    }
  }
  throw new UnavailableError(`execution ${final.id} kept changing while its result was stored`);
}
