import { isWrongLastSequence, type Logger, type ScheduleTrigger } from '@faas/common';
import type { KV } from 'nats';
import { decideTick, type TickDecision } from './schedule-decision.js';
import type { TriggerWatch } from './trigger-watch.js';

/** KV `trigger-state` under the trigger id: the last tick it fired or skipped. */
interface ScheduleState {
  readonly lastTick: number;
}

export interface SchedulerOptions {
  readonly watch: Pick<TriggerWatch, 'schedules'>;
  readonly state: KV;
  readonly fire: (trigger: ScheduleTrigger, decision: TickDecision) => Promise<unknown>;
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
 * (at most once); nothing ever fires a tick twice.
 */
async function claim(kv: KV, id: string, decision: TickDecision, seen: { lastTick?: number; revision?: number }): Promise<boolean> {
  const value = JSON.stringify({ lastTick: decision.tick } satisfies ScheduleState);
  try {
    if (seen.revision === undefined) await kv.create(id, value);
    else await kv.update(id, value, seen.revision);
    return true;
  } catch (err) {
    if (isWrongLastSequence(err)) return false;
    throw err;
  }
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { state, logger } = options;
  const now = options.now ?? Date.now;
  async function checkOne(trigger: ScheduleTrigger): Promise<boolean> {
    const entry = await state.get(trigger.id);
    const seen = entry && entry.operation === 'PUT' ? { lastTick: entry.json<ScheduleState>().lastTick, revision: entry.revision } : {};
    const decision = decideTick(trigger, seen.lastTick, now(), options.lateAfterMs);
    if (!decision || !(await claim(state, trigger.id, decision, seen))) return false;
    const tick = new Date(decision.tick).toISOString();
    if (!decision.fire) {
      logger.info({ trigger: trigger.id, tick }, 'missed schedule tick skipped (missedTicks: skip)');
      return false;
    }
    await options.fire(trigger, decision);
    return true;
  }
  let running: Promise<number> | undefined;
  async function checkOnce(): Promise<number> {
    const due = options.watch.schedules().filter((t) => t.enabled);
    const fired = await Promise.all(
      due.map((t) => checkOne(t).catch((err: unknown) => {
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
