import { createTokenVerifier } from '@faas/common';
import { rejection, request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { startAuth, type AuthUnderTest } from './helpers.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('auth: token attacks are refused', () => {
  let auth: AuthUnderTest;
  let token: string;
  let claims: Record<string, unknown>;

  before(async () => {
    auth = await startAuth();
    const username = uniqueName('victim');
    await request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } });
    const login = await request<{ token: string }>(`${auth.url}/login`, { body: { username, password: 'correct-horse' } });
    token = login.body.token;
    claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  });
  after(() => auth.close());

  const sign = (payload: Record<string, unknown>, secret: string): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

  const expect401 = async (bad: string): Promise<void> => {
    const res = await request(`${auth.url}/validate`, { token: bad });
    expect(res.status).to.equal(401);
    expect(res.body).to.have.nested.property('error.code', 'UNAUTHENTICATED');
  };

  it('accepts the genuine token (control)', async () => {
    expect((await request(`${auth.url}/validate`, { token })).status).to.equal(200);
  });

  it('refuses a missing token and a non-bearer scheme', async () => {
    expect((await request(`${auth.url}/validate`)).status).to.equal(401);
    const basic = await request(`${auth.url}/validate`, { headers: { authorization: `Basic ${token}` } });
    expect(basic.status).to.equal(401);
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect401(await sign({ ...claims, iat: now - 7200, exp: now - 3600 }, auth.config.token.secret));
  });

  it('refuses a token signed with another secret', async () => {
    await expect401(await sign(claims, 'not-the-platform-secret-at-all'));
  });

  it('refuses alg none', async () => {
    await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = token.split('.');
    await expect401(`${header}.${b64({ ...claims, role: 'admin' })}.${signature}`);
  });

  it('refuses wrong issuer, wrong audience and not-yet-valid tokens', async () => {
    const secret = auth.config.token.secret;
    const now = Math.floor(Date.now() / 1000);
    await expect401(await sign({ ...claims, iss: 'someone-else' }, secret));
    await expect401(await sign({ ...claims, aud: 'other-app' }, secret));
    await expect401(await sign({ ...claims, nbf: now + 3600 }, secret));
  });

  it('refuses a validly signed token whose subject is unsafe as a KV key or NATS subject', async () => {
    const verify = createTokenVerifier(auth.config.token);
    const err = await rejection(verify(await sign({ ...claims, sub: 'a.b.>' }, auth.config.token.secret)));
    expect(err.code).to.equal('UNAUTHENTICATED');
    expect(await verify(await sign(claims, auth.config.token.secret))).to.include({ id: claims.sub });
  });

  it('refuses garbage and oversized tokens', async () => {
    await expect401('not-a-jwt');
    await expect401('a'.repeat(9000));
  });
});
