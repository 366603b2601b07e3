import type { FunctionLimits, FunctionRuntime } from './schemas.js';

/** Executions: their statuses, the request on the queue, the stored record. */
export const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'error'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['succeeded', 'failed', 'timed_out', 'error']);

/** The execution request on stream EXECUTIONS (message id = execution id). */
export interface ExecutionRequest {
  readonly id: string;
  readonly userId: string;
  readonly function: string;
  readonly image: string;
  readonly argument: string;
  readonly env: Readonly<Record<string, string>>;
  readonly limits: FunctionLimits;
  /** Names only: the spawner resolves the values for the run; a value never travels on the stream. */
  readonly secrets?: readonly string[];
  readonly queuedAt: string;
  /** The function definition's revision: part of the warm-container key. */
  readonly revision?: number;
  /** The definition's warm setting; absent: the spawner's default. */
  readonly warm?: boolean;
  /** The definition's runtime; absent: "exec". */
  readonly runtime?: FunctionRuntime;
  /** Object names (the caller's own) placed read-only under /faas/in/<name>. */
  readonly inputs?: readonly string[];
  /** Collect what the function writes under /faas/out/ (implied by inputs). */
  readonly outputs?: boolean;
  /**
   * The `queued` record's own fields, so a spawner that gets the message before the record
   * (it is written beside the publish: docs/execution-path.md) builds the same record.
   */
  readonly traceId?: string;
  readonly http?: HttpRef;
}

/** One collected output: downloadable as `executions/<executionId>/<path>`. */
export interface OutputFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

export interface ExecutionOutputs {
  readonly files: readonly OutputFile[];
  /** Past the count or size cap: files not stored. */
  readonly truncated: boolean;
  /** Links, devices and other entries that are not regular files, never followed. */
  readonly skipped: number;
}

/** The execution record in KV `executions`. */
export interface ExecutionRecord {
  readonly id: string;
  readonly user: string;
  readonly function: string;
  readonly image: string;
  readonly status: ExecutionStatus;
  readonly result: string | null;
  readonly logs: string | null;
  readonly exitCode: number | null;
  readonly truncated: boolean;
  readonly durationMs: number | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempt: number;
  readonly spawner: string | null;
  readonly error?: string;
  readonly inputs?: readonly string[];
  readonly outputs?: ExecutionOutputs;
  /** Set by the publisher as it delivers the callback (docs/reliability.md). */
  readonly callback?: CallbackState;
  /** The W3C trace id of the request that queued it (docs/tracing.md). */
  readonly traceId?: string;
  /** Set when this attempt runs again because the spawner running it died (its lease lapsed). */
  readonly rerun?: RerunCause;
  /** What started the execution, when a trigger did (docs/triggers.md); absent for a client's call. */
  readonly trigger?: TriggerRef;
  /** Set when an HTTP request started it (docs/http-functions.md). */
  readonly http?: HttpRef;
}

/** The `http` field of an HTTP function's record: the request, and once final the status it answers. */
export interface HttpRef {
  readonly method: string;
  /** The path after the function's own prefix (the event's rawPath). */
  readonly path: string;
  readonly status?: number;
}

export interface RerunCause {
  /** The spawner whose run was given up. */
  readonly previousSpawner: string;
  readonly reason: string;
}

/** The `trigger` field of a triggered execution's record. */
export interface TriggerRef {
  readonly id: string;
  readonly name: string;
  readonly kind: 'schedule' | 'webhook' | 'function-finished' | 'object';
  /** schedule: the tick (ISO time) this execution is for; `missed` when it fired late, after downtime. */
  readonly tick?: string;
  readonly missed?: boolean;
  /** function-finished (and object, for an output): the execution whose end or output started this one, and the chain's length so far. */
  readonly sourceExecution?: string;
  readonly depth?: number;
  /** object: the object's name and what happened to it. */
  readonly object?: string;
  readonly event?: string;
}

export interface CallbackState {
  /** `retrying` until the last attempt. */
  readonly status: 'delivered' | 'retrying' | 'failed';
  readonly attempts: number;
  readonly lastError?: string;
}
