import { httpStatusOf, type ExecutionRecord, type RerunCause } from '@faas/common';
import type { IncomingExecution } from './execution-request.js';
import type { ContainerOutcome, ResolvedLimits } from './ports.js';

/**
 * The record the publisher writes, for when it is not there: written beside the publish, it may
 * come after the message; or the publisher crashed before writing it.
 */
export function queuedRecordFor(request: IncomingExecution, now: Date): ExecutionRecord {
  return {
    id: request.id,
    user: request.userId,
    function: request.function,
    image: request.image,
    status: 'queued',
    result: null,
    logs: null,
    exitCode: null,
    truncated: false,
    durationMs: null,
    queuedAt: request.queuedAt ?? now.toISOString(),
    startedAt: null,
    finishedAt: null,
    attempt: 0,
    spawner: null,
    ...(request.traceId ? { traceId: request.traceId } : {}),
    ...(request.http ? { http: request.http } : {}),
  };
}

/** `rerun`: why this attempt runs again (its previous spawner died); a stale cause is dropped. */
export function runningRecord(base: ExecutionRecord, attempt: number, spawner: string, now: Date, rerun?: RerunCause): ExecutionRecord {
  const { error: _previousError, rerun: _previousCause, ...rest } = base;
  return { ...rest, status: 'running', startedAt: now.toISOString(), finishedAt: null, attempt, spawner, ...(rerun ? { rerun } : {}) };
}

/** Maps what the container did to the record's final state. */
export function finishedRecord(running: ExecutionRecord, outcome: ContainerOutcome, limits: ResolvedLimits, now: Date): ExecutionRecord {
  const base = {
    ...running,
    result: outcome.stdout,
    logs: outcome.stderr,
    exitCode: outcome.exitCode,
    truncated: outcome.truncated,
    durationMs: outcome.durationMs,
    finishedAt: now.toISOString(),
    ...(outcome.outputs ? { outputs: outcome.outputs } : {}),
  };
  if (outcome.timedOut) {
    return { ...base, status: 'timed_out', error: `timed out after ${limits.timeoutMs} ms; the container was killed` };
  }
  if (outcome.oomKilled) {
    return { ...base, status: 'failed', error: `out of memory: killed at the ${limits.memoryMb} MiB limit` };
  }
  if (outcome.exitCode === 0) return { ...base, status: 'succeeded' };
  return { ...base, status: 'failed', error: `exited with code ${String(outcome.exitCode)}` };
}

export function errorRecord(running: ExecutionRecord, reason: string, now: Date): ExecutionRecord {
  return { ...running, status: 'error', error: reason, finishedAt: now.toISOString() };
}

/** An HTTP function's final record keeps the status its answer has (docs/http-functions.md). */
export function withHttpStatus(final: ExecutionRecord): ExecutionRecord {
  return final.http ? { ...final, http: { ...final.http, status: httpStatusOf(final) } } : final;
}
