import { ConflictError, UnavailableError, retryPassing, type ExecutionRecord, type ExecutionRequest, type MessageContext, type RetryPassingOptions } from '@faas/common';
import { abandon, settleAll } from './abandon.js';
import type { ExecutionDeps } from './executions.js';
import type { ResultWait } from './work-queue.js';

/** An execution id exists already (a chained submit's): nothing was queued again. */
export class AlreadySubmittedError extends ConflictError {}

export interface QueuePlan {
  readonly record: ExecutionRecord;
  readonly request: ExecutionRequest;
  /** Set when the caller chose the id (a chain): a record already there means AlreadySubmittedError. */
  readonly clientId: boolean;
  readonly callbackUrl?: string;
  /** Set by a trigger: such a record is always written before its request (its depth stops loops). */
  readonly triggered: boolean;
  readonly context: MessageContext;
  readonly waitForResult: boolean;
}

type Deps = Pick<ExecutionDeps, 'store' | 'index' | 'quota' | 'queue' | 'enqueueCallback' | 'logger'>;

/**
 * Writes the `queued` record and its index entry and publishes the request. A plain submit (no
 * callback, no chosen id, no trigger) does all three at once: one round trip on the caller's path
 * instead of two. Its spawner may then get the message before the record, and builds the same one
 * from the message (traceId and http travel in it). Otherwise the record (and the callback, queued
 * so that no result can come before its callback is known) comes first, then the publish.
 * A publish that failed abandons the execution (abandon.ts); returns the result wait, if asked for.
 */
export async function queueRequest(deps: Deps, plan: QueuePlan, patience: RetryPassingOptions, finalRecord: (id: string) => Promise<ExecutionRecord | undefined>): Promise<ResultWait | undefined> {
  const { record, request } = plan;
  const id = record.id;
  // The subscription exists before the publish, so a fast result cannot be missed.
  const wait = plan.waitForResult ? deps.queue.waitForResult(id, () => finalRecord(id)) : undefined;
  const publish = (): Promise<void> => retryPassing(() => deps.queue.publish(request, plan.context), patience);
  try {
    if (!plan.clientId && !plan.triggered && plan.callbackUrl === undefined) {
      const [written, published] = await Promise.allSettled([writeRecord(deps, plan, patience), publish()]);
      if (published.status === 'rejected') throw published.reason;
      // Queued: its spawner writes the record from the message. Only the listing may miss it.
      if (written.status === 'rejected') deps.logger.warn({ executionId: id, err: written.reason }, 'execution queued, but its record or index entry was not written');
      return wait;
    }
    await writeRecord(deps, plan, patience);
    const { callbackUrl } = plan;
    if (callbackUrl) await retryPassing(() => deps.enqueueCallback({ id, user: record.user, url: callbackUrl }), patience);
    await publish();
    return wait;
  } catch (err) {
    // Not ours to abandon: the record, its quota hold (keyed by the id) and its message are the first submit's.
    if (err instanceof AlreadySubmittedError) {
      wait?.cancel();
      throw err;
    }
    if ((await abandon(deps, record, err)) === 'abandoned') {
      wait?.cancel();
      throw new UnavailableError('could not queue the execution; try again', { cause: err });
    }
    // The publish failed for us (a lost PubAck) but the message was stored and a spawner has it:
    // answering 503 would make the client run the function a second time.
    deps.logger.warn({ executionId: id, err }, 'publish reported a failure, but the execution was queued: answering as queued');
    return wait;
  }
}

/**
 * The record (create) and its index entry, concurrently. A create that meets a record means an
 * earlier try of ours landed, or (published beside it) a spawner wrote it first; only a chained
 * submit's first try that meets one is AlreadySubmittedError.
 */
function writeRecord(deps: Deps, plan: QueuePlan, patience: RetryPassingOptions): Promise<void> {
  const { record } = plan;
  let tries = 0;
  return retryPassing(() => {
    const first = tries++ === 0;
    const created = deps.store.create(record).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
      if (first && plan.clientId) throw new AlreadySubmittedError(`execution ${record.id} exists`, { cause: err });
    });
    const entry = { function: record.function, ...(plan.callbackUrl ? { callbackUrl: plan.callbackUrl } : {}) };
    return settleAll([created, deps.index.add(record.user, record.id, entry)]);
  }, patience);
}
