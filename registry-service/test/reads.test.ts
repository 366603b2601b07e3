import { BUCKETS } from '@faas/common';
import { countGets, request, tempSecretsKeyFile, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, functionCalls, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';

/**
 * A PUT or DELETE reads the entry before it writes it, and the publisher asks for a function the
 * user created a moment ago: a replica that had not applied the create answered a wrong 404 (or a
 * false 409 on a revision it had not seen). The registry asks the buckets' leader, never a
 * possibly lagging replica (DIRECT.GET), counted on the registry's own connection.
 */
describe('registry: reads of its own writes go to the leader', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => {
    // Without the registry's NATS user: its permissions rightly refuse the subscriptions that
    // count the gets (countGets listens on the JetStream API subjects).
    registry = await startRegistry({ SECRETS_KEY_FILE: tempSecretsKeyFile(), NATS_USER: '', NATS_PASSWORD_FILE: '' });
    user = await registry.newUser();
  });
  after(() => registry?.close());

  it('reads a function right after its create, update and delete from the leader', async () => {
    const fn = await createFunction(registry, user);
    const counts = await countGets(registry.nc, BUCKETS.functions, `${user.id}.${fn.name}`);
    const calls = functionCalls(registry, user);
    expect((await calls.read(fn.name)).status).to.equal(200);
    const put = await calls.put(fn.name, { image: fn.image, description: 'changed' });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect((await calls.read(fn.name)).body.description).to.equal('changed');
    const removed = await request(`${registry.url}/functions/${fn.name}`, { method: 'DELETE', token: user.token });
    expect(removed.status).to.equal(204);
    expect((await calls.read(fn.name)).status).to.equal(404);
    await counts.stop();
    expect(counts.direct, 'direct gets of the function').to.equal(0);
    expect(counts.leader, 'leader reads of the function').to.be.at.least(4);
  });

  it('reads a secret before replacing and deleting it from the leader', async () => {
    const name = uniqueName('S').toUpperCase().replace(/-/g, '_');
    const created = await request(`${registry.url}/secrets`, { body: { name, value: 'v1' }, token: user.token });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const counts = await countGets(registry.nc, BUCKETS.secrets, `${user.id}.${name}`);
    expect((await request(`${registry.url}/secrets/${name}`, { method: 'PUT', body: { value: 'v2' }, token: user.token })).status).to.equal(200);
    expect((await request(`${registry.url}/secrets/${name}`, { method: 'DELETE', token: user.token })).status).to.equal(204);
    await counts.stop();
    expect(counts.direct, 'direct gets of the secret').to.equal(0);
    expect(counts.leader, 'leader reads of the secret').to.be.at.least(2);
  });
});
