import { randomUUID } from 'node:crypto';
import { BUCKETS, STREAMS, SUBJECTS, createLogger, openBucket, type ExecutionRequest, type FunctionDefinition } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import { fireSchedule, triggerRefOf } from '../src/triggers/fire-trigger.js';
import { startScheduler } from '../src/triggers/scheduler.js';
import { openTriggerWatch, seedFunction, seedTrigger, startPublisher, triggeredRecords } from './trigger-helpers.js';

const MINUTE = 60_000;
const futureMinute = (): number => Math.ceil(Date.now() / MINUTE) * MINUTE + 10 * MINUTE;
const BIG = 'x'.repeat(64 * 1024);

/** Issue 21 item 3: every publisher held every schedule's argument (up to 64 KiB) and refused a gone target every tick. */
describe('publisher: what the scheduler keeps and what it does with a gone target', function () {
  this.timeout(60_000);

  it('keeps no schedule argument in the watch, and fires with the argument stored when the tick fires', async () => {
    const base = futureMinute();
    let clock = base - 30_000;
    const publisher = await startPublisher({ TRIGGER_CHECK_MS: '100', TRIGGER_LATE_AFTER_SECONDS: '3600' }, () => clock);
    const watch = await openTriggerWatch(publisher.nc);
    try {
      const userId = randomUUID();
      const fn = await seedFunction(publisher.nc, userId);
      const { trigger } = await seedTrigger(publisher.nc, fn, { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC', missedTicks: 'skip', argument: BIG, createdAt: new Date(base - MINUTE).toISOString() });
      const kept = await eventually(() => watch.schedules().find((t) => t.id === trigger.id), 10_000, 50);
      expect(kept).to.not.have.property('argument');
      // Replaced after the watch saw it: the tick fires with what is stored then.
      const triggers = await openBucket(publisher.nc, BUCKETS.triggers, { replicas: 3 });
      await triggers.put(`${userId}.${trigger.name}`, JSON.stringify({ ...trigger, argument: 'now', revision: 2 }));
      clock = base + 1_000;
      const [record] = await eventually(async () => {
        const found = await triggeredRecords(publisher.deps, userId);
        return found.length > 0 ? found : undefined;
      }, 30_000, 100);
      const jsm = await publisher.nc.jetstreamManager();
      const queued = await jsm.streams.getMessage(STREAMS.executions, { last_by_subj: SUBJECTS.exec(userId) });
      expect(queued.json<ExecutionRequest>()).to.include({ id: record?.id, argument: 'now' });
    } finally {
      watch.stop();
      await publisher.close();
    }
  });

  it('disables a schedule whose function is gone (marked in trigger-state, logged) instead of claiming and refusing every tick', async () => {
    const base = futureMinute();
    let clock = base + 1_000;
    const publisher = await startPublisher({ TRIGGER_SCHEDULER: 'false' });
    const logger = createLogger('t', 'silent');
    const [triggers, state, functionsKv] = await Promise.all([BUCKETS.triggers, BUCKETS.triggerState, BUCKETS.functions].map((b) => openBucket(publisher.nc, b, { replicas: 3, leaderReads: true })));
    // Read as the publisher reads them, from the leader: a lagging replica answered the state before the mark (seen in a hunt).
    const watch = await openTriggerWatch(publisher.nc, logger);
    try {
      const userId = randomUUID();
      const ghost = { userId, name: 'never-registered' } as FunctionDefinition;
      const { trigger } = await seedTrigger(publisher.nc, ghost, { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC', missedTicks: 'skip', argument: '', createdAt: new Date(base - MINUTE).toISOString() });
      const fireDeps = { ...publisher.deps, functionsKv: functionsKv!, triggersKv: triggers!, accountControl: () => undefined };
      const scheduler = startScheduler({
        watch: { schedules: () => watch.schedules().filter((t) => t.id === trigger.id) },
        state: state!, intervalMs: 3_600_000, lateAfterMs: 3_600_000, logger, now: () => clock,
        fire: (t, d) => fireSchedule(fireDeps, t, triggerRefOf(t, { tick: new Date(d.tick).toISOString() })),
      });
      await eventually(() => watch.schedules().find((t) => t.id === trigger.id), 10_000, 50);
      const read = async () => (await state!.get(trigger.id))?.json<{ lastTick: number; off?: { revision: number; reason: string } }>();
      expect(await scheduler.checkOnce()).to.equal(0);
      const marked = await read();
      expect(marked?.off).to.deep.include({ revision: 1 });
      expect(marked?.off?.reason).to.include('not found');
      // Three more ticks go by: the state stays where it was marked; nothing is claimed or fired.
      for (let i = 1; i <= 3; i++) {
        clock = base + i * MINUTE + 1_000;
        expect(await scheduler.checkOnce()).to.equal(0);
      }
      expect(await read()).to.deep.equal(marked);
      // A new revision of the trigger (its function exists again) re-arms it.
      const fn = await seedFunction(publisher.nc, userId);
      await triggers!.put(`${userId}.${trigger.name}`, JSON.stringify({ ...trigger, function: fn.name, revision: 2 }));
      await eventually(() => watch.schedules().find((t) => t.id === trigger.id && t.revision === 2), 10_000, 50);
      clock = base + 5 * MINUTE + 1_000;
      expect(await scheduler.checkOnce()).to.equal(1);
      await scheduler.stop();
    } finally {
      watch.stop();
      await publisher.close();
    }
  });
});
