import { randomUUID } from 'node:crypto';
import { BUCKETS, createLogger, openBucket, type ExecutionRecord, type ScheduleTrigger } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import { decideTick } from '../src/triggers/schedule-decision.js';
import { startScheduler } from '../src/triggers/scheduler.js';
import { openTriggerWatch, seedFunction, seedTrigger, startPublisher, triggeredRecords, type PublisherUnderTest } from './trigger-helpers.js';

const MINUTE = 60_000;
/** A minute boundary ahead of the wall clock: no scheduler on the real clock ever reaches these triggers' ticks. */
const futureMinute = (): number => Math.ceil(Date.now() / MINUTE) * MINUTE + 10 * MINUTE;
const ticksOf = (records: readonly ExecutionRecord[]): number[] => records.map((r) => Date.parse(r.trigger?.tick ?? '')).sort((a, b) => a - b);

describe('publisher: the trigger scheduler on the NATS cluster', function () {
  this.timeout(120_000);

  it('fires a schedule exactly once per tick with two schedulers, and keeps firing after one is stopped', async () => {
    // One schedule minute every 2 s of wall time, for both instances, from the trigger's seeding:
    // a clock that ran while the two publishers started (4 s and more on a loaded machine) had
    // the first tick superseded by the second before either scheduler saw the trigger.
    const base = futureMinute();
    let started: number | undefined;
    const now = (): number => (started === undefined ? base : base + (Date.now() - started) * 30);
    const env = { TRIGGER_CHECK_MS: '100', TRIGGER_LATE_AFTER_SECONDS: '3600' };
    const a = await startPublisher(env, now);
    const b = await startPublisher(env, now);
    let stopped: PublisherUnderTest | undefined;
    try {
      const userId = randomUUID();
      const fn = await seedFunction(a.nc, userId);
      const { trigger } = await seedTrigger(a.nc, fn, { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC', missedTicks: 'skip', argument: 'tick', createdAt: new Date(base).toISOString() });
      started = Date.now();
      const before = await eventually(async () => {
        const records = await triggeredRecords(b.deps, userId);
        return records.length >= 4 ? records : undefined;
      }, 60_000, 200);
      await a.close();
      stopped = a;
      const whenStopped = now();
      const after = await eventually(async () => {
        const records = await triggeredRecords(b.deps, userId);
        return records.filter((r) => Date.parse(r.trigger?.tick ?? '') > whenStopped).length >= 3 ? records : undefined;
      }, 60_000, 200);
      expect(before.length).to.be.at.least(4);
      const ticks = ticksOf(after);
      expect(new Set(ticks).size, 'no tick fired twice').to.equal(ticks.length);
      ticks.forEach((tick, i) => expect(tick, `tick ${i} follows the one before`).to.equal((ticks[0] ?? 0) + i * MINUTE));
      expect(ticks[0]).to.equal(base + MINUTE);
      for (const record of after) {
        expect(record.trigger).to.include({ id: trigger.id, name: trigger.name, kind: 'schedule' });
        expect(record.trigger).to.not.have.property('missed');
        expect(record).to.include({ function: fn.name, user: userId, status: 'queued' });
      }
    } finally {
      if (stopped !== a) await a.close();
      await b.close();
    }
  });

  it('lets one of two schedulers checking the same tick at the same moment claim it, for every tick', async () => {
    const publisher = await startPublisher({ TRIGGER_SCHEDULER: 'false' });
    const logger = createLogger('scheduler-test', 'silent');
    try {
      const base = futureMinute();
      let clock = base;
      const fn = await seedFunction(publisher.nc, randomUUID());
      const { trigger } = await seedTrigger(publisher.nc, fn, { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC', missedTicks: 'skip', argument: '', createdAt: new Date(base).toISOString() });
      const state = await openBucket(publisher.nc, BUCKETS.triggerState, { replicas: 3, leaderReads: true }); // as the publisher opens it
      const fired: Array<{ by: string; tick: number }> = [];
      const start = async (by: string) => {
        const watch = await openTriggerWatch(publisher.nc, logger);
        const mine = { schedules: () => watch.schedules().filter((t) => t.id === trigger.id) };
        const scheduler = startScheduler({ watch: mine, state, intervalMs: 3_600_000, lateAfterMs: 3_600_000, logger, now: () => clock, fire: async (_t, d) => fired.push({ by, tick: d.tick }) });
        return { scheduler, watch };
      };
      const [a, b] = await Promise.all([start('a'), start('b')]);
      for (let i = 1; i <= 10; i++) {
        clock = base + i * MINUTE + 1_000;
        await Promise.all([a.scheduler.checkOnce(), b.scheduler.checkOnce(), a.scheduler.checkOnce(), b.scheduler.checkOnce()]);
      }
      await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
      a.watch.stop();
      b.watch.stop();
      expect(fired.map((f) => f.tick)).to.deep.equal(Array.from({ length: 10 }, (_, i) => base + (i + 1) * MINUTE));
    } finally {
      await publisher.close();
    }
  });

  it('fires missed ticks once after downtime with fire-once, and skips them with skip', async () => {
    const base = futureMinute();
    let clock = base - 8 * MINUTE + 30_000;
    const publisher = await startPublisher({ TRIGGER_CHECK_MS: '100', TRIGGER_LATE_AFTER_SECONDS: '10' }, () => clock);
    try {
      const userId = randomUUID();
      const fn = await seedFunction(publisher.nc, userId);
      // Created ten minutes before the clock: eight ticks went by while no scheduler ran.
      const createdAt = new Date(base - 10 * MINUTE).toISOString();
      const once = (await seedTrigger(publisher.nc, fn, { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC', missedTicks: 'fire-once', argument: '', createdAt })).trigger;
      const skip = (await seedTrigger(publisher.nc, fn, { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC', missedTicks: 'skip', argument: '', createdAt })).trigger;
      const of = (records: ExecutionRecord[], id: string) => records.filter((r) => r.trigger?.id === id);
      const missed = await eventually(async () => {
        const found = of(await triggeredRecords(publisher.deps, userId), once.id);
        return found.length > 0 ? found : undefined;
      }, 30_000, 100);
      expect(missed.map((r) => r.trigger)).to.deep.equal([{ id: once.id, name: once.name, kind: 'schedule', tick: new Date(base - 8 * MINUTE).toISOString(), missed: true }]);
      // The next tick is on time: both fire it.
      clock = base - 7 * MINUTE + 1_000;
      const records = await eventually(async () => {
        const found = await triggeredRecords(publisher.deps, userId);
        return of(found, skip.id).length > 0 && of(found, once.id).length > 1 ? found : undefined;
      }, 30_000, 100);
      const onTime = new Date(base - 7 * MINUTE).toISOString();
      expect(of(records, skip.id).map((r) => r.trigger?.tick)).to.deep.equal([onTime]);
      expect(ticksOf(of(records, once.id)).map((t) => new Date(t).toISOString())).to.deep.equal([new Date(base - 8 * MINUTE).toISOString(), onTime]);
    } finally {
      await publisher.close();
    }
  });
});

describe('publisher: which tick a schedule fires', () => {
  const trigger = (fields: Partial<ScheduleTrigger> = {}): ScheduleTrigger => ({
    id: 't', userId: 'u', name: 'n', function: 'f', enabled: true, revision: 1, createdAt: '2026-03-01T00:00:00Z', updatedAt: '2026-03-01T00:00:00Z',
    kind: 'schedule', cron: '0 9 * * *', timeZone: 'Europe/Madrid', missedTicks: 'skip', argument: '', ...fields,
  });
  const at = (iso: string): number => Date.parse(iso);

  it('reads the cron expression in the trigger’s time zone', () => {
    // 09:00 in Madrid is 08:00 UTC in March (CET) and 07:00 UTC in July (CEST).
    expect(decideTick(trigger(), undefined, at('2026-03-02T08:00:05Z'), 60_000)).to.deep.equal({ tick: at('2026-03-02T08:00:00Z'), missed: false, fire: true });
    expect(decideTick(trigger(), at('2026-07-01T07:00:00Z'), at('2026-07-02T07:00:10Z'), 60_000)).to.deep.equal({ tick: at('2026-07-02T07:00:00Z'), missed: false, fire: true });
    expect(decideTick(trigger({ timeZone: 'UTC' }), at('2026-03-01T09:00:00Z'), at('2026-03-02T08:00:05Z'), 60_000)).to.equal(undefined);
  });

  it('does nothing until the next tick once a tick is taken', () => {
    expect(decideTick(trigger(), at('2026-03-02T08:00:00Z'), at('2026-03-02T20:00:00Z'), 60_000)).to.equal(undefined);
  });

  it('answers a late tick by the trigger’s policy', () => {
    const late = at('2026-03-05T12:00:00Z');
    expect(decideTick(trigger({ missedTicks: 'skip' }), at('2026-03-02T08:00:00Z'), late, 60_000)).to.deep.equal({ tick: at('2026-03-05T08:00:00Z'), missed: true, fire: false });
    expect(decideTick(trigger({ missedTicks: 'fire-once' }), at('2026-03-02T08:00:00Z'), late, 60_000)).to.deep.equal({ tick: at('2026-03-05T08:00:00Z'), missed: true, fire: true });
  });
});
