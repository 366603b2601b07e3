import { QuotaError, type TriggerDefinition } from '@faas/common';
import type { TriggerStore } from './trigger-store.js';

/** Bounds on what one user keeps in `triggers`: every publisher holds every schedule in memory. */
export interface TriggerCaps {
  /** MAX_TRIGGERS_PER_USER: triggers of every kind. */
  readonly perUser: number;
  /** MAX_SCHEDULES_PER_FUNCTION: schedule triggers that target one function. */
  readonly schedulesPerFunction: number;
}

async function userTriggers(store: TriggerStore, userId: string): Promise<TriggerDefinition[]> {
  const names = await store.names(userId);
  const found = await Promise.all(names.map((name) => store.get(userId, name)));
  return found.flatMap((f) => (f ? [f.trigger] : []));
}

/**
 * 429 QUOTA_EXCEEDED when `next` (a new trigger, or a replacement of the one with its id) would take
 * the user past a cap. A check before the write: creations racing in parallel may pass it together,
 * each by one (docs/limits.md).
 */
export async function checkTriggerCaps(store: TriggerStore, caps: TriggerCaps, next: TriggerDefinition): Promise<void> {
  const others = (await userTriggers(store, next.userId)).filter((t) => t.id !== next.id && t.name !== next.name);
  if (others.length + 1 > caps.perUser) {
    throw new QuotaError(`you have ${others.length} triggers, the most allowed (MAX_TRIGGERS_PER_USER ${caps.perUser}); delete one first`);
  }
  if (next.kind !== 'schedule') return;
  const schedules = others.filter((t) => t.kind === 'schedule' && t.function === next.function).length;
  if (schedules + 1 > caps.schedulesPerFunction) {
    throw new QuotaError(`function ${next.function} has ${schedules} schedules, the most allowed (MAX_SCHEDULES_PER_FUNCTION ${caps.schedulesPerFunction})`);
  }
}
