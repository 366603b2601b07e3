import type { Logger, ObjectTrigger, TriggerRef } from '@faas/common';
import { chainedExecutionId } from '../executions/ids.js';
import { fireEach } from './fire-each.js';
import { objectTriggerMatches, s3EventOf, type ObjectChange } from './object-events.js';
import type { TriggerWatch } from './trigger-watch.js';
import { sinceEvent } from './watch-barrier.js';

/** An object-triggered execution: the event, and the object itself as its input when it was stored. */
export interface ObjectStart {
  readonly argument: string;
  readonly ref: TriggerRef;
  readonly id: string;
  readonly inputs?: readonly string[];
  readonly outputs: true;
}

export interface ObjectTriggerDeps {
  readonly watch: Pick<TriggerWatch, 'objectTriggersOf' | 'currentSince'>;
  /** Submits with the given execution id (created only if absent), the inputs and outputs collected. */
  readonly fire: (trigger: ObjectTrigger, start: ObjectStart) => Promise<unknown>;
  /** The chain depth of the execution that wrote an output (0 when it is not known). */
  readonly depthOfExecution: (executionId: string) => Promise<number>;
  /** TRIGGER_MAX_CHAIN_DEPTH: outputs that fire functions that write outputs stop there. */
  readonly maxDepth: number;
  readonly logger: Logger;
}

/**
 * One stored or deleted object (object-consumer.ts: the publishers' durable consumer on the object
 * stores' meta subjects): each of the owner's object triggers that asks for it starts its function
 * with the S3-shaped event, a stored object under /faas/in/<name>, and what it leaves in /faas/out
 * kept as outputs (which fire no trigger that does not take outputs: no self-loop). The execution's id is a function of (change, trigger), so a redelivered
 * change starts nothing twice. An output fires only triggers that take outputs, one chain step
 * deeper than the execution that wrote it, up to the depth limit. A trigger created before the
 * change was stored fires for it: the watch is brought up to the change's time first.
 */
export async function fireObjectTriggers(deps: ObjectTriggerDeps, change: ObjectChange): Promise<void> {
  await deps.watch.currentSince(sinceEvent(Date.parse(change.time)));
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
    (t) =>
      deps.fire(t, {
        argument: s3EventOf(change, t),
        ref: { id: t.id, name: t.name, kind: t.kind, object: change.name, event: change.event, ...chain },
        id: chainedExecutionId(change.id, t.id, atMs),
        ...(change.event === 'created' ? { inputs: [change.name] } : {}),
        outputs: true,
      }),
    { logger: deps.logger, about: { object: change.name, change: change.id } },
  );
}
