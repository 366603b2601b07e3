import { request } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, functionBody, functionCalls, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

describe('registry: the per-function warm setting', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const read = (name: string) => functionCalls(registry, user).read(name);
  const put = (name: string, body: Record<string, unknown>) => functionCalls(registry, user).put(name, body);

  it('stores warm: false on create and returns it on every read', async () => {
    const created = await createFunction(registry, user, { warm: false });
    expect(created.warm).to.equal(false);
    expect((await read(created.name)).body).to.deep.equal(created);
  });

  it('leaves warm out when it is not given (the operator default applies)', async () => {
    const created = await createFunction(registry, user);
    expect(created).to.not.have.property('warm');
    expect((await read(created.name)).body).to.not.have.property('warm');
  });

  it('sets warm on PUT and drops it again on a PUT without it (a full replacement)', async () => {
    const created = await createFunction(registry, user);
    const on = await put(created.name, { image: created.image, warm: true });
    expect(on.status, JSON.stringify(on.body)).to.equal(200);
    expect(on.body).to.include({ warm: true, revision: 2 });
    const off = await put(created.name, { image: created.image, warm: false });
    expect(off.body).to.include({ warm: false, revision: 3 });
    const omitted = await put(created.name, { image: created.image });
    expect(omitted.body.revision).to.equal(4);
    expect(omitted.body).to.not.have.property('warm');
    expect((await read(created.name)).body).to.deep.equal(omitted.body);
  });

  for (const value of ['false', 0, 1, null, {}]) {
    it(`refuses warm: ${JSON.stringify(value)} with 400 on create and on PUT, changing nothing`, async () => {
      const body = functionBody({ warm: value });
      const create = await request(`${registry.url}/functions`, { body, token: user.token });
      expect(create.status, JSON.stringify(create.body)).to.equal(400);
      expect(errorOf(create).message).to.match(/^warm: /);
      expect((await read(String(body.name))).status).to.equal(404);

      const existing = await createFunction(registry, user, { warm: true });
      const replaced = await put(existing.name, { image: existing.image, warm: value });
      expect(replaced.status).to.equal(400);
      expect((await read(existing.name)).body).to.deep.equal(existing);
    });
  }
});
