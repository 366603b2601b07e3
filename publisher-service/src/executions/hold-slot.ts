import { retryPassing, type Logger, type RetryPassingOptions } from '@faas/common';
import type { QuotaStore } from '../quota/quota-store.js';

export interface SlotDeps {
  readonly quota: Pick<QuotaStore, 'acquire' | 'release'>;
  readonly logger: Logger;
}

/**
 * Takes the execution's quota slot while the request's count against the per-user limit (the
 * submit routes leave it running: `admitted`) settles, so the two replicated writes cost one
 * round trip, not two. A refused count wins over a quota refusal (the limit was checked first
 * before), and leaves no hold: a slot taken meanwhile is released before the 429 is answered.
 */
export async function holdSlot(deps: SlotDeps, slot: { userId: string; id: string; admitted?: Promise<void>; held?: Promise<void> }, patience: RetryPassingOptions): Promise<void> {
  const { userId, id } = slot;
  // `held`: the route asked for it already (early-hold.ts).
  const hold = slot.held ?? retryPassing(() => deps.quota.acquire(userId, id), patience);
  const [count, holding] = await Promise.allSettled([slot.admitted, hold]);
  if (count.status === 'rejected') {
    if (holding.status === 'fulfilled') {
      // Past the budget the hold stays until the quota reclaims it (no record: settled after a grace).
      await releaseHold(deps, { userId, id }, patience, 'rate-limited submit');
    }
    throw count.reason;
  }
  if (holding.status === 'rejected') throw holding.reason;
}

/**
 * Gives a slot back for a submit that will not run. Never rejects: past the budget the hold stays
 * until the quota reclaims it (no record: settled after a grace), which is logged.
 */
export async function releaseHold(deps: SlotDeps, slot: { userId: string; id: string }, patience: RetryPassingOptions, what: string): Promise<void> {
  await retryPassing(() => deps.quota.release(slot.userId, slot.id), patience).catch((err: unknown) =>
    deps.logger.warn({ executionId: slot.id, err }, `${what}: its quota hold was not released`));
}
