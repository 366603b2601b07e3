import { addressKey, createUserRateLimiter, RateLimitedError } from '@faas/common';
import type { KV } from 'nats';

/**
 * One fixed-window counter per client address (an IPv6 /64 as one) in `user-requests`, shared by
 * every publisher replica, as the webhooks' per-trigger counters are. `perMinute` 0: no limit.
 */
export function kvAddressLimit(kv: KV, perMinute: number, now?: () => number): (address: string) => Promise<void> {
  if (perMinute === 0) return async () => undefined;
  const hit = createUserRateLimiter(kv, { count: perMinute, windowSeconds: 60 }, now);
  return async (address) => {
    // KV keys take letters, digits, `-`, `_`, `/`, `=` and `.`: an IPv6 key's colons become `_`.
    const key = `http-${addressKey(address).replace(/[^A-Za-z0-9.-]/g, '_')}`;
    try {
      await hit(key);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      throw new RateLimitedError(`more than ${perMinute} calls per minute to HTTP functions from this address; retry later`, err.retryAfterSeconds);
    }
  };
}
