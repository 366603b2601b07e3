import type { ExecutionRecord, ExecutionRequest, FunctionDefinition, HttpRef, TriggerRef } from '@faas/common';

/** The record of an execution just accepted. */
export function queuedRecord(id: string, userId: string, fn: FunctionDefinition, queuedAt: string, extra: { traceId?: string; trigger?: TriggerRef; http?: HttpRef }): ExecutionRecord {
  return {
    id, user: userId, function: fn.name, image: fn.image, status: 'queued', result: null, logs: null, exitCode: null,
    truncated: false, durationMs: null, queuedAt, startedAt: null, finishedAt: null, attempt: 0, spawner: null,
    ...(extra.traceId ? { traceId: extra.traceId } : {}),
    ...(extra.trigger ? { trigger: extra.trigger } : {}),
    ...(extra.http ? { http: extra.http } : {}),
  };
}

/** What a spawner gets: the function as it is defined now, and the caller's input. */
export function requestFor(record: ExecutionRecord, fn: FunctionDefinition, input: { readonly argument: string; readonly inputs?: readonly string[]; readonly outputs?: boolean }): ExecutionRequest {
  return {
    id: record.id, userId: record.user, function: fn.name, image: fn.image, argument: input.argument, env: fn.env ?? {}, queuedAt: record.queuedAt,
    limits: { timeoutSeconds: fn.timeoutSeconds, memoryMb: fn.memoryMb, cpus: fn.cpus, network: fn.network },
    revision: fn.revision,
    ...(fn.warm === undefined ? {} : { warm: fn.warm }),
    ...(fn.runtime === undefined ? {} : { runtime: fn.runtime }),
    ...(fn.secrets?.length ? { secrets: fn.secrets } : {}),
    ...(input.inputs && input.inputs.length > 0 ? { inputs: input.inputs } : {}),
    ...(input.outputs !== undefined ? { outputs: input.outputs } : {}),
    ...(record.traceId ? { traceId: record.traceId } : {}),
    ...(record.http ? { http: record.http } : {}),
  };
}
