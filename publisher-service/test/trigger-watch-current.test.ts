import { randomUUID } from 'node:crypto';
import { BUCKETS, connectNats, createLogger, type FunctionDefinition, type TriggerDefinition } from '@faas/common';
import { rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { chainFrom } from '../src/triggers/chains.js';
import { fireObjectTriggers } from '../src/triggers/object-triggers.js';
import type { TriggerWatch } from '../src/triggers/trigger-watch.js';
import { lastRevisionOf, watchBarrier } from '../src/triggers/watch-barrier.js';
import { finalRecordOf, openTriggerWatch, seedTrigger } from './trigger-helpers.js';

const ROUNDS = 15;
const logger = createLogger('trigger-watch-current-test', 'silent');
const fnOf = (userId: string): FunctionDefinition => ({ userId, name: uniqueName('fn') }) as FunctionDefinition;

/**
 * The chains flake (LOAD=1 flake hunt): a final record that came before the publisher's watch had
 * applied a trigger written before the execution was queued found no trigger, was acked, and the
 * chain never started. Each round below writes a trigger (on a connection of its own, as the
 * registry does) and at once handles an event stamped after the write: the watch has not applied
 * the write yet unless the handler waits for it.
 */
describe('publisher: a trigger created before its event fires for it', function () {
  this.timeout(60_000);
  let writer: NatsConnection;
  let reader: NatsConnection;
  let watch: TriggerWatch;

  before(async () => {
    writer = await connectNats({ servers: testNatsUrls(), name: uniqueName('trigger-writer'), logger });
    reader = await connectNats({ servers: testNatsUrls(), name: uniqueName('trigger-watch'), logger });
    watch = await openTriggerWatch(reader);
  });
  after(async () => {
    watch?.stop();
    await Promise.all([writer?.drain(), reader?.drain()]);
  });

  it('holds each trigger once currentSince is given a time after its write', async () => {
    const userId = randomUUID();
    for (let i = 0; i < ROUNDS; i++) {
      const fn = fnOf(userId);
      const { trigger } = await seedTrigger(writer, fn, { kind: 'function-finished', source: fn.name, statuses: ['succeeded'] });
      await watch.currentSince(Date.now());
      expect(watch.chainsFrom(userId, fn.name).map((t) => t.id), `round ${i}`).to.deep.equal([trigger.id]);
    }
  });

  it('starts the chain from a final record queued right after its trigger was created', async () => {
    const userId = randomUUID();
    for (let i = 0; i < ROUNDS; i++) {
      const source = fnOf(userId);
      const { trigger } = await seedTrigger(writer, fnOf(userId), { kind: 'function-finished', source: source.name, statuses: ['succeeded'] });
      const fired: TriggerDefinition[] = [];
      await chainFrom({ watch, maxDepth: 5, logger, fire: async (t) => fired.push(t) }, finalRecordOf({ user: userId, function: source.name }));
      expect(fired.map((t) => t.id), `round ${i}`).to.deep.equal([trigger.id]);
    }
  });

  it('fires the object trigger of an object stored right after the trigger was created', async () => {
    const userId = randomUUID();
    for (let i = 0; i < ROUNDS; i++) {
      const prefix = `${uniqueName('in')}/`;
      const { trigger } = await seedTrigger(writer, fnOf(userId), { kind: 'object', events: ['created'], prefix, outputs: false });
      const change = { source: 'uploads', userId, name: `${prefix}a.csv`, event: 'created', size: 1, digest: '', time: new Date().toISOString(), id: `OBJ_test:${i}` } as const;
      const fired: TriggerDefinition[] = [];
      await fireObjectTriggers({ watch, maxDepth: 5, logger, depthOfExecution: async () => 0, fire: async (t) => fired.push(t) }, change);
      expect(fired.map((t) => t.id), `round ${i}`).to.deep.equal([trigger.id]);
    }
  });

  it('serves any number of waiters with at most two reads of the last revision, spaced by its floor', async () => {
    const jsm = await writer.jetstreamManager();
    let reads = 0;
    const read = lastRevisionOf(jsm, BUCKETS.triggers);
    const barrier = watchBarrier(async () => (reads++, read()));
    barrier.applied(Number.MAX_SAFE_INTEGER);
    try {
      // The first caller starts a sync; every later one (a time after it began) shares the next one.
      await Promise.all(Array.from({ length: 200 }, () => barrier.currentSince(Date.now())));
      expect(reads).to.be.within(1, 2);
      const before = reads;
      const started = Date.now();
      for (let i = 0; i < 10; i++) await barrier.currentSince(Date.now());
      // One sync per caller here (each asks for a time after the last sync began), spaced by the 50 ms floor.
      expect(reads - before).to.equal(10);
      expect(Date.now() - started).to.be.at.least(9 * 50);
    } finally {
      barrier.stop();
    }
  });

  it('rejects, so the event is delivered again, when the watch does not reach the last revision', async () => {
    const barrier = watchBarrier(async () => 7);
    try {
      const err = await rejection(barrier.currentSince(Date.now()));
      expect(err).to.have.property('code', 'UNAVAILABLE');
      barrier.applied(7);
      await barrier.currentSince(Date.now()); // a later caller starts a new sync, which succeeds
    } finally {
      barrier.stop();
    }
  });
});
