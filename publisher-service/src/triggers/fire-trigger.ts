import { randomUUID } from 'node:crypto';
import {
  NotFoundError,
  refusalFor,
  triggerKey,
  type AccountControl,
  type FunctionDefinition,
  type TriggerDefinition,
  type TriggerRef,
} from '@faas/common';
import type { KV } from 'nats';
import { submitExecution, type ExecutionDeps } from '../executions/executions.js';
import type { FunctionResolver } from '../functions/registry-client.js';

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

export const triggerRefOf = (trigger: TriggerDefinition, extra: Partial<TriggerRef> = {}): TriggerRef => ({
  id: trigger.id,
  name: trigger.name,
  kind: trigger.kind,
  ...extra,
});

/**
 * Starts an async execution for a trigger through the same submit path as a client's (quota,
 * records, queue), as its owner. A disabled or deleted account fires nothing.
 */
export async function fireTrigger(deps: FireDeps, trigger: TriggerDefinition, input: { argument: string; ref: TriggerRef; requestId?: string }): Promise<string> {
  const refusal = refusalFor(deps.accountControl(trigger.userId), { id: trigger.userId, username: '', role: 'user' });
  if (refusal) throw new NotFoundError(`trigger ${trigger.name} does not fire: ${refusal}`);
  const caller = { principal: { id: trigger.userId, username: '', role: 'user' }, token: '', requestId: input.requestId ?? randomUUID() };
  const submitDeps = { ...deps, functions: kvFunctionResolver(deps.functionsKv) };
  const { record } = await submitExecution(submitDeps, caller, { name: trigger.function, argument: input.argument, trigger: input.ref }, false);
  deps.logger.info({ executionId: record.id, trigger: trigger.id, kind: trigger.kind, function: trigger.function }, 'trigger fired');
  return record.id;
}
