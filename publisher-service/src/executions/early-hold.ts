import { ELECTION_BUDGET_MS, retryPassing } from '@faas/common';
import { releaseHold, type SlotDeps } from './hold-slot.js';
import { newExecutionId } from './ids.js';

/**
 * A submit route's quota hold, asked for as soon as the caller is known: it is written while the
 * body arrives and is checked and the function is looked up, instead of after (one round trip
 * less on the caller's path). The submit runs under its id and takes it over (holdSlot); a request
 * that fails before that gives the slot back.
 */
export interface EarlyHold {
  readonly id: string;
  /** The hold, now the submit's: from here on abandon or the result handler releases it. */
  take(): Promise<void>;
  /** Releases the slot if it was granted and never taken over; never rejects. */
  giveBack(): Promise<void>;
}

export interface EarlyHoldDeps extends SlotDeps {
  readonly retryBudgetMs?: number;
}

export function holdEarly(deps: EarlyHoldDeps, userId: string): EarlyHold {
  const id = newExecutionId();
  const patience = { budgetMs: deps.retryBudgetMs ?? ELECTION_BUDGET_MS };
  const held = retryPassing(() => deps.quota.acquire(userId, id), patience);
  // Its refusal is answered by the submit that takes it, or dropped with a request that failed first.
  held.catch(() => undefined);
  let owned = true;
  return {
    id,
    take() {
      owned = false;
      return held;
    },
    async giveBack() {
      if (!owned) return;
      owned = false;
      if (await held.then(() => true, () => false)) await releaseHold(deps, { userId, id }, patience, 'failed submit');
    },
  };
}
