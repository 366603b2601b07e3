import { randomUUID } from 'node:crypto';
import {
  NotFoundError,
  refusalFor,
  retryPassing,
  triggerKey,
  type AccountControl,
  type FunctionDefinition,
  type TriggerDefinition,
  type TriggerRef,
} from '@faas/common';
import type { KV } from 'nats';
import { submitExecution, type ExecutionDeps } from '../executions/executions.js';
import type { FunctionResolver } from '../functions/registry-client.js';
import type { ScheduleEntry } from './trigger-watch.js';

export interface FireDeps extends ExecutionDeps {
  /** The `functions` bucket: a trigger carries no user token to ask the registry with. */
  readonly functionsKv: KV;
  readonly accountControl: (userId: string) => AccountControl | undefined;
}

/** Reads the owner's definition from KV: the same answer the registry gives, without a token. */
export function kvFunctionResolver(kv: KV): FunctionResolver {
  return {
    async getFunction(name, caller) {
      const entry = await kv.get(triggerKey(caller.principal.id, name));
      if (!entry || entry.operation !== 'PUT') throw new NotFoundError(`function ${name} not found`);
      return entry.json<FunctionDefinition>();
    },
  };
}

export const triggerRefOf = (trigger: Pick<TriggerDefinition, 'id' | 'name' | 'kind'>, extra: Partial<TriggerRef> = {}): TriggerRef => ({
  id: trigger.id,
  name: trigger.name,
  kind: trigger.kind,
  ...extra,
});

/** The trigger's function or owner no longer exists: a schedule is disabled (scheduler.ts), not refused every tick. */
export class TriggerGoneError extends NotFoundError {}

/**
 * Starts an async execution for a trigger through the same submit path as a client's (quota,
 * records, queue), as its owner. A disabled account fires nothing; a deleted account or a missing
 * function is a TriggerGoneError.
 */
export async function fireTrigger(
  deps: FireDeps,
  trigger: TriggerDefinition,
  input: { argument: string; ref: TriggerRef; requestId?: string; id?: string; inputs?: readonly string[]; outputs?: boolean },
): Promise<string> {
  const control = deps.accountControl(trigger.userId);
  const refusal = refusalFor(control, { id: trigger.userId, username: '', role: 'user' });
  if (refusal) throw new (control?.deleted ? TriggerGoneError : NotFoundError)(`trigger ${trigger.name} does not fire: ${refusal}`);
  const caller = { principal: { id: trigger.userId, username: '', role: 'user' }, token: '', requestId: input.requestId ?? randomUUID() };
  const fn = await kvFunctionResolver(deps.functionsKv).getFunction(trigger.function, caller).catch((err: unknown) => {
    throw err instanceof NotFoundError ? new TriggerGoneError(err.message, { cause: err }) : err;
  });
  // The definition just read is the one submitted: one KV read per fire.
  const submitDeps = { ...deps, functions: { getFunction: () => Promise.resolve(fn) } };
  const { argument, ref, id, inputs, outputs } = input;
  const files = { ...(inputs ? { inputs } : {}), ...(outputs === undefined ? {} : { outputs }) };
  const { record } = await submitExecution(submitDeps, caller, { name: trigger.function, argument, trigger: ref, ...(id ? { id } : {}), ...files }, false);
  deps.logger.info({ executionId: record.id, trigger: trigger.id, kind: trigger.kind, function: trigger.function }, 'trigger fired');
  return record.id;
}

/**
 * Fires a schedule's tick with the argument of its stored definition, read now: the scheduler
 * keeps no arguments. A definition replaced (new id) or disabled since the watch saw it fires nothing.
 */
export async function fireSchedule(deps: FireDeps & { readonly triggersKv: KV }, entry: ScheduleEntry, ref: TriggerRef): Promise<string | undefined> {
  const stored = await retryPassing(() => deps.triggersKv.get(triggerKey(entry.userId, entry.name)));
  const trigger = stored?.operation === 'PUT' ? stored.json<TriggerDefinition>() : undefined;
  if (trigger?.kind !== 'schedule' || trigger.id !== entry.id || !trigger.enabled) return undefined;
  return fireTrigger(deps, trigger, { argument: trigger.argument, ref });
}
