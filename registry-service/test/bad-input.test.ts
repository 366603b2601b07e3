import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { errorOf, functionBody, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

describe('registry: bad input gets 4xx JSON errors', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const expectError = (res: { status: number; body: unknown }, status: number, code: string): string => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    const error = errorOf(res);
    expect(error.code).to.equal(code);
    expect(error.message).to.be.a('string').with.length.greaterThan(0);
    expect(error.requestId).to.be.a('string');
    return error.message;
  };
  const create = (body: unknown) => request(`${registry.url}/functions`, { body, token: user.token });
  const createRaw = (rawBody: string) => request(`${registry.url}/functions`, { rawBody, token: user.token });

  const badBodies: Array<[string, unknown]> = [
    ['no fields', {}],
    ['a missing image', { name: uniqueName('fn') }],
    ['a missing name', { image: 'busybox' }],
    ['a numeric name', { name: 42, image: 'busybox' }],
    ['a dot in the name', { name: 'a.b', image: 'busybox' }],
    ['a star in the name', { name: 'abc*', image: 'busybox' }],
    ['a > in the name', { name: 'abc>', image: 'busybox' }],
    ['.. as the name', { name: '..', image: 'busybox' }],
    ['a space in the name', { name: 'a b', image: 'busybox' }],
    ['unicode in the name', { name: 'cuenta_palabras_ñ', image: 'busybox' }],
    ['a name starting with -', { name: '-abc', image: 'busybox' }],
    ['a 64-character name', { name: 'a'.repeat(64), image: 'busybox' }],
    ['a numeric image', functionBody({ image: 7 })],
    ['a string timeout', functionBody({ timeoutSeconds: '60' })],
    ['a fractional timeout', functionBody({ timeoutSeconds: 1.5 })],
    ['a zero timeout', functionBody({ timeoutSeconds: 0 })],
    ['negative memory', functionBody({ memoryMb: -1 })],
    ['zero cpus', functionBody({ cpus: 0 })],
    ['network host', functionBody({ network: 'host' })],
    ['env as an array', functionBody({ env: ['A=b'] })],
    ['env as a string', functionBody({ env: 'A=b' })],
    ['a lower-case env key', functionBody({ env: { path: '/bin' } })],
    ['an env key starting with a digit', functionBody({ env: { '1A': 'x' } })],
    ['a constructor env key', functionBody({ env: { constructor: 'x' } })],
    ['a numeric env value', functionBody({ env: { COUNT: 3 } })],
    ['a NUL in an env value', functionBody({ env: { A: 'x\u0000y' } })],
    ['a 2000-character description', functionBody({ description: 'd'.repeat(2_000) })],
    ['an unknown field', functionBody({ timeout: 30 })],
    ['a revision on create', functionBody({ revision: 3 })],
    ['a JSON array body', [functionBody()]],
  ];
  for (const [what, body] of badBodies) {
    it(`refuses a function with ${what} (400)`, async () => {
      expectError(await create(body), 400, 'VALIDATION_FAILED');
    });
  }

  it('refuses a __proto__ env key (400) and stores nothing', async () => {
    const name = uniqueName('proto');
    const raw = `{"name":"${name}","image":"busybox","env":{"__proto__":{"polluted":"yes"}}}`;
    expectError(await createRaw(raw), 400, 'VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect((await request(`${registry.url}/functions/${name}`, { token: user.token })).status).to.equal(404);
  });

  it('refuses malformed JSON and a JSON null or string body (400)', async () => {
    expectError(await createRaw('{"name": "x",'), 400, 'MALFORMED_JSON');
    expectError(await createRaw('null'), 400, 'MALFORMED_JSON');
    expectError(await createRaw('"busybox"'), 400, 'MALFORMED_JSON');
  });

  it('refuses a body without a JSON content type (400)', async () => {
    const res = await request(`${registry.url}/functions`, {
      rawBody: 'name=abc&image=busybox',
      token: user.token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
  });

  it('refuses invalid names in the path (400)', async () => {
    for (const name of ['a*b', 'a%3Eb', 'a.b', '%C3%B1andu', '%20x', 'a'.repeat(64)]) {
      expectError(await request(`${registry.url}/functions/${name}`, { token: user.token }), 400, 'VALIDATION_FAILED');
    }
  });

  it('refuses a PUT that renames, lacks the image or carries a non-numeric revision (400)', async () => {
    const url = `${registry.url}/functions/${uniqueName('fn')}`;
    const put = (body: unknown) => request(url, { method: 'PUT', body, token: user.token });
    expect(expectError(await put({ name: 'other', image: 'busybox' }), 400, 'VALIDATION_FAILED')).to.include('renamed');
    expectError(await put({ description: 'no image' }), 400, 'VALIDATION_FAILED');
    expectError(await put({ image: 'busybox', revision: '1' }), 400, 'VALIDATION_FAILED');
  });

  it('refuses bad paging parameters (400)', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'limit=1&limit=2', 'cursor=%2A%2A%2A', 'cursor=Li4']) {
      expectError(await request(`${registry.url}/functions?${query}`, { token: user.token }), 400, 'VALIDATION_FAILED');
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    expectError(await request(`${registry.url}/nope`, { token: user.token }), 404, 'NOT_FOUND');
  });
});
