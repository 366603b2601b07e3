import { FINAL_STATUSES, type ExecutionRecord, type FunctionFinishedTrigger, type Logger, type TriggerRef } from '@faas/common';
import type { TriggerWatch } from './trigger-watch.js';

export interface ChainDeps {
  readonly watch: Pick<TriggerWatch, 'chainsFrom'>;
  readonly fire: (trigger: FunctionFinishedTrigger, argument: string, ref: TriggerRef) => Promise<unknown>;
  /** Executions a chain may add after the first one: a loop stops there. */
  readonly maxDepth: number;
  readonly logger: Logger;
}

/** The chain's length so far: 0 for an execution no function-finished trigger started. */
const depthOf = (record: ExecutionRecord): number => (record.trigger?.kind === 'function-finished' ? (record.trigger.depth ?? 0) : 0);

/**
 * A final record arrived (one publisher replica sees each, through the results queue group): each
 * of the owner's function-finished triggers on that function and status starts the next
 * execution, with this one's result as its argument, unless the chain is at its depth limit.
 */
export async function chainFrom(deps: ChainDeps, record: ExecutionRecord): Promise<void> {
  if (!FINAL_STATUSES.has(record.status)) return;
  const triggers = deps.watch.chainsFrom(record.user, record.function).filter((t) => t.enabled && t.statuses.includes(record.status));
  if (triggers.length === 0) return;
  const depth = depthOf(record) + 1;
  if (depth > deps.maxDepth) {
    deps.logger.warn({ executionId: record.id, depth: depth - 1, maxDepth: deps.maxDepth, triggers: triggers.map((t) => t.id) }, 'chain stopped at its depth limit');
    return;
  }
  await Promise.all(
    triggers.map((t) =>
      deps.fire(t, record.result ?? '', { id: t.id, name: t.name, kind: t.kind, sourceExecution: record.id, depth }).catch((err: unknown) => {
        deps.logger.warn({ err, trigger: t.id, sourceExecution: record.id }, 'chained execution not started');
      }),
    ),
  );
}
