import { createHash } from 'node:crypto';
import { BUCKETS, CONSUMERS, connectNats, createLogger } from '@faas/common';
import { buildFunctionImage, eventually, request, testNatsUrls } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import type { Platform } from '../src/platform.js';
import { newFunction, newUser, startTestPlatform, type Execution, type TestUser } from './helpers.js';

/** Prints its argument (the event), writes it to /faas/out/event.json, and logs the inputs it was given. */
const WRITER = 'faas-test/objtrig-writer:latest';
const WRITER_SCRIPT = 'printf "%s" "$1"\nprintf "%s" "$1" > /faas/out/event.json\nfind /faas/in -type f -exec cat {} \\; >&2\n';

type S3Record = { eventName: string; eventSource: string; eventTime: string; s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } } };
type Page = { items: Execution[] };

/** Issue 27 part 2, on the real engine: object triggers run functions on uploads and deletes, once, and never on their own outputs. */
describe('standalone platform: object triggers with real executions, across two publishers', function () {
  this.timeout(240_000);
  let platform: Platform;
  let second: Platform;
  let base: string;
  let nc: NatsConnection;

  before(async () => {
    await buildFunctionImage(WRITER, WRITER_SCRIPT);
    platform = await startTestPlatform({ TRIGGER_MAX_CHAIN_DEPTH: '2' });
    second = await startTestPlatform({ TRIGGER_MAX_CHAIN_DEPTH: '2' });
    base = platform.baseUrl;
    nc = await connectNats({ servers: testNatsUrls(), name: 'objtrig-test', logger: createLogger('objtrig-test', 'silent') });
  });
  after(async () => {
    await nc?.close();
    await second?.stop();
    await platform?.stop();
  });

  const upload = async (user: TestUser, name: string, text: string, at = base): Promise<void> => {
    const res = await fetch(`${at}/registry/objects/${name}`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'text/csv' }, body: text });
    expect(res.status, name).to.equal(201);
  };
  const trigger = async (user: TestUser, body: Record<string, unknown>): Promise<void> => {
    const res = await request(`${base}/registry/triggers`, { token: user.token, body: { name: `ot${Date.now()}${Math.random().toString(36).slice(2, 6)}`, kind: 'object', ...body } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  };
  const runsOf = async (user: TestUser, fn: string): Promise<Execution[]> =>
    (await request<Page>(`${base}/publisher/executions?function=${fn}&limit=200`, { token: user.token })).body.items;
  const finalRuns = (user: TestUser, fn: string, count: number): Promise<Execution[]> =>
    eventually(async () => {
      const runs = await runsOf(user, fn);
      return runs.length >= count && runs.every((r) => ['succeeded', 'failed', 'error', 'timed_out'].includes(r.status)) ? runs : undefined;
    }, 90_000, 200);
  /** Every change stored so far in both object stores has been handled by the publishers (their consumers acked it). */
  const handled = async (): Promise<void> => {
    const jsm = await nc.jetstreamManager();
    for (const bucket of [BUCKETS.objects, BUCKETS.outputs]) {
      const { state } = await jsm.streams.info(`OBJ_${bucket}`);
      await eventually(async () => ((await jsm.consumers.info(`OBJ_${bucket}`, CONSUMERS.publisherObjects)).ack_floor.stream_seq >= state.last_seq ? true : undefined), 30_000, 100);
    }
  };
  const eventOf = (run: Execution): S3Record => (JSON.parse(String(run.result)) as { Records: S3Record[] }).Records[0] as S3Record;

  it('runs the function once per upload with the S3-shaped event and the object as input; its own output fires nothing', async () => {
    const alice = await newUser(base);
    const fn = await newFunction(base, alice, WRITER);
    await trigger(alice, { function: fn, events: ['created', 'deleted'], prefix: 'in/' });
    const content = 'city,people\nOviedo,220000\n';
    await upload(alice, 'in/data.csv', content);
    const [run] = await finalRuns(alice, fn, 1);
    expect(run?.status, JSON.stringify(run)).to.equal('succeeded');
    const event = eventOf(run as Execution);
    expect(event).to.include({ eventName: 'ObjectCreated:Put', eventSource: 'faas:objects' });
    expect(Date.parse(event.eventTime)).to.be.closeTo(Date.now(), 120_000);
    expect(event.s3.bucket.name).to.equal('objects');
    expect(event.s3.object).to.include({ key: 'in/data.csv', size: content.length, eTag: createHash('sha256').update(content).digest('hex') });
    expect(run?.logs).to.equal(content);
    // Its output is stored (and is one of alice's objects), and fired nothing: the trigger does not take outputs.
    const outputs = (run?.outputs as { files: { name: string }[] }).files.map((f) => f.name);
    expect(outputs).to.deep.equal([`executions/${run?.id}/event.json`]);
    await handled();
    expect(await runsOf(alice, fn)).to.have.length(1);

    const gone = await fetch(`${base}/registry/objects/in/data.csv`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.token}` } });
    expect(gone.status).to.equal(204);
    const runs = await finalRuns(alice, fn, 2);
    const deleted = runs.find((r) => r.id !== run?.id) as Execution;
    expect(deleted.status, JSON.stringify(deleted)).to.equal('succeeded');
    expect(eventOf(deleted)).to.deep.include({ eventName: 'ObjectRemoved:Delete' });
    expect(eventOf(deleted).s3.object.key).to.equal('in/data.csv');
    await handled();
    expect(await runsOf(alice, fn)).to.have.length(2);
  });

  it("fires once per upload with two platforms' publishers consuming, and never for another user's upload or a name outside the prefix", async () => {
    const alice = await newUser(base);
    const bob = await newUser(base);
    const fn = await newFunction(base, alice, WRITER);
    const bobs = await newFunction(base, bob, WRITER);
    await trigger(alice, { function: fn, prefix: 'in/' });
    const names = Array.from({ length: 6 }, (_, i) => `in/part-${i}.csv`);
    // Half through each platform's registry: the stores' stream is the one source, whoever wrote.
    await Promise.all(names.map((n, i) => upload(alice, n, `row ${i}\n`, i % 2 === 0 ? base : second.baseUrl)));
    await upload(alice, 'other/skip.csv', 'no\n');
    await upload(bob, 'in/part-0.csv', 'bob\n');
    const runs = await finalRuns(alice, fn, names.length);
    for (const r of runs) expect(r.status, JSON.stringify(r)).to.equal('succeeded');
    await handled();
    const keys = (await runsOf(alice, fn)).map((r) => eventOf(r).s3.object.key).sort();
    expect(keys).to.deep.equal(names);
    expect(runs.every((r) => r.status === 'succeeded')).to.equal(true);
    expect(await runsOf(bob, bobs)).to.deep.equal([]);
  });

  it('lets outputs fire a trigger only when it takes them, and stops that loop at the chain depth limit', async () => {
    const alice = await newUser(base);
    const fn = await newFunction(base, alice, WRITER);
    await trigger(alice, { function: fn, prefix: 'loop/' });
    await trigger(alice, { function: fn, prefix: 'executions/', outputs: true });
    await upload(alice, 'loop/start.csv', 'go\n');
    // The upload (depth 0), then its output (depth 1), then that one's output (depth 2, the limit): three runs.
    await finalRuns(alice, fn, 3);
    // The third run's output is stored before its record is final: once handled, by either platform's publisher, it started nothing.
    await handled();
    const depths = (await runsOf(alice, fn)).map((r) => (r.trigger as { depth?: number }).depth ?? 0).sort();
    expect(depths).to.deep.equal([0, 1, 2]);
  });
});
