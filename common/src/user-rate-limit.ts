import type { KV, NatsConnection } from 'nats';
import { RateLimitedError } from './errors.js';
import { createTokenVerifier, type Principal, type TokenSettings, type TokenVerifier } from './jwt.js';
import { compareAndSet } from './kv.js';
import { openRequestCounter } from './request-counter.js';

/** `<key>.<window start>`: one revision-checked counter per key and fixed window (the webhooks' per-trigger limits). */
export const USER_REQUESTS_BUCKET = 'user-requests';
/** `user-requests` keeps counters this long (auth owns the bucket). */
export const USER_REQUESTS_TTL_MS = 2 * 3_600 * 1000;
const ATTEMPTS = 20;

export interface UserRateLimit {
  readonly count: number;
  readonly windowSeconds: number;
}

/**
 * Counts one hit of the key in the current window with a revision-checked create or update,
 * refusing (429) past `count`. Concurrent hits retry; a hit that loses ATTEMPTS races is refused
 * too (never passed uncounted). Per-key counts that differ (a webhook's own rate) need this; the per-user limit,
 * one count for everyone, uses the cheaper stream counter (request-counter.ts).
 */
export function createUserRateLimiter(kv: KV, limit: UserRateLimit, now: () => number = Date.now): (userId: string) => Promise<void> {
  const windowMs = limit.windowSeconds * 1000;
  const refuse = (start: number): RateLimitedError =>
    new RateLimitedError(`more than ${limit.count} requests in ${limit.windowSeconds} s for this user; retry later`, Math.max(1, Math.ceil((start + windowMs - now()) / 1000)));
  const count = (key: string, start: number): Promise<void> =>
    compareAndSet(
      kv,
      key,
      (live) => {
        const used = live ? Number(live.string()) : 0;
        if (used >= limit.count) throw refuse(start);
        return String(used + 1);
      },
      { races: ATTEMPTS, tooMany: () => new RateLimitedError('too many requests at once; retry later', 1) },
    );
  return async (userId) => {
    const start = Math.floor(now() / windowMs) * windowMs;
    await count(`${userId}.${start}`, start);
  };
}

/**
 * A verified token's user, and the request's count against the per-user limit, still running:
 * `counted` rejects with RateLimitedError past the limit. It is always observed (never an
 * unhandled rejection), so a caller that fails first may leave it unawaited.
 */
export interface Admission {
  readonly principal: Principal;
  readonly counted: Promise<void>;
}

export type AdmissionVerifier = (token: string) => Promise<Admission>;

/**
 * The service's token verifier, plus the per-user request limit when one is configured: every
 * request that carries a valid token counts against its user, whichever token (login) it is.
 * The count starts once the token is verified and is not awaited here: the execution submits
 * await it beside their quota hold, every other route through `blockingVerifier`.
 */
export async function createUserAdmission(
  nc: NatsConnection,
  settings: Pick<TokenSettings, 'secret' | 'issuer' | 'audience'> & { userRateLimit: UserRateLimit },
  replicas: number,
): Promise<AdmissionVerifier> {
  const verify = createTokenVerifier(settings);
  const hit = settings.userRateLimit.count === 0 ? undefined : await openRequestCounter(nc, settings.userRateLimit, { replicas });
  return async (token) => {
    const principal = await verify(token);
    const counted = hit ? hit(principal.id) : Promise.resolve();
    counted.catch(() => undefined);
    return { principal, counted };
  };
}

/** The admission as a plain verifier: the request waits for its count (429 past the limit). */
export function blockingVerifier(admit: AdmissionVerifier): TokenVerifier {
  return async (token) => {
    const { principal, counted } = await admit(token);
    await counted;
    return principal;
  };
}

/** createUserAdmission, counted before the principal is returned. */
export async function createUserTokenVerifier(...args: Parameters<typeof createUserAdmission>): Promise<TokenVerifier> {
  return blockingVerifier(await createUserAdmission(...args));
}
