import { QuotaError, type TriggerDefinition } from '@faas/common';
import type { TriggerStore } from './trigger-store.js';

/** Bounds on what one user keeps in `triggers`: every publisher holds every schedule in memory. */
export interface TriggerCaps {
  /** MAX_TRIGGERS_PER_USER: triggers of every kind. */
  readonly perUser: number;
  /** MAX_SCHEDULES_PER_FUNCTION: schedule triggers that target one function. */
  readonly schedulesPerFunction: number;
}

/**
 * 429 QUOTA_EXCEEDED when `next` (a new trigger, or a replacement of the one with its name) would
 * take the user past a cap. A check before the write: creations racing in parallel may pass it
 * together, each by one (docs/limits.md). The per-user cap needs only the names; definitions are
 * read only for a schedule's per-function cap.
 */
export async function checkTriggerCaps(store: TriggerStore, caps: TriggerCaps, next: TriggerDefinition): Promise<void> {
  const others = (await store.names(next.userId)).filter((name) => name !== next.name);
  if (others.length + 1 > caps.perUser) {
    throw new QuotaError(`you have ${others.length} triggers, the most allowed (MAX_TRIGGERS_PER_USER ${caps.perUser}); delete one first`);
  }
  if (next.kind !== 'schedule') return;
  const found = await Promise.all(others.map((name) => store.get(next.userId, name)));
  const schedules = found.filter((f) => f?.trigger.kind === 'schedule' && f.trigger.function === next.function).length;
  if (schedules + 1 > caps.schedulesPerFunction) {
    throw new QuotaError(`function ${next.function} has ${schedules} schedules, the most allowed (MAX_SCHEDULES_PER_FUNCTION ${caps.schedulesPerFunction})`);
  }
}
