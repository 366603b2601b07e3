import { ConflictError, FINAL_STATUSES, UnavailableError, type ExecutionRecord, type ExecutionStore } from '@faas/common';

const WRITE_ATTEMPTS = 5;

export const isFinal = (record: ExecutionRecord): boolean => FINAL_STATUSES.has(record.status);

/** Writes the final record, unless a final one is there already: that one wins and is returned. */
export async function storeFinal(store: ExecutionStore, final: ExecutionRecord, revision: number): Promise<ExecutionRecord> {
  let expected = revision;
  for (let i = 0; i < WRITE_ATTEMPTS; i++) {
    try {
      await store.update(final, expected);
      return final;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const stored = await store.get(final.id);
      if (stored && isFinal(stored.record)) return stored.record;
      if (stored) {
        expected = stored.revision;
        continue;
      }
      // Deleted meanwhile (TTL or an operator): put it back.
      const created = await store.create(final).then(
        () => true,
        (e: unknown) => (e instanceof ConflictError ? false : Promise.reject(e)),
      );
      if (created) return final;
    }
  }
  throw new UnavailableError(`execution ${final.id} kept changing while its result was stored`);
}
