import { NotFoundError, PASSING_FAULT_BUDGET_MS, retryPassing, type ExecutionRecord } from '@faas/common';
import type { ExecutionDeps } from './executions.js';
import { EXECUTION_ID_PATTERN } from './ids.js';

/** The caller's own execution; anyone else's (or a malformed id) is a 404. */
export async function getExecution(deps: Pick<ExecutionDeps, 'store' | 'retryBudgetMs'>, userId: string, id: string): Promise<ExecutionRecord> {
  const budget = { budgetMs: deps.retryBudgetMs ?? PASSING_FAULT_BUDGET_MS };
  const stored = EXECUTION_ID_PATTERN.test(id) ? await retryPassing(() => deps.store.get(id), budget) : undefined;
  if (!stored || stored.record.user !== userId) throw new NotFoundError(`execution ${id} not found`);
  return stored.record;
}

const MAX_SCANNED = 2_000;

export async function listExecutions(
  deps: Pick<ExecutionDeps, 'store' | 'index' | 'retryBudgetMs'>,
  userId: string,
  query: { limit: number; cursor?: string; function?: string },
): Promise<{ items: ExecutionRecord[]; nextCursor: string | null }> {
  const patience = { deadline: Date.now() + (deps.retryBudgetMs ?? PASSING_FAULT_BUDGET_MS) };
  const ids = (await retryPassing(() => deps.index.ids(userId), patience)).filter((id) => !query.cursor || id < query.cursor).slice(0, MAX_SCANNED);
  const items: ExecutionRecord[] = [];
  let last: string | undefined;
  for (const id of ids) {
    if (items.length === query.limit) break;
    last = id;
    const stored = await retryPassing(() => deps.store.get(id), patience);
    if (!stored || stored.record.user !== userId) continue;
    if (query.function && stored.record.function !== query.function) continue;
    items.push(stored.record);
  }
  const more = last !== undefined && ids.indexOf(last) < ids.length - 1 && items.length === query.limit;
  return { items, nextCursor: more ? (last ?? null) : null };
}
