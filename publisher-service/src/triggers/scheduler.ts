import { isWrongLastSequence, type Logger } from '@faas/common';
import type { KV } from 'nats';
import { TriggerGoneError } from './fire-trigger.js';
import { decideTick, type TickDecision } from './schedule-decision.js';
import type { ScheduleEntry, TriggerWatch } from './trigger-watch.js';

/**
 * KV `trigger-state` under the trigger id: the last tick it fired or skipped, and `off` once its
 * function or owner was found gone at that definition revision (a new revision re-arms it).
 */
interface ScheduleState {
  readonly lastTick?: number;
  readonly off?: { readonly revision: number; readonly reason: string };
}

export interface SchedulerOptions {
  readonly watch: Pick<TriggerWatch, 'schedules'>;
  readonly state: KV;
  readonly fire: (trigger: ScheduleEntry, decision: TickDecision) => Promise<unknown>;
  readonly intervalMs: number;
  readonly lateAfterMs: number;
  readonly logger: Logger;
  /** The scheduler's clock: tests inject one that runs faster than the wall clock. */
  readonly now?: () => number;
}

export interface Scheduler {
  /** One pass over every schedule; resolves with the ticks this instance claimed and fired. */
  checkOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Claims the tick by moving the trigger's state to it with a revision-checked write (create when
 * there is none): of any number of schedulers, exactly one write succeeds per tick, and only that
 * scheduler fires it. A scheduler that dies between its claim and its submit loses that one tick
 * (at most once); nothing ever fires a tick twice. Resolves with the state's new revision.
 */
async function claim(kv: KV, id: string, value: ScheduleState, revision: number | undefined): Promise<number | undefined> {
  try {
    return revision === undefined ? await kv.create(id, JSON.stringify(value)) : await kv.update(id, JSON.stringify(value), revision);
  } catch (err) {
    if (isWrongLastSequence(err)) return undefined;
    throw err;
  }
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { state, logger } = options;
  const now = options.now ?? Date.now;
  /** The state last read or written per trigger: KV is read only when a tick is due by it. */
  const known = new Map<string, ScheduleState>();
  const off = (t: ScheduleEntry, s: ScheduleState | undefined): boolean => s?.off?.revision === t.revision;
  async function fireClaimed(trigger: ScheduleEntry, decision: TickDecision, revision: number): Promise<boolean> {
    try {
      await options.fire(trigger, decision);
      return true;
    } catch (err) {
      if (!(err instanceof TriggerGoneError)) throw err;
      const next: ScheduleState = { lastTick: decision.tick, off: { revision: trigger.revision, reason: err.message } };
      if ((await claim(state, trigger.id, next, revision)) !== undefined) known.set(trigger.id, next);
      logger.warn({ trigger: trigger.id, revision: trigger.revision, reason: err.message }, 'schedule disabled: its function or owner is gone; a new revision of the trigger re-arms it');
      return false;
    }
  }
  async function checkOne(trigger: ScheduleEntry): Promise<boolean> {
    const cached = known.get(trigger.id);
    if (off(trigger, cached) || (cached && !decideTick(trigger, cached.lastTick, now(), options.lateAfterMs))) return false;
    const entry = await state.get(trigger.id);
    const seen: ScheduleState = entry && entry.operation === 'PUT' ? entry.json<ScheduleState>() : {};
    known.set(trigger.id, seen);
    const decision = off(trigger, seen) ? undefined : decideTick(trigger, seen.lastTick, now(), options.lateAfterMs);
    if (!decision) return false;
    const revision = await claim(state, trigger.id, { lastTick: decision.tick }, entry && entry.operation === 'PUT' ? entry.revision : undefined);
    if (revision === undefined) return false;
    known.set(trigger.id, { lastTick: decision.tick });
    if (!decision.fire) {
      logger.info({ trigger: trigger.id, tick: new Date(decision.tick).toISOString() }, 'missed schedule tick skipped (missedTicks: skip)');
      return false;
    }
    return fireClaimed(trigger, decision, revision);
  }
  let running: Promise<number> | undefined;
  async function checkOnce(): Promise<number> {
    const due = options.watch.schedules().filter((t) => t.enabled);
    const ids = new Set(due.map((t) => t.id));
    for (const id of known.keys()) if (!ids.has(id)) known.delete(id);
    const fired = await Promise.all(
      due.map((t) => checkOne(t).catch((err: unknown) => {
        known.delete(t.id);
        logger.warn({ err, trigger: t.id }, 'schedule check failed; trying again next interval');
        return false;
      })),
    );
    return fired.filter(Boolean).length;
  }
  const timer = setInterval(() => {
    // One pass at a time: a slow pass is not overlapped by the next.
    running ??= checkOnce().finally(() => (running = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    checkOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
