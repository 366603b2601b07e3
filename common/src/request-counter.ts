import { randomUUID } from 'node:crypto';
import { DiscardPolicy, Empty, StorageType, nanos, type NatsConnection, type StreamConfig } from 'nats';
import { RateLimitedError } from './errors.js';
import { ELECTION_BUDGET_MS, NATS_TRY_TIMEOUT_MS, retryPassing } from './retry.js';

/** One subject per user and fixed window, `faas.user-requests.<userId>.<window start>`: one message per request. */
export const USER_REQUESTS_STREAM = 'USER_REQUESTS';
export const USER_REQUESTS_SUBJECTS = 'faas.user-requests';
/** Checks one user may have waiting on the store in this process; past it a request is refused at once. */
export const MAX_CHECKS_IN_FLIGHT = 32;
const FULL_KEYS_KEPT = 100_000;

export interface RequestLimit {
  readonly count: number;
  readonly windowSeconds: number;
}

/** JetStream's answer to a publish past `max_msgs_per_subject` with `discard_new_per_subject`. */
function isSubjectFull(err: unknown): boolean {
  const apiCode = (err as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
  return apiCode === 10077 || (err instanceof Error && /maximum messages per subject exceeded/i.test(err.message));
}

function streamConfig(limit: RequestLimit, replicas: number): Partial<StreamConfig> & { name: string } {
  const windowMs = limit.windowSeconds * 1000;
  return {
    name: USER_REQUESTS_STREAM,
    subjects: [`${USER_REQUESTS_SUBJECTS}.>`],
    storage: StorageType.File,
    num_replicas: replicas,
    // The server refuses the (count + 1)-th message of a subject: counting is one publish, no read, no race.
    max_msgs_per_subject: limit.count,
    discard: DiscardPolicy.New,
    discard_new_per_subject: true,
    max_age: nanos(2 * windowMs),
    duplicate_window: nanos(Math.min(2 * windowMs, 120_000)),
  };
}

/**
 * Creates the counter stream, or brings an existing one to this limit (every service is given the
 * same limit; the last to start wins when they differ).
 */
async function ensureStream(nc: NatsConnection, limit: RequestLimit, replicas: number): Promise<void> {
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  const config = streamConfig(limit, replicas);
  try {
    await jsm.streams.add(config);
  } catch (err) {
    const apiCode = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
    if (apiCode !== 10058 && !/already in use/i.test((err as Error).message)) throw err;
    await jsm.streams.update(config.name, config);
  }
}

/**
 * A per-key request counter shared by every process on the cluster: each request publishes one
 * message to its key's subject for the window, and the stream refuses the one past the limit
 * (429). A key known full skips the store until its window ends, and at most MAX_CHECKS_IN_FLIGHT
 * checks per key wait on the store at once: a burst costs the store little.
 */
export async function openRequestCounter(
  nc: NatsConnection,
  limit: RequestLimit,
  options: { replicas: number; now?: () => number; maxInFlight?: number },
): Promise<(key: string) => Promise<void>> {
  await ensureStream(nc, limit, options.replicas);
  const js = nc.jetstream({ timeout: NATS_TRY_TIMEOUT_MS });
  const now = options.now ?? Date.now;
  const maxInFlight = options.maxInFlight ?? MAX_CHECKS_IN_FLIGHT;
  const windowMs = limit.windowSeconds * 1000;
  const inFlight = new Map<string, number>();
  const fullIn = new Map<string, number>();
  const refuse = (start: number): RateLimitedError =>
    new RateLimitedError(`more than ${limit.count} requests in ${limit.windowSeconds} s for this user; retry later`, Math.max(1, Math.ceil((start + windowMs - now()) / 1000)));

  /**
   * One publish: false when the subject is full. Every request with a token counts here, so a
   * leader election of the stream (a node loss) is waited out as a submission waits it out, not
   * answered 503 (the multi-node e2e saw 81, stop 37). The message id makes a retry whose first
   * try landed count once. A full subject is a 503 too for JetStream, but a final answer here.
   */
  const counted = (subject: string): Promise<boolean> => {
    const msgID = randomUUID();
    const publish = async (): Promise<boolean> => {
      try {
        await js.publish(subject, Empty, { msgID });
        return true;
      } catch (err) {
        if (isSubjectFull(err)) return false;
        throw err;
      }
    };
    return retryPassing(publish, { budgetMs: ELECTION_BUDGET_MS });
  };

  return async (key) => {
    const start = Math.floor(now() / windowMs) * windowMs;
    if (fullIn.get(key) === start) throw refuse(start);
    const waiting = inFlight.get(key) ?? 0;
    if (waiting >= maxInFlight) throw new RateLimitedError(`more than ${maxInFlight} requests at once for this user; retry later`, 1);
    inFlight.set(key, waiting + 1);
    try {
      if (await counted(`${USER_REQUESTS_SUBJECTS}.${key}.${start}`)) return;
      fullIn.delete(key);
      fullIn.set(key, start);
      if (fullIn.size > FULL_KEYS_KEPT) fullIn.delete(fullIn.keys().next().value ?? '');
      throw refuse(start);
    } finally {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    }
  };
}
