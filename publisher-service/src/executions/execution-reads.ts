import { NotFoundError, ELECTION_BUDGET_MS, retryPassing, type ExecutionRecord } from '@faas/common';
import { clientReads, type ExecutionDeps } from './executions.js';
import { EXECUTION_ID_PATTERN } from './ids.js';

/**
 * The caller's own execution; anyone else's (or a malformed id) is a 404. Read from any replica
 * (a poll may be a moment stale), but "not found" is the leader's word: a replica that had not
 * applied the create answered 404 for an execution accepted a moment before (fresh clone Q).
 */
export async function getExecution(deps: Pick<ExecutionDeps, 'store' | 'reads' | 'retryBudgetMs'>, userId: string, id: string): Promise<ExecutionRecord> {
  const budget = { deadline: Date.now() + (deps.retryBudgetMs ?? ELECTION_BUDGET_MS) };
  const reads = clientReads(deps);
  let stored = EXECUTION_ID_PATTERN.test(id) ? await retryPassing(() => reads.get(id), budget) : undefined;
  if (!stored && EXECUTION_ID_PATTERN.test(id) && reads !== deps.store) stored = await retryPassing(() => deps.store.get(id), budget);
  if (!stored || stored.record.user !== userId) throw new NotFoundError(`execution ${id} not found`);
  return stored.record;
}

/** Records read per page at most: a page may then hold fewer items than asked, with a cursor to go on. */
const MAX_SCANNED = 2_000;

/**
 * Newest first, `limit` at most. A filter that matches rarely could need every record read: a
 * page reads at most MAX_SCANNED, and when it stops there `nextCursor` says where the next page
 * starts (possibly after an empty page). `nextCursor: null` means there is nothing more.
 */
export async function listExecutions(
  deps: Pick<ExecutionDeps, 'store' | 'reads' | 'index' | 'retryBudgetMs'>,
  userId: string,
  query: { limit: number; cursor?: string; function?: string },
): Promise<{ items: ExecutionRecord[]; nextCursor: string | null }> {
  const patience = { deadline: Date.now() + (deps.retryBudgetMs ?? ELECTION_BUDGET_MS) };
  const ids = (await retryPassing(() => deps.index.ids(userId), patience)).filter((id) => !query.cursor || id < query.cursor);
  const reads = clientReads(deps);
  const items: ExecutionRecord[] = [];
  let scanned = 0;
  for (const id of ids) {
    if (items.length === query.limit || scanned === MAX_SCANNED) break;
    scanned += 1;
    const stored = await retryPassing(() => reads.get(id), patience);
    if (!stored || stored.record.user !== userId) continue;
    if (query.function && stored.record.function !== query.function) continue;
    items.push(stored.record);
  }
  const more = scanned < ids.length;
  return { items, nextCursor: more ? (ids[scanned - 1] ?? null) : null };
}
