import { request } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, functionBody, functionCalls, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

describe('registry: the per-function runtime setting', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const read = (name: string) => functionCalls(registry, user).read(name);
  const put = (name: string, body: Record<string, unknown>) => functionCalls(registry, user).put(name, body);

  it('stores runtime: "process" on create and returns it on every read; without it a function has none (exec)', async () => {
    const created = await createFunction(registry, user, { runtime: 'process' });
    expect(created.runtime).to.equal('process');
    expect((await read(created.name)).body).to.deep.equal(created);
    expect(await createFunction(registry, user)).to.not.have.property('runtime');
  });

  it('sets runtime on PUT and drops it again on a PUT without it (a full replacement)', async () => {
    const created = await createFunction(registry, user);
    const on = await put(created.name, { image: created.image, runtime: 'process' });
    expect(on.status, JSON.stringify(on.body)).to.equal(200);
    expect(on.body).to.include({ runtime: 'process', revision: 2 });
    const omitted = await put(created.name, { image: created.image });
    expect(omitted.body).to.not.have.property('runtime');
    expect(omitted.body.revision).to.equal(3);
  });

  for (const value of ['Process', 'lambda', '', 1, null, {}]) {
    it(`refuses runtime: ${JSON.stringify(value)} with 400 saying what is allowed, on create and on PUT`, async () => {
      const body = functionBody({ runtime: value });
      const create = await request(`${registry.url}/functions`, { body, token: user.token });
      expect(create.status, JSON.stringify(create.body)).to.equal(400);
      expect(errorOf(create).message).to.match(/^runtime: runtime must be "exec" or "process"/);
      expect((await read(String(body.name))).status).to.equal(404);

      const existing = await createFunction(registry, user, { runtime: 'process' });
      const replaced = await put(existing.name, { image: existing.image, runtime: value });
      expect(replaced.status).to.equal(400);
      expect((await read(existing.name)).body).to.deep.equal(existing);
    });
  }
});
