import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { startAuth, type AuthUnderTest } from './helpers.js';

type ErrorBody = { error: { code: string; message: string; requestId: string } };

describe('auth: bad input gets 4xx JSON errors', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuth();
  });
  after(() => auth.close());

  const expectError = (res: { status: number; body: unknown }, status: number, code: string): void => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    const body = res.body as ErrorBody;
    expect(body.error.code).to.equal(code);
    expect(body.error.message).to.be.a('string').with.length.greaterThan(0);
    expect(body.error.requestId).to.be.a('string');
  };

  const badBodies: Array<[string, unknown]> = [
    ['no fields', {}],
    ['missing password', { username: 'validname' }],
    ['missing username', { password: 'correct-horse' }],
    ['numeric username', { username: 12345, password: 'correct-horse' }],
    ['array password', { username: 'validname', password: ['a'] }],
    ['null fields', { username: null, password: null }],
    ['a JSON array body', ['validname', 'correct-horse']],
    ['a too short username', { username: 'ab', password: 'correct-horse' }],
    ['a too long username', { username: 'a'.repeat(33), password: 'correct-horse' }],
    ['a dot in the username', { username: 'a.b.c', password: 'correct-horse' }],
    ['a star in the username', { username: 'abc*', password: 'correct-horse' }],
    ['a > in the username', { username: 'abc>', password: 'correct-horse' }],
    ['a space in the username', { username: 'a b c', password: 'correct-horse' }],
    ['unicode in the username', { username: 'ñandú', password: 'correct-horse' }],
    ['an empty password', { username: 'validname', password: '' }],
    ['a short password', { username: 'validname', password: 'short' }],
    ['a 10 KB password', { username: 'validname', password: 'x'.repeat(10_240) }],
    ['a 73-byte password', { username: 'validname', password: 'é'.repeat(37) }],
  ];
  for (const [what, body] of badBodies) {
    it(`refuses registration with ${what} (400)`, async () => {
      expectError(await request(`${auth.url}/register`, { body }), 400, 'VALIDATION_FAILED');
    });
  }

  it('refuses login with wrongly typed fields (400)', async () => {
    expectError(await request(`${auth.url}/login`, { body: { username: 1, password: {} } }), 400, 'VALIDATION_FAILED');
    expectError(await request(`${auth.url}/login`, { body: {} }), 400, 'VALIDATION_FAILED');
  });

  it('refuses malformed JSON (400)', async () => {
    expectError(await request(`${auth.url}/register`, { rawBody: '{"username": "x",' }), 400, 'MALFORMED_JSON');
    expectError(await request(`${auth.url}/login`, { rawBody: 'null' }), 400, 'MALFORMED_JSON');
  });

  it('refuses a body without a JSON content type (400)', async () => {
    const res = await request(`${auth.url}/register`, {
      rawBody: 'username=abc&password=defghijk',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
  });

  it('refuses a 1 MB body (413) and stays healthy', async () => {
    const body = { username: uniqueName('big'), password: 'correct-horse', padding: 'x'.repeat(1_048_576) };
    expectError(await request(`${auth.url}/register`, { body }), 413, 'PAYLOAD_TOO_LARGE');
    expect((await request(`${auth.url}/health`)).status).to.equal(200);
  });

  it('answers an unknown route with a JSON 404', async () => {
    expectError(await request(`${auth.url}/nope`), 404, 'NOT_FOUND');
  });

  it('stores nothing for a refused registration', async () => {
    const username = uniqueName('ghost');
    await request(`${auth.url}/register`, { body: { username, password: 'short' } });
    const login = await request(`${auth.url}/login`, { body: { username, password: 'short' } });
    expect(login.status).to.equal(401);
  });
});
