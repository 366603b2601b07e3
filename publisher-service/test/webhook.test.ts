import { randomBytes, randomUUID } from 'node:crypto';
import { BUCKETS, openBucket, triggerKey } from '@faas/common';
import { countGets, eventually, request } from '@faas/testing';
import { expect } from 'chai';
import { seedFunction, seedTrigger, startPublisher, triggeredRecords, type PublisherUnderTest } from './trigger-helpers.js';

type Accepted = { executionId: string; statusUrl: string };
type ErrorBody = { error: { code: string; message: string } };

describe('publisher: webhook triggers', function () {
  this.timeout(60_000);
  let publisher: PublisherUnderTest;

  before(async () => {
    publisher = await startPublisher({ TRIGGER_SCHEDULER: 'false', MAX_ARGUMENT_BYTES: '1024' });
  });
  after(() => publisher.close());

  const call = (token: string, body: string, contentType = 'text/plain') =>
    fetch(`${publisher.url}/hooks/${token}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('queues an execution of the target with no JWT, recording the trigger', async () => {
    const userId = randomUUID();
    const fn = await seedFunction(publisher.nc, userId);
    const { trigger, token } = await seedTrigger(publisher.nc, fn, { kind: 'webhook' });
    const res = await call(token, '{"order":42}', 'application/json');
    expect(res.status).to.equal(202);
    const body = (await res.json()) as Accepted;
    expect(body.statusUrl).to.equal(`/publisher/executions/${body.executionId}`);
    const [record] = await triggeredRecords(publisher.deps, userId);
    expect(record).to.include({ id: body.executionId, function: fn.name, user: userId });
    expect(record?.trigger).to.deep.equal({ id: trigger.id, name: trigger.name, kind: 'webhook' });
  });

  it('looks the trigger and its function up on the leader: ones created a moment ago are found, a rotated one is not', async () => {
    const fn = await seedFunction(publisher.nc, randomUUID());
    const { trigger, token } = await seedTrigger(publisher.nc, fn, { kind: 'webhook' });
    // Counted on the publisher's own connection, the one that makes the reads.
    const gets = await countGets(publisher.nc, BUCKETS.triggers, triggerKey(fn.userId, trigger.name));
    // The fire's function read decides too: a lagging replica's "not found" disabled a schedule.
    const fnGets = await countGets(publisher.nc, BUCKETS.functions, triggerKey(fn.userId, fn.name));
    expect((await call(token, 'x')).status).to.equal(202);
    await Promise.all([gets.stop(), fnGets.stop()]);
    expect(gets.direct, 'direct gets of the trigger').to.equal(0);
    expect(gets.leader, 'leader reads of the trigger').to.be.at.least(1);
    expect(fnGets.direct, 'direct gets of the function').to.equal(0);
    expect(fnGets.leader, 'leader reads of the function').to.be.at.least(1);
  });

  it('answers 404 to a wrong, malformed or rotated token, and to a disabled webhook', async () => {
    const fn = await seedFunction(publisher.nc, randomUUID());
    const { trigger, token } = await seedTrigger(publisher.nc, fn, { kind: 'webhook' });
    for (const wrong of [randomBytes(32).toString('base64url'), 'short', `${token}x`]) {
      const res = await call(wrong, 'x');
      expect(res.status, wrong).to.equal(404);
      expect(((await res.json()) as ErrorBody).error.code).to.equal('NOT_FOUND');
    }
    // Rotated: the definition carries another hash while the old token's entry lingers.
    const kv = await openBucket(publisher.nc, BUCKETS.triggers, { replicas: 3 });
    await kv.put(triggerKey(fn.userId, trigger.name), JSON.stringify({ ...trigger, tokenHash: 'f'.repeat(64) }));
    expect((await call(token, 'x')).status).to.equal(404);
    const other = await seedTrigger(publisher.nc, fn, { kind: 'webhook', enabled: false });
    expect((await call(other.token, 'x')).status).to.equal(404);
  });

  it('answers 429 with Retry-After past the trigger’s rate, and counts per trigger', async () => {
    const fn = await seedFunction(publisher.nc, randomUUID());
    const limited = await seedTrigger(publisher.nc, fn, { kind: 'webhook', ratePerMinute: 2 });
    const free = await seedTrigger(publisher.nc, fn, { kind: 'webhook', ratePerMinute: 100 });
    // The counters are per minute window: start well inside one, so the calls below share it.
    await eventually(() => (Date.now() % 60_000 < 50_000 ? true : undefined), 15_000, 100);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(limited.token, `call ${i}`)).status);
    expect(statuses.slice(0, 2)).to.deep.equal([202, 202]);
    const refused = await call(limited.token, 'again');
    expect(refused.status).to.equal(429);
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    expect(((await refused.json()) as ErrorBody).error.code).to.equal('RATE_LIMITED');
    expect(statuses.slice(2)).to.deep.equal([429, 429]);
    expect((await call(free.token, 'x')).status).to.equal(202);
  });

  it('answers 413 to a body over MAX_ARGUMENT_BYTES and queues nothing', async () => {
    const userId = randomUUID();
    const fn = await seedFunction(publisher.nc, userId);
    const { token } = await seedTrigger(publisher.nc, fn, { kind: 'webhook' });
    const res = await call(token, 'x'.repeat(2048));
    expect(res.status).to.equal(413);
    expect(((await res.json()) as ErrorBody).error.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(await triggeredRecords(publisher.deps, userId)).to.deep.equal([]);
  });

  it('answers 404 when the target function is gone', async () => {
    const fn = await seedFunction(publisher.nc, randomUUID());
    const { token } = await seedTrigger(publisher.nc, fn, { kind: 'webhook' });
    await (await openBucket(publisher.nc, BUCKETS.functions, { replicas: 3 })).delete(triggerKey(fn.userId, fn.name));
    const res = await call(token, 'x');
    expect(res.status).to.equal(404);
    expect(((await res.json()) as ErrorBody).error.message).to.contain(`function ${fn.name} not found`);
  });

  it('keeps the token routes and the JWT routes apart: a JWT route still needs a token', async () => {
    expect((await request(`${publisher.url}/executions`)).status).to.equal(401);
  });
});
