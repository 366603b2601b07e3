import { NatsError } from 'nats';
import { AppError } from './errors.js';

/**
 * NATS failure codes that mean "the cluster cannot answer right now": no responders (a stream or
 * KV bucket electing a new leader after a node loss), timeouts, a connection being replaced.
 */
const NATS_PASSING_CODES = new Set(['503', 'TIMEOUT', 'DISCONNECT', 'CONNECTION_CLOSED', 'CONNECTION_DRAINING', 'CONNECTION_REFUSED', 'CONNECTION_TIMEOUT']);
const PASSING_MESSAGE = /no responders|jetstream not ready|temporarily unavailable|timed? ?out/i;

/** A NATS fault that passes by itself (503-class): worth a retry, a 503 only when it lasts. */
export function isNatsPassingFault(err: unknown): boolean {
  if (!(err instanceof NatsError)) return false;
  return NATS_PASSING_CODES.has(err.code) || err.api_error?.code === 503 || PASSING_MESSAGE.test(err.message);
}

/** A passing fault: a 503-class NATS error, or our own UnavailableError (a dependency down). */
export function isPassingFault(err: unknown): boolean {
  if (err instanceof AppError) return err.code === 'UNAVAILABLE';
  return isNatsPassingFault(err);
}

/** How long a request retries passing faults before it answers 503: under a client's patience. */
export const PASSING_FAULT_BUDGET_MS = 10_000;

/**
 * How long a submission (and a poll of its record) waits out a leader election before it answers
 * 503. nats-server 2.10 elects in one or two rounds of a 4-9 s timeout (`raft.go`): a candidate
 * whose log is behind the other survivor's loses the first, and the second ends up to 18 s after
 * the leader's loss. The proof's node loss met one of 13.8 s (fresh clone R, stop 35), and 8
 * submits answered 503 at the 10 s budget.
 */
export const ELECTION_BUDGET_MS = 20_000;

/**
 * One NATS request's timeout where its caller retries passing faults (KV operations, stream
 * publishes). A request forwarded to a node that vanished without a FIN is lost until the route is
 * found dead (6-9 s with nats-cluster.conf's pings), and one to a stream still electing is
 * dropped: with 10 s, a 20 s budget held two tries and the multi-node e2e's polls answered 503
 * after both timed out; with 5 s it holds four.
 */
export const NATS_TRY_TIMEOUT_MS = 5_000;

export interface RetryPassingOptions {
  /** Retry for this long from now (default PASSING_FAULT_BUDGET_MS)... */
  readonly budgetMs?: number;
  /** ...or until this epoch ms (several calls of one request sharing one budget). */
  readonly deadline?: number;
  /** First pause; doubles up to maxDelayMs. */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `fn`, retrying passing faults (isPassingFault) with backoff until the budget is spent;
 * any other error, or a passing one past the budget, is thrown as it is. Only for operations
 * that are safe to repeat (idempotent, or made so by the caller).
 */
export async function retryPassing<T>(fn: () => Promise<T>, options: RetryPassingOptions = {}): Promise<T> {
  const deadline = options.deadline ?? Date.now() + (options.budgetMs ?? PASSING_FAULT_BUDGET_MS);
  const maxDelay = options.maxDelayMs ?? 1_000;
  let delay = options.firstDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const pause = Math.min(delay, deadline - Date.now());
      if (pause <= 0 || !isPassingFault(err)) throw err;
      options.onRetry?.(err, attempt);
      await new Promise((resolve) => setTimeout(resolve, pause));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
