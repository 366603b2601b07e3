import { BUCKETS, openBucket, webhookTokenHash } from '@faas/common';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

type Trigger = Record<string, unknown> & { name: string; kind: string; revision: number; token?: string; url?: string };

describe('registry: triggers', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  let fn: string;

  before(async () => {
    ({ registry, user } = await registryWithUser());
    fn = (await createFunction(registry, user)).name;
  });
  after(() => registry.close());

  const create = (body: Record<string, unknown>, who: TestUser = user) => request<Trigger>(`${registry.url}/triggers`, { token: who.token, body });

  it('creates, reads, lists, replaces and deletes a schedule in a named time zone', async () => {
    const name = uniqueName('tr');
    const made = await create({ name, kind: 'schedule', function: fn, cron: '0 9 * * 1-5', timeZone: 'Europe/Madrid', missedTicks: 'fire-once' });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body).to.include({ name, kind: 'schedule', function: fn, cron: '0 9 * * 1-5', timeZone: 'Europe/Madrid', missedTicks: 'fire-once', enabled: true, revision: 1 });
    expect(made.body.nextTick).to.be.a('string');
    const got = await request<Trigger>(`${registry.url}/triggers/${name}`, { token: user.token });
    expect(got.body).to.deep.equal(made.body);
    const list = await request<{ items: Trigger[] }>(`${registry.url}/triggers`, { token: user.token });
    expect(list.body.items.map((t) => t.name)).to.include(name);
    const put = await request<Trigger>(`${registry.url}/triggers/${name}`, { method: 'PUT', token: user.token, body: { kind: 'schedule', function: fn, cron: '*/5 * * * *', revision: 1 } });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.include({ cron: '*/5 * * * *', timeZone: 'UTC', missedTicks: 'skip', revision: 2 });
    const stale = await request(`${registry.url}/triggers/${name}`, { method: 'PUT', token: user.token, body: { kind: 'schedule', function: fn, cron: '* * * * *', revision: 1 } });
    expect(stale.status).to.equal(409);
    expect((await request(`${registry.url}/triggers/${name}`, { method: 'DELETE', token: user.token })).status).to.equal(204);
    expect((await request(`${registry.url}/triggers/${name}`, { token: user.token })).status).to.equal(404);
  });

  it('refuses a bad cron expression or time zone with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ cron: '61 * * * *' }, 'cron'],
      [{ cron: '* * * *' }, 'cron'],
      [{ cron: '0 0 * * * *' }, 'cron'],
      [{ cron: '* * * * *', timeZone: 'Mars/Olympus' }, 'timeZone'],
    ];
    for (const [fields, path] of cases) {
      const res = await create({ name: uniqueName('tr'), kind: 'schedule', function: fn, ...fields });
      expect(res.status, JSON.stringify(fields)).to.equal(400);
      expect(errorOf(res).code).to.equal('VALIDATION_FAILED');
      expect(errorOf(res).message).to.contain(path);
    }
  });

  it("refuses a target that does not exist or is another user's function, and hides another user's trigger", async () => {
    const other = await registry.newUser();
    const theirs = (await createFunction(registry, other)).name;
    const missing = await create({ name: uniqueName('tr'), kind: 'webhook', function: 'no-such-fn' });
    expect(missing.status).to.equal(400);
    expect(errorOf(missing).message).to.contain('function: you have no function named no-such-fn');
    const foreign = await create({ name: uniqueName('tr'), kind: 'webhook', function: theirs });
    expect(foreign.status).to.equal(400);
    const chain = await create({ name: uniqueName('tr'), kind: 'function-finished', function: fn, source: theirs });
    expect(errorOf(chain).message).to.contain('source: you have no function named');
    const mine = await create({ name: uniqueName('tr'), kind: 'webhook', function: fn });
    expect((await request(`${registry.url}/triggers/${mine.body.name}`, { token: other.token })).status).to.equal(404);
    expect((await request(`${registry.url}/triggers/${mine.body.name}`, { method: 'DELETE', token: other.token })).status).to.equal(404);
  });

  it('shows a webhook token once, stores only its hash, and rotates it', async () => {
    const made = await create({ name: uniqueName('hook'), kind: 'webhook', function: fn, ratePerMinute: 5 });
    expect(made.status).to.equal(201);
    const token = String(made.body.token);
    expect(made.body.url).to.equal(`/publisher/hooks/${token}`);
    expect(made.body).to.not.have.property('tokenHash');
    const got = await request<Trigger>(`${registry.url}/triggers/${made.body.name}`, { token: user.token });
    expect(got.body).to.not.have.any.keys('token', 'tokenHash');
    // Read from the leader, as the publisher's webhook lookup does: a direct get may be answered by
    // a replica that has not seen the rotation's delete yet (the flake hunt saw the old token there).
    const tokens = await openBucket(registry.nc, BUCKETS.triggerTokens, { replicas: 3, leaderReads: true });
    expect((await tokens.get(webhookTokenHash(token)))?.json()).to.include({ userId: user.id, name: made.body.name });
    const rotated = await request<Trigger>(`${registry.url}/triggers/${made.body.name}/rotate-token`, { method: 'POST', token: user.token });
    expect(rotated.status).to.equal(200);
    expect(rotated.body.token).to.be.a('string').and.not.equal(token);
    expect((await tokens.get(webhookTokenHash(token)))?.operation ?? 'gone').to.not.equal('PUT');
    expect((await tokens.get(webhookTokenHash(String(rotated.body.token))))?.operation).to.equal('PUT');
  });

  it('creates an object trigger with its defaults, replaces it, and refuses bad events, prefixes and an outputs prefix without outputs', async () => {
    const name = uniqueName('tr');
    const made = await create({ name, kind: 'object', function: fn });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body).to.deep.include({ kind: 'object', events: ['created'], prefix: '', outputs: false });
    const put = await request<Trigger>(`${registry.url}/triggers/${name}`, { method: 'PUT', token: user.token, body: { kind: 'object', function: fn, events: ['deleted', 'created'], prefix: 'in/' } });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.deep.include({ events: ['deleted', 'created'], prefix: 'in/', revision: 2 });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ events: [] }, 'events'],
      [{ events: ['updated'] }, 'events'],
      [{ events: ['created', 'created'] }, 'events'],
      [{ prefix: '../x' }, 'prefix'],
      [{ prefix: 'a b' }, 'prefix'],
      [{ prefix: 'x'.repeat(256) }, 'prefix'],
      [{ prefix: 'executions/' }, 'prefix'],
      [{ outputs: 'yes' }, 'outputs'],
      [{ source: fn }, 'source'],
    ];
    for (const [fields, path] of cases) {
      const res = await create({ name: uniqueName('tr'), kind: 'object', function: fn, ...fields });
      expect(res.status, JSON.stringify(fields)).to.equal(400);
      expect(errorOf(res).message, JSON.stringify(fields)).to.contain(path);
    }
    const outputs = await create({ name: uniqueName('tr'), kind: 'object', function: fn, prefix: 'executions/', outputs: true });
    expect(outputs.status).to.equal(201);
  });

  it('refuses a kind change on PUT and a rotation of a non-webhook', async () => {
    const made = await create({ name: uniqueName('tr'), kind: 'function-finished', function: fn, source: fn, statuses: ['failed'] });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const put = await request(`${registry.url}/triggers/${made.body.name}`, { method: 'PUT', token: user.token, body: { kind: 'webhook', function: fn } });
    expect(put.status).to.equal(400);
    const rotate = await request(`${registry.url}/triggers/${made.body.name}/rotate-token`, { method: 'POST', token: user.token });
    expect(rotate.status).to.equal(400);
    const badStatus = await create({ name: uniqueName('tr'), kind: 'function-finished', function: fn, source: fn, statuses: ['running'] });
    expect(badStatus.status).to.equal(400);
    const noKind = await create({ name: uniqueName('tr'), function: fn });
    expect(noKind.status).to.equal(400);
  });
});
