import { RateLimitedError, USERNAME_PATTERN } from '@faas/common';

/** Failed logins of one username or one address. */
export interface FailureRecord {
  readonly failures: number;
  readonly lastFailureAt: number;
  /** Epoch ms until which attempts are refused without checking the password; 0 when not blocked. */
  readonly blockedUntil: number;
}

export interface FailureStore {
  get(key: string): Promise<FailureRecord | undefined>;
  put(key: string, record: FailureRecord): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface LoginGuardSettings {
  readonly userFailuresBeforeBackoff: number;
  readonly addressFailuresBeforeBackoff: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Failures older than this (since the last one) are forgotten. */
  readonly failureWindowMs: number;
  readonly registrationsPerAddress: number;
  readonly registrationWindowMs: number;
  /** Addresses never limited (the machine itself: tests, benchmarks, a health probe); usernames still are. */
  readonly exemptAddresses: ReadonlySet<string>;
}

export interface LoginGuard {
  /**
   * Refuses (429) an attempt while its username or address is backing off: no bcrypt spent.
   * Resolves whether the username has failures on record (a success then clears them).
   */
  beforeLogin(username: string, address: string): Promise<{ readonly userFailures: boolean }>;
  loginFailed(username: string, address: string): Promise<void>;
  /** `userFailures`: what beforeLogin said; without failures on record nothing is read or written. */
  loginSucceeded(username: string, userFailures: boolean): Promise<void>;
  /** Counts a registration of the address; refuses (429) past the window's budget. */
  beforeRegistration(address: string): Promise<void>;
}

const userKey = (username: string): string | undefined => (USERNAME_PATTERN.test(username) ? username.toLowerCase() : undefined);

/**
 * Backoff after failures: the n-th failure at or past the threshold blocks the key for
 * base * 2^(n - threshold), capped. A success clears the username, never the address.
 */
export function createLoginGuard(settings: LoginGuardSettings, stores: { users: FailureStore; addresses: FailureStore }, now: () => number = Date.now): LoginGuard {
  const refuseIfBlocked = (record: FailureRecord | undefined, what: string): void => {
    const waitMs = (record?.blockedUntil ?? 0) - now();
    if (waitMs > 0) throw new RateLimitedError(`too many failed logins for this ${what}; retry later`, Math.ceil(waitMs / 1000));
  };
  const fail = async (store: FailureStore, key: string, threshold: number): Promise<void> => {
    const previous = await store.get(key);
    const recent = previous && now() - previous.lastFailureAt < settings.failureWindowMs ? previous.failures : 0;
    const failures = recent + 1;
    const backoff = failures >= threshold ? Math.min(settings.backoffBaseMs * 2 ** (failures - threshold), settings.backoffMaxMs) : 0;
    await store.put(key, { failures, lastFailureAt: now(), blockedUntil: backoff > 0 ? now() + backoff : 0 });
  };
  const registrationBudget = createRegistrationBudget(settings, now);
  const limited = (address: string): boolean => !settings.exemptAddresses.has(address);

  return {
    async beforeLogin(username, address) {
      const key = userKey(username);
      const [byUser, byAddress] = await Promise.all([key ? stores.users.get(key) : undefined, limited(address) ? stores.addresses.get(address) : undefined]);
      refuseIfBlocked(byUser, 'username');
      refuseIfBlocked(byAddress, 'address');
      return { userFailures: byUser !== undefined };
    },
    async loginFailed(username, address) {
      const key = userKey(username);
      await Promise.all([
        key ? fail(stores.users, key, settings.userFailuresBeforeBackoff) : undefined,
        limited(address) ? fail(stores.addresses, address, settings.addressFailuresBeforeBackoff) : undefined,
      ]);
    },
    async loginSucceeded(username, userFailures) {
      const key = userKey(username);
      if (key && userFailures) await stores.users.clear(key);
    },
    async beforeRegistration(address) {
      if (limited(address)) registrationBudget(address);
    },
  };
}

/** A fixed window per address, in this process; bounded, the oldest address goes first. */
function createRegistrationBudget(settings: LoginGuardSettings, now: () => number): (address: string) => void {
  const registrations = new Map<string, { windowStart: number; count: number }>();
  return (address) => {
    const current = registrations.get(address);
    const fresh = !current || now() - current.windowStart >= settings.registrationWindowMs;
    const window = fresh ? { windowStart: now(), count: 0 } : current;
    if (window.count >= settings.registrationsPerAddress) {
      const retryAfter = Math.ceil((window.windowStart + settings.registrationWindowMs - now()) / 1000);
      throw new RateLimitedError('too many registrations from this address; retry later', Math.max(retryAfter, 1));
    }
    registrations.set(address, { ...window, count: window.count + 1 });
    if (registrations.size > 100_000) registrations.delete(registrations.keys().next().value ?? '');
  };
}
