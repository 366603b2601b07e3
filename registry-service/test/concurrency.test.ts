import type { FunctionDefinition } from '@faas/common';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

describe('registry: concurrent writes', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const read = (name: string) => request<FunctionDefinition>(`${registry.url}/functions/${name}`, { token: user.token });

  it('accepts exactly one of 10 concurrent creates of one name (one 201, nine 409)', async () => {
    const name = uniqueName('race');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request<FunctionDefinition>(`${registry.url}/functions`, { body: { name, image: `racer/n${i}:1` }, token: user.token }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).to.deep.equal([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of responses.filter((x) => x.status === 409)) expect(errorOf(r).code).to.equal('CONFLICT');
    const winner = responses.find((r) => r.status === 201);
    expect((await read(name)).body).to.deep.equal(winner?.body);
  });

  it('lets one of two concurrent updates at the same revision win (200) and refuses the other (409)', async () => {
    const created = await createFunction(registry, user);
    const put = (image: string) =>
      request<FunctionDefinition>(`${registry.url}/functions/${created.name}`, {
        method: 'PUT',
        body: { image, revision: created.revision },
        token: user.token,
      });
    const responses = await Promise.all([put('racer/a:1'), put('racer/b:1')]);
    expect(responses.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    const winner = responses.find((r) => r.status === 200);
    const stored = (await read(created.name)).body;
    expect(stored.revision).to.equal(2);
    expect(stored).to.deep.equal(winner?.body);
  });

  it('never loses an update among 8 concurrent ones: the revision counts exactly the successes', async () => {
    const created = await createFunction(registry, user);
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        request<FunctionDefinition>(`${registry.url}/functions/${created.name}`, {
          method: 'PUT',
          body: { image: `racer/u${i}:1` },
          token: user.token,
        }),
      ),
    );
    const wins = responses.filter((r) => r.status === 200);
    expect(wins.length).to.be.at.least(1);
    expect(responses.every((r) => r.status === 200 || r.status === 409)).to.equal(true);
    const stored = (await read(created.name)).body;
    expect(stored.revision).to.equal(1 + wins.length);
    expect(wins.map((r) => r.body.revision).sort((a, b) => a - b)).to.deep.equal(wins.map((_, i) => i + 2));
    expect(wins.find((r) => r.body.revision === stored.revision)?.body).to.deep.equal(stored);
  });

  it('refuses an update carrying a stale revision with 409 and keeps the stored one', async () => {
    const created = await createFunction(registry, user);
    const url = `${registry.url}/functions/${created.name}`;
    expect((await request(url, { method: 'PUT', body: { image: 'v/two:1', revision: 1 }, token: user.token })).status).to.equal(200);
    const stale = await request(url, { method: 'PUT', body: { image: 'v/stale:1', revision: 1 }, token: user.token });
    expect(stale.status).to.equal(409);
    expect(errorOf(stale).message).to.include('revision 2');
    expect((await read(created.name)).body).to.include({ image: 'v/two:1', revision: 2 });
  });

  it('deletes once under two concurrent deletes: one 204, the other 404', async () => {
    const created = await createFunction(registry, user);
    const url = `${registry.url}/functions/${created.name}`;
    const responses = await Promise.all([1, 2].map(() => request(url, { method: 'DELETE', token: user.token })));
    expect(responses.map((r) => r.status).sort()).to.deep.equal([204, 404]);
  });
});
