import { FINAL_STATUSES, type ExecutionRecord, type FunctionFinishedTrigger, type Logger, type TriggerRef } from '@faas/common';
import { chainedExecutionId } from '../executions/ids.js';
import { fireEach } from './fire-each.js';
import type { TriggerWatch } from './trigger-watch.js';
import { sinceEvent } from './watch-barrier.js';

export interface ChainDeps {
  readonly watch: Pick<TriggerWatch, 'chainsFrom' | 'currentSince'>;
  /** Submits with the given execution id, created only if absent. */
  readonly fire: (trigger: FunctionFinishedTrigger, argument: string, ref: TriggerRef, id: string) => Promise<unknown>;
  /** Executions a chain may add after the first one: a loop stops there. */
  readonly maxDepth: number;
  readonly logger: Logger;
}

/**
 * The chain's length so far: 0 for an execution no execution started. Any kind counts (a chain, or
 * an object trigger fired by an output), so a loop through both kinds stops at the same limit.
 */
export const depthOf = (record: ExecutionRecord | undefined): number => record?.trigger?.depth ?? 0;

/**
 * A stored final record (chain-consumer.ts: the durable consumer on the executions bucket, shared
 * by the publisher replicas): each of the owner's function-finished triggers on that function and
 * status starts the next execution, with this one's result as its argument, unless the chain is at
 * its depth limit. The next execution's id is a function of (this execution, trigger), created only
 * if absent: a redelivered or republished final record starts nothing twice. Rejects when a start
 * failed for a passing reason, so the record is delivered again.
 *
 * A trigger created before the execution was queued fires: the watch is brought up to the
 * queuedAt first (it may not have applied a trigger written just before, when the record comes
 * quickly). It rejects, and the record comes again, if the watch cannot catch up.
 */
export async function chainFrom(deps: ChainDeps, record: ExecutionRecord): Promise<void> {
  if (!FINAL_STATUSES.has(record.status)) return;
  await deps.watch.currentSince(sinceEvent(Date.parse(record.queuedAt)));
  const triggers = deps.watch.chainsFrom(record.user, record.function).filter((t) => t.enabled && t.statuses.includes(record.status));
  if (triggers.length === 0) return;
  const depth = depthOf(record) + 1;
  if (depth > deps.maxDepth) {
    deps.logger.warn({ executionId: record.id, depth: depth - 1, maxDepth: deps.maxDepth, triggers: triggers.map((t) => t.id) }, 'chain stopped at its depth limit');
    return;
  }
  const endMs = Date.parse(record.finishedAt ?? record.queuedAt);
  await fireEach(
    triggers,
    (t) => deps.fire(t, record.result ?? '', { id: t.id, name: t.name, kind: t.kind, sourceExecution: record.id, depth }, chainedExecutionId(record.id, t.id, endMs)),
    { logger: deps.logger, about: { sourceExecution: record.id } },
  );
}
