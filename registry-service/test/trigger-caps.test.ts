import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

/** Issue 21 item 3: every publisher keeps every schedule in memory, so one user's count is bounded. */
describe('registry: trigger caps (MAX_TRIGGERS_PER_USER, MAX_SCHEDULES_PER_FUNCTION)', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;

  before(async () => {
    ({ registry, user } = await registryWithUser({ MAX_TRIGGERS_PER_USER: '4', MAX_SCHEDULES_PER_FUNCTION: '2' }));
  });
  after(() => registry.close());

  const create = (body: Record<string, unknown>, who: TestUser = user) => request(`${registry.url}/triggers`, { token: who.token, body });
  const schedule = (fn: string) => ({ name: uniqueName('tr'), kind: 'schedule', function: fn, cron: '0 9 * * *' });

  it('refuses a third schedule on one function with 429 QUOTA_EXCEEDED, also when a PUT moves one there', async () => {
    const [a, b] = [(await createFunction(registry, user)).name, (await createFunction(registry, user)).name];
    for (let i = 0; i < 2; i++) expect((await create(schedule(a))).status).to.equal(201);
    const third = await create(schedule(a));
    expect(third.status).to.equal(429);
    expect(errorOf(third)).to.include({ code: 'QUOTA_EXCEEDED' });
    expect(errorOf(third).message).to.include('MAX_SCHEDULES_PER_FUNCTION');
    const other = schedule(b);
    expect((await create(other)).status).to.equal(201);
    const moved = await request(`${registry.url}/triggers/${other.name}`, { method: 'PUT', token: user.token, body: { kind: 'schedule', function: a, cron: '0 9 * * *' } });
    expect(moved.status).to.equal(429);
    // Its own replacement (same function) is no new schedule.
    const same = await request(`${registry.url}/triggers/${other.name}`, { method: 'PUT', token: user.token, body: { kind: 'schedule', function: b, cron: '0 10 * * *' } });
    expect(same.status).to.equal(200);
  });

  it('refuses a fifth trigger of any kind (object too) with 429, counts per user, and takes one again after a delete', async () => {
    const fresh = await registry.newUser();
    const fn = (await createFunction(registry, fresh)).name;
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const body = { name: uniqueName('wh'), kind: 'webhook', function: fn };
      expect((await create(body, fresh)).status).to.equal(201);
      names.push(body.name);
    }
    const fifth = await create({ name: uniqueName('wh'), kind: 'function-finished', function: fn, source: fn }, fresh);
    expect(fifth.status).to.equal(429);
    expect(errorOf(fifth).message).to.include('MAX_TRIGGERS_PER_USER');
    const object = await create({ name: uniqueName('ob'), kind: 'object', function: fn, prefix: 'in/' }, fresh);
    expect(object.status, 'an object trigger counts too').to.equal(429);
    expect((await request(`${registry.url}/triggers/${names[0]}`, { method: 'DELETE', token: fresh.token })).status).to.equal(204);
    expect((await create({ name: uniqueName('wh'), kind: 'webhook', function: fn }, fresh)).status).to.equal(201);
  });
});
