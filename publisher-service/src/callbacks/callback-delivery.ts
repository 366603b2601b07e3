import { ConflictError, FINAL_STATUSES, ValidationError, retryPassing, type CallbackState, type ExecutionStore, type Logger } from '@faas/common';
import type { CallbackStep, PendingCallback } from './callback-queue.js';
import { postCallback, type CallbackOptions } from './callbacks.js';

export interface CallbackDeliveryDeps {
  readonly store: ExecutionStore;
  readonly options: CallbackOptions;
  /** The key the user's callbacks are signed with (undefined: sent unsigned). */
  readonly signingKey?: (userId: string) => Promise<string | undefined>;
  readonly logger: Logger;
}

/** A callback whose execution is not final yet is looked at again after 0.5 s, 1 s, ... up to 5 s. */
const notFinalPauseMs = (delivery: number): number => Math.min(500 * delivery, 5_000);

/**
 * One delivery of a queued callback. Waits (back on the queue) until the execution is final,
 * then makes one attempt and records it in the execution record (`callback`), so the count of
 * attempts and the backoff survive a publisher restart; a record that already says `delivered`
 * or `failed` (a duplicate message) is not sent again.
 */
export async function deliverQueuedCallback(deps: CallbackDeliveryDeps, pending: PendingCallback, delivery = 1): Promise<CallbackStep> {
  const stored = await deps.store.get(pending.id);
  if (!stored) {
    // Read from the bucket's leader (start-callbacks.ts): no record there means it expired.
    deps.logger.warn({ executionId: pending.id }, 'callback dropped: its execution record is gone');
    return { kind: 'done' };
  }
  if (!FINAL_STATUSES.has(stored.record.status)) return { kind: 'later', delayMs: notFinalPauseMs(delivery) };
  const prior = stored.record.callback;
  if (prior && prior.status !== 'retrying') return { kind: 'done' };
  const attempts = (prior?.attempts ?? 0) + 1;
  // Read before the attempt: a KV fault here is retried by the queue, not counted as an attempt.
  const key = await deps.signingKey?.(stored.record.user);
  let state: CallbackState;
  try {
    const { callback: _previous, ...record } = stored.record;
    await postCallback(pending.url, record, deps.options, key);
    state = { status: 'delivered', attempts };
  } catch (err) {
    const lastError = err instanceof Error ? err.message : String(err);
    const last = err instanceof ValidationError || attempts >= deps.options.maxAttempts;
    state = { status: last ? 'failed' : 'retrying', attempts, lastError };
  }
  await retryPassing(() => recordState(deps.store, pending.id, state));
  deps.logger.info({ executionId: pending.id, ...state }, 'callback attempt');
  if (state.status !== 'retrying') return { kind: 'done' };
  return { kind: 'later', delayMs: deps.options.backoffMs * 2 ** (attempts - 1) };
}

/** Revision-checked, re-read on a conflict: the final record itself is never replaced. */
async function recordState(store: ExecutionStore, id: string, state: CallbackState): Promise<void> {
  for (let tries = 0; ; tries++) {
    const stored = await store.get(id);
    if (!stored) return;
    try {
      await store.update({ ...stored.record, callback: state }, stored.revision);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || tries >= 5) throw err;
    }
  }
}
