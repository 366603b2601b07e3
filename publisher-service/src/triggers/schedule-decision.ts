import { latestTick, type ScheduleTrigger } from '@faas/common';

export interface TickDecision {
  /** The tick this decision is for: the schedule's state moves to it either way. */
  readonly tick: number;
  readonly fire: boolean;
  /** The tick is late (downtime, or the trigger was disabled): fired once or skipped by policy. */
  readonly missed: boolean;
}

/**
 * What a schedule does at `now`, given the last tick it fired or skipped (absent: none since it
 * was created). Only the latest due tick counts: the ticks before it were missed, and so is the
 * latest one when it is older than `lateAfterMs`. A missed tick fires once with `fire-once` and is
 * skipped with `skip`; an on-time tick always fires.
 */
export function decideTick(trigger: Pick<ScheduleTrigger, 'cron' | 'timeZone' | 'createdAt' | 'missedTicks'>, lastTickMs: number | undefined, nowMs: number, lateAfterMs: number): TickDecision | undefined {
  const since = lastTickMs ?? Date.parse(trigger.createdAt);
  const tick = latestTick(trigger, since, nowMs);
  if (tick === undefined) return undefined;
  const missed = nowMs - tick > lateAfterMs;
  return { tick, missed, fire: !missed || trigger.missedTicks === 'fire-once' };
}
