import { request } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, functionBody, functionCalls, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

describe('registry: HTTP functions (http, public, owner)', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const read = (name: string) => functionCalls(registry, user).read(name);
  const put = (name: string, body: Record<string, unknown>) => functionCalls(registry, user).put(name, body);

  it("stores http and public with the owner's username from the token, not from the body", async () => {
    const created = await createFunction(registry, user, { http: true, public: true });
    expect(created).to.include({ http: true, public: true, owner: user.username });
    expect((await read(created.name)).body).to.deep.equal(created);
    const plain = await createFunction(registry, user);
    expect(plain).to.not.have.any.keys('http', 'public', 'owner');
    const forged = await request(`${registry.url}/functions`, { body: functionBody({ http: true, owner: 'someone-else' }), token: user.token });
    expect(forged.status, 'owner is not a field a client sets').to.equal(400);
  });

  it('takes a GET back as a PUT (owner ignored), and drops http, public and owner on a PUT without http', async () => {
    const created = await createFunction(registry, user, { http: true });
    const { body: current } = await read(created.name);
    const again = await put(created.name, { ...current, owner: 'ignored', description: 'again' });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body).to.include({ http: true, owner: user.username, description: 'again' });
    expect(again.body).to.not.have.property('public');
    const off = await put(created.name, { image: created.image });
    expect(off.body).to.not.have.any.keys('http', 'public', 'owner');
  });

  it('refuses public without http, and a non-boolean http, with 400, storing nothing', async () => {
    for (const extra of [{ public: true }, { http: 'yes' }, { http: true, public: 1 }]) {
      const body = functionBody(extra);
      const res = await request(`${registry.url}/functions`, { body, token: user.token });
      expect(res.status, JSON.stringify(extra)).to.equal(400);
      expect(errorOf(res).message).to.match(/^(public|http)/);
      expect((await read(String(body.name))).status).to.equal(404);
    }
  });
});
