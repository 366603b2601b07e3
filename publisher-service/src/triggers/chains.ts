import { AppError, FINAL_STATUSES, UnavailableError, type ExecutionRecord, type FunctionFinishedTrigger, type Logger, type TriggerRef } from '@faas/common';
import { AlreadySubmittedError } from '../executions/executions.js';
import { chainedExecutionId } from '../executions/ids.js';
import type { TriggerWatch } from './trigger-watch.js';

export interface ChainDeps {
  readonly watch: Pick<TriggerWatch, 'chainsFrom'>;
  /** Submits with the given execution id, created only if absent. */
  readonly fire: (trigger: FunctionFinishedTrigger, argument: string, ref: TriggerRef, id: string) => Promise<unknown>;
  /** Executions a chain may add after the first one: a loop stops there. */
  readonly maxDepth: number;
  readonly logger: Logger;
}

/** The chain's length so far: 0 for an execution no function-finished trigger started. */
const depthOf = (record: ExecutionRecord): number => (record.trigger?.kind === 'function-finished' ? (record.trigger.depth ?? 0) : 0);

/**
 * A stored final record (chain-consumer.ts: the durable consumer on the executions bucket, shared
 * by the publisher replicas): each of the owner's function-finished triggers on that function and
 * status starts the next execution, with this one's result as its argument, unless the chain is at
 * its depth limit. The next execution's id is a function of (this execution, trigger), created only
 * if absent: a redelivered or republished final record starts nothing twice. Rejects when a start
 * failed for a passing reason, so the record is delivered again.
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
  const endMs = Date.parse(record.finishedAt ?? record.queuedAt);
  const failures = await Promise.all(
    triggers.map(async (t) => {
      const ref = { id: t.id, name: t.name, kind: t.kind, sourceExecution: record.id, depth };
      try {
        await deps.fire(t, record.result ?? '', ref, chainedExecutionId(record.id, t.id, endMs));
        return undefined;
      } catch (err) {
        if (err instanceof AlreadySubmittedError) return undefined;
        deps.logger.warn({ err, trigger: t.id, sourceExecution: record.id }, 'chained execution not started');
        // A refusal (the target or the owner gone, the quota) is final; anything else is tried again.
        return err instanceof AppError && !(err instanceof UnavailableError) ? undefined : err;
      }
    }),
  );
  const passing = failures.find((e) => e !== undefined);
  if (passing) throw passing;
}
