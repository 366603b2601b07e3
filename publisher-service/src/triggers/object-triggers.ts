import type { Logger, ObjectTrigger, TriggerRef } from '@faas/common';
import { chainedExecutionId } from '../executions/ids.js';
import { fireEach } from './fire-each.js';
import { objectTriggerMatches, s3EventOf, type ObjectChange } from './object-events.js';
import type { TriggerWatch } from './trigger-watch.js';

export interface ObjectTriggerDeps {
  readonly watch: Pick<TriggerWatch, 'objectTriggersOf'>;
  /** Submits with the given execution id, created only if absent. */
  readonly fire: (trigger: ObjectTrigger, argument: string, ref: TriggerRef, id: string) => Promise<unknown>;
  /** The chain depth of the execution that wrote an output (0 when it is not known). */
  readonly depthOfExecution: (executionId: string) => Promise<number>;
  /** TRIGGER_MAX_CHAIN_DEPTH: outputs that fire functions that write outputs stop there. */
  readonly maxDepth: number;
  readonly logger: Logger;
}

/**
 * One stored or deleted object (object-consumer.ts: the publishers' durable consumer on the object
 * stores' meta subjects): each of the owner's object triggers that asks for it starts its function
 * with the S3-shaped event. The execution's id is a function of (change, trigger), so a redelivered
 * change starts nothing twice. An output fires only triggers that take outputs, one chain step
 * deeper than the execution that wrote it, up to the depth limit.
 */
export async function fireObjectTriggers(deps: ObjectTriggerDeps, change: ObjectChange): Promise<void> {
  const triggers = deps.watch.objectTriggersOf(change.userId).filter((t) => objectTriggerMatches(t, change));
  if (triggers.length === 0) return;
  const source = change.execution;
  const depth = source === undefined ? undefined : (await deps.depthOfExecution(source)) + 1;
  if (depth !== undefined && depth > deps.maxDepth) {
    deps.logger.warn({ object: change.name, depth: depth - 1, maxDepth: deps.maxDepth, triggers: triggers.map((t) => t.id) }, 'object trigger stopped at its depth limit');
    return;
  }
  const atMs = Date.parse(change.time);
  const chain = source === undefined || depth === undefined ? {} : { sourceExecution: source, depth };
  await fireEach(
    triggers,
    (t) => deps.fire(t, s3EventOf(change, t), { id: t.id, name: t.name, kind: t.kind, object: change.name, event: change.event, ...chain }, chainedExecutionId(change.id, t.id, atMs)),
    { logger: deps.logger, about: { object: change.name, change: change.id } },
  );
}
