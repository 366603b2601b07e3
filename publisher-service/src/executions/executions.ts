import {
  FINAL_STATUSES,
  ELECTION_BUDGET_MS,
  retryPassing,
  TooLargeError,
  type ExecutionRecord,
  type ExecutionStore,
  type FunctionDefinition,
  type Logger,
  type Principal,
  type HttpRef,
  type TraceHeaders,
  type TriggerRef,
} from '@faas/common';
import type { PendingCallback } from '../callbacks/callback-queue.js';
import type { ExecutionIndex } from './execution-index.js';
import type { InputCheck } from './input-check.js';
import type { EarlyHold } from './early-hold.js';
import { holdSlot } from './hold-slot.js';
import { newExecutionId } from './ids.js';
import { queuedRecord, requestFor } from './queued-record.js';
import type { QuotaStore } from '../quota/quota-store.js';
import type { CallerContext, FunctionResolver } from '../functions/registry-client.js';
import type { ResultWait, WorkQueue } from './work-queue.js';
import { queueRequest } from './queue-request.js';

export { AlreadySubmittedError } from './queue-request.js';

export interface ExecutionDeps {
  readonly functions: FunctionResolver;
  /** Read from the bucket's leader: submit, abandon and what else decides on a record. */
  readonly store: ExecutionStore;
  /** Clients' reads (any replica: a poll may be a moment stale, and is answered during an election); absent: store. */
  readonly reads?: Pick<ExecutionStore, 'get'>;
  readonly index: ExecutionIndex;
  readonly quota: QuotaStore;
  readonly queue: WorkQueue;
  readonly checkCallback: (url: string) => Promise<unknown>;
  /** Puts a callback on the durable queue; safe to repeat (the execution id is its msg id). */
  readonly enqueueCallback: (pending: PendingCallback) => Promise<void>;
  readonly maxArgumentBytes: number;
  readonly logger: Logger;
  /** Whether the caller's inputs exist; absent: only the spawner checks them. */
  readonly checkInputs?: InputCheck;
  /** How long a request retries passing NATS faults before it answers 503 (default ELECTION_BUDGET_MS, 20 s). */
  readonly retryBudgetMs?: number;
}

export interface Caller extends CallerContext {
  readonly principal: Principal;
  /** The accept span's trace: its id goes into the record, its headers onto the NATS message. */
  readonly trace?: { readonly traceId: string; readonly headers: TraceHeaders };
  /** The request's count against the per-user limit, still running (the submit routes): joined with the quota hold. */
  readonly admitted?: Promise<void>;
  /** The quota hold the submit route asked for already: the execution gets its id. */
  readonly hold?: EarlyHold;
}

export interface SubmitInput {
  readonly name: string;
  readonly argument: string;
  readonly callbackUrl?: string;
  /** Object names of the caller's, placed under /faas/in. */
  readonly inputs?: readonly string[];
  readonly outputs?: boolean;
  /** Set when a trigger (not a client) starts the execution: kept in the record. */
  readonly trigger?: TriggerRef;
  /** Set when an HTTP request to an HTTP function starts it: kept in the record. */
  readonly http?: HttpRef;
  /**
   * A chained execution's id, a function of its source and its trigger: the record is created
   * only if absent, and AlreadySubmittedError says another submit of the same id came first.
   */
  readonly id?: string;
  /** `id` was just made by newExecutionId (an HTTP call's, which its event carries): no other submit has it. */
  readonly newId?: true;
}

export interface Submitted {
  readonly record: ExecutionRecord;
  readonly fn: FunctionDefinition;
  readonly wait?: ResultWait;
}

/**
 * Resolves the function, takes a quota slot, writes the `queued` record and queues the request
 * (queue-request.ts). With `waitForResult`, the result subscription exists before the publish.
 */
export async function submitExecution(deps: ExecutionDeps, caller: Caller, input: SubmitInput, waitForResult: boolean): Promise<Submitted> {
  const bytes = Buffer.byteLength(input.argument, 'utf8');
  if (bytes > deps.maxArgumentBytes) throw new TooLargeError(`argument is ${bytes} bytes; the limit is ${deps.maxArgumentBytes}`);
  if (input.callbackUrl !== undefined) await deps.checkCallback(input.callbackUrl);
  // Passing faults (a NATS leader election) are retried within one budget for the whole submit.
  const patience = {
    deadline: Date.now() + (deps.retryBudgetMs ?? ELECTION_BUDGET_MS),
    onRetry: (err: unknown, attempt: number) => deps.logger.warn({ err: (err as Error).message, attempt }, 'passing fault while queuing; retrying'),
  };
  const fn = await retryPassing(() => deps.functions.getFunction(input.name, caller), patience);
  const userId = caller.principal.id;
  // A missing input (or another user's) is a 404 now; the spawner checks again before the run.
  if (input.inputs && input.inputs.length > 0) await retryPassing(async () => deps.checkInputs?.(userId, input.inputs ?? []), patience);
  const id = caller.hold?.id ?? input.id ?? newExecutionId();
  const record = queuedRecord(id, userId, fn, new Date().toISOString(), { ...(caller.trace ? { traceId: caller.trace.traceId } : {}), ...(input.trigger ? { trigger: input.trigger } : {}), ...(input.http ? { http: input.http } : {}) });
  const request = requestFor(record, fn, input);
  // A 413 now, before any write: a message past the NATS limit would fail the publish (a 503).
  deps.queue.assertFits?.(request);
  // Safe to repeat: a hold is keyed by the execution id. The request's count runs beside it.
  await holdSlot(deps, { userId, id, ...(caller.admitted ? { admitted: caller.admitted } : {}), ...(caller.hold ? { held: caller.hold.take() } : {}) }, patience);
  // The request id and the trace context travel in the message headers, to the spawner's logs and spans.
  const context = { requestId: caller.requestId, ...(caller.trace ? { trace: caller.trace.headers } : {}) };
  const plan = { record, request, clientId: input.id !== undefined && !input.newId, triggered: input.trigger !== undefined, context, waitForResult, ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}) };
  const wait = await queueRequest(deps, plan, patience, (executionId) => finalRecord(deps, executionId));
  deps.logger.info({ executionId: id, function: fn.name, image: fn.image }, 'execution queued');
  return { record, fn, ...(wait ? { wait } : {}) };
}

/** Where a client's reads go: any replica (`reads`), or `store` when no such handle was given. */
export const clientReads = (deps: Pick<ExecutionDeps, 'store' | 'reads'>): Pick<ExecutionStore, 'get'> => deps.reads ?? deps.store;

async function finalRecord(deps: Pick<ExecutionDeps, 'store' | 'reads'>, id: string): Promise<ExecutionRecord | undefined> {
  const stored = await clientReads(deps).get(id);
  return stored && FINAL_STATUSES.has(stored.record.status) ? stored.record : undefined;
}
