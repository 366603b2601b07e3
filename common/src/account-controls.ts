import type { KV, KvEntry, NatsConnection } from 'nats';
import { BUCKETS } from './constants.js';
import { UnauthenticatedError } from './errors.js';
import { followBucket } from './follow-bucket.js';
import { openBucket } from './kv.js';
import type { Logger } from './logger.js';
import type { Principal, TokenVerifier } from './jwt.js';
import { blockingVerifier, type AdmissionVerifier } from './user-rate-limit.js';

/**
 * What every service must know about an account without asking auth per request. Auth writes
 * these (KV `accounts`, key = user id); every service keeps them in memory through a KV watch.
 */
export interface AccountControl {
  readonly disabled?: boolean;
  /** The account was deleted: its tokens are refused until they expire. */
  readonly deleted?: boolean;
  /** Tokens whose `gen` claim is lower were issued before a logout-all or a disable: refused. */
  readonly minTokenGeneration?: number;
  /** The admin's per-user override of the publisher's MAX_CONCURRENT_PER_USER. */
  readonly maxConcurrent?: number;
}

export interface AccountControls {
  get(userId: string): AccountControl | undefined;
  /** Why a verified token must still be refused, or undefined when it may pass. */
  refusal(principal: Principal): string | undefined;
  stop(): void;
}

export function refusalFor(control: AccountControl | undefined, principal: Principal): string | undefined {
  if (!control) return undefined;
  if (control.deleted) return 'user no longer exists';
  if (control.disabled) return 'user is disabled';
  if ((principal.generation ?? 0) < (control.minTokenGeneration ?? 0)) return 'token was revoked; log in again';
  return undefined;
}

export interface WatchOptions {
  readonly logger?: Logger;
  /** True once the connection is closing: a watch that ends then is not followed again. */
  readonly closing?: () => boolean;
}

/** Follows the `accounts` bucket; resolves once the current entries are loaded. */
export async function watchAccountControls(kv: KV, options: WatchOptions = {}): Promise<AccountControls> {
  const controls = new Map<string, AccountControl>();
  const apply = (entry: KvEntry): void => {
    if (entry.operation !== 'PUT') controls.delete(entry.key);
    else controls.set(entry.key, entry.json<AccountControl>());
  };
  const follower = followBucket(kv, apply, { what: 'account watch', ...options });
  try {
    await follower.ready;
  } catch (err) {
    follower.stop();
    throw err;
  }
  return {
    get: (userId) => controls.get(userId),
    refusal: (principal) => refusalFor(controls.get(principal.id), principal),
    stop: () => follower.stop(),
  };
}

/**
 * An admission that also refuses disabled, deleted and logged-out accounts' tokens. A refusal
 * waits for the count first, so a user over the limit sees its 429, as when the count came first.
 */
export function revocationAwareAdmission(admit: AdmissionVerifier, controls: Pick<AccountControls, 'refusal'>): AdmissionVerifier {
  return async (token) => {
    const admission = await admit(token);
    const refusal = controls.refusal(admission.principal);
    if (refusal) {
      await admission.counted;
      throw new UnauthenticatedError(refusal);
    }
    return admission;
  };
}

export interface AccountGuard {
  readonly kv: KV;
  readonly controls: AccountControls;
  /** Refused accounts, then the request's count, awaited. */
  readonly verifyToken: TokenVerifier;
  /** Refused accounts; the count is left running for the caller to await (the execution submits). */
  readonly admit: AdmissionVerifier;
}

/**
 * Opens the `accounts` bucket, follows it, and wraps a service's admission with it. Only auth
 * (`owner`) creates the bucket and sets its limits: a `max_age` on it would bring revoked tokens back.
 */
export async function openAccountGuard(
  nc: NatsConnection,
  replicas: number,
  admit: AdmissionVerifier,
  logger?: Logger,
  options: { owner?: boolean } = {},
): Promise<AccountGuard> {
  const { kv, controls } = await openAccountControls(nc, replicas, logger, options);
  const guarded = revocationAwareAdmission(admit, controls);
  return { kv, controls, admit: guarded, verifyToken: blockingVerifier(guarded) };
}

/** Opens the `accounts` bucket (auth, its owner, sets its settings) and follows it. */
export async function openAccountControls(
  nc: NatsConnection,
  replicas: number,
  logger?: Logger,
  options: { owner?: boolean } = {},
): Promise<{ kv: KV; controls: AccountControls }> {
  const kv = await openBucket(nc, BUCKETS.accounts, { replicas, ...(logger && options.owner ? { owner: logger } : {}) });
  const controls = await watchAccountControls(kv, { ...(logger ? { logger } : {}), closing: () => nc.isClosed() || nc.isDraining() });
  return { kv, controls };
}
