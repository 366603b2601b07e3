import { addressKey, RateLimitedError, USERNAME_PATTERN } from '@faas/common';

/** Failed logins of one username or one address. */
export interface FailureRecord {
  readonly failures: number;
  readonly lastFailureAt: number;
  /** Epoch ms until which attempts are refused without checking the password; 0 when not blocked. */
  readonly blockedUntil: number;
}

export interface FailureStore {
  get(key: string): Promise<FailureRecord | undefined>;
  /** Writes `next(the record now)`, read and written as one step: concurrent failures all count. */
  update(key: string, next: (previous: FailureRecord | undefined) => FailureRecord): Promise<FailureRecord>;
  clear(key: string): Promise<void>;
}

export interface LoginGuardSettings {
  /** Failures of one address against one username before that pair backs off. */
  readonly userFailuresBeforeBackoff: number;
  readonly addressFailuresBeforeBackoff: number;
  readonly backoffBaseMs: number;
  /** Shorter than the window (config.ts checks it): a blocked attacker who comes back still finds the count. */
  readonly backoffMaxMs: number;
  /** Failures older than this (since the last one) are forgotten. */
  readonly failureWindowMs: number;
  readonly registrationsPerAddress: number;
  readonly registrationWindowMs: number;
  /** Addresses never limited (none by default); a pair's backoff still applies to them. */
  readonly exemptAddresses: ReadonlySet<string>;
}

export interface LoginGuard {
  /**
   * Refuses (429), before bcrypt, an attempt whose address is backing off, or whose address is
   * backing off for this username: an address that never failed against a name gets its
   * password checked, however many others fail against it. Resolves whether the pair has
   * failures on record (a success then clears them).
   */
  beforeLogin(username: string, address: string): Promise<{ readonly userFailures: boolean }>;
  loginFailed(username: string, address: string): Promise<void>;
  /** `userFailures`: what beforeLogin said; without failures on record nothing is read or written. */
  loginSucceeded(username: string, address: string, userFailures: boolean): Promise<void>;
  /** Counts a registration of the address; refuses (429) past the window's budget. */
  beforeRegistration(address: string): Promise<void>;
}

const userKey = (username: string): string | undefined => (USERNAME_PATTERN.test(username) ? username.toLowerCase() : undefined);
/** `<username>.from.<address>`: a KV key (no `:`), never a username (no `.` in those). */
const pairKey = (user: string, address: string): string => `${user}.from.${address.replace(/[^A-Za-z0-9./_=-]/g, '_')}`;

/**
 * Throttles the attacker, not the victim. Failures count for three keys: the (username, address)
 * pair, the username, and the address (IPv6 by /64). The n-th failure at or past a threshold
 * blocks the pair or the address for base * 2^(n - threshold), capped. The username alone never
 * blocks anyone: once it has `userFailuresBeforeBackoff` recent failures (it is under attack), a
 * new address's first failure already blocks that pair, so a botnet gets one guess per address
 * and backoff, while the owner, from an address of their own, still gets in.
 */
export function createLoginGuard(settings: LoginGuardSettings, stores: { users: FailureStore; addresses: FailureStore }, now: () => number = Date.now): LoginGuard {
  const refuseIfBlocked = (record: FailureRecord | undefined, what: string): void => {
    const waitMs = (record?.blockedUntil ?? 0) - now();
    if (waitMs > 0) throw new RateLimitedError(`too many failed logins ${what}; retry later`, Math.ceil(waitMs / 1000));
  };
  const fail = async (store: FailureStore, key: string, threshold: number): Promise<number> => {
    const record = await store.update(key, (previous) => {
      const recent = previous && now() - previous.lastFailureAt < settings.failureWindowMs ? previous.failures : 0;
      const failures = recent + 1;
      const backoff = failures >= threshold ? Math.min(settings.backoffBaseMs * 2 ** (failures - threshold), settings.backoffMaxMs) : 0;
      return { failures, lastFailureAt: now(), blockedUntil: backoff > 0 ? now() + backoff : 0 };
    });
    return record.failures;
  };
  const registrationBudget = createRegistrationBudget(settings, now);
  const limited = (address: string): boolean => !settings.exemptAddresses.has(address);
  const threshold = settings.userFailuresBeforeBackoff;

  return {
    async beforeLogin(username, address) {
      const key = userKey(username);
      const [byPair, byAddress] = await Promise.all([
        key ? stores.users.get(pairKey(key, addressKey(address))) : undefined,
        limited(address) ? stores.addresses.get(addressKey(address)) : undefined,
      ]);
      refuseIfBlocked(byPair, 'for this username from this address');
      refuseIfBlocked(byAddress, 'from this address');
      return { userFailures: byPair !== undefined };
    },
    async loginFailed(username, address) {
      const key = userKey(username);
      const byAddress = limited(address) ? fail(stores.addresses, addressKey(address), settings.addressFailuresBeforeBackoff) : undefined;
      if (key) {
        // The username's own record never blocks: it only says whether the name is under attack.
        const underAttack = (await fail(stores.users, key, Number.POSITIVE_INFINITY)) > threshold;
        await fail(stores.users, pairKey(key, addressKey(address)), underAttack ? 1 : threshold);
      }
      await byAddress;
    },
    async loginSucceeded(username, address, userFailures) {
      const key = userKey(username);
      if (key && userFailures) await stores.users.clear(pairKey(key, addressKey(address)));
    },
    async beforeRegistration(address) {
      if (limited(address)) registrationBudget(addressKey(address));
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
