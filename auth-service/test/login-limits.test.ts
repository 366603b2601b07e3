import { eventually, request, tempSecretFile, uniqueName, type JsonResponse } from '@faas/testing';
import { openBucket } from '@faas/common';
import { loadAuthConfig } from '../src/index.js';
import { LOGIN_FAILURES_BUCKET } from '../src/failure-store.js';
import { expect } from 'chai';
import { startAuth, type AuthUnderTest } from './helpers.js';

type ErrorBody = { error: { code: string; message: string; details?: { retryAfterSeconds: number } } };

describe('auth: login and registration limits inside the service (gateway bypassed)', () => {
  const started: AuthUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((a) => a.close()));
  });
  const start = async (env: Record<string, string>) => {
    const auth = await startAuth(env);
    started.push(auth);
    return auth;
  };
  const register = async (auth: AuthUnderTest, headers: Record<string, string> = {}) => {
    const username = uniqueName('limit');
    const res = await request(`${auth.url}/register`, { body: { username, password: 'right-password' }, headers });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return username;
  };
  const login = (auth: AuthUnderTest, username: string, password: string, headers: Record<string, string> = {}) =>
    request<ErrorBody>(`${auth.url}/login`, { body: { username, password }, headers });
  const expectRateLimited = (res: JsonResponse<ErrorBody>) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(429);
    expect(res.body.error.code).to.equal('RATE_LIMITED');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).to.be.at.least(1);
    expect(res.body.error.details?.retryAfterSeconds).to.equal(retryAfter);
  };

  it('answers 429 to a brute-force login after the failure threshold, even with the right password, until the backoff ends', async () => {
    const auth = await start({ LOGIN_USER_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_BASE_MS: '1500' });
    const username = await register(auth);
    for (let i = 0; i < 3; i++) expect((await login(auth, username, `wrong-${i}`)).status).to.equal(401);
    expectRateLimited(await login(auth, username, 'wrong-again'));
    expectRateLimited(await login(auth, username, 'right-password'));
    const other = await register(auth);
    expect((await login(auth, other, 'right-password')).status, 'another user is not affected').to.equal(200);
    await eventually(async () => ((await login(auth, username, 'right-password')).status === 200 ? true : undefined), 10_000, 200);
    expect((await login(auth, username, 'wrong-once-more')).status, 'a success clears the count').to.equal(401);
  });

  it('holds a username\'s backoff across replicas (the count lives in NATS KV)', async () => {
    const env = { LOGIN_USER_FAILURES_BEFORE_BACKOFF: '2', LOGIN_BACKOFF_BASE_MS: '60000' };
    const [a, b] = [await start(env), await start(env)];
    const username = await register(a);
    expect((await login(a, username, 'wrong-1')).status).to.equal(401);
    expect((await login(b, username, 'wrong-2')).status).to.equal(401);
    expectRateLimited(await login(a, username, 'right-password'));
    expectRateLimited(await login(b, username, 'right-password'));
  });

  it('counts every one of concurrent failures through two replicas (one compare-and-set each, no last write wins)', async () => {
    // No backoff in reach: only the count is under test.
    const env = { LOGIN_USER_FAILURES_BEFORE_BACKOFF: '1000', LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF: '1000' };
    const [a, b] = [await start(env), await start(env)];
    const username = await register(a);
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => login(i % 2 ? b : a, username, `wrong-${i}`).then((r) => r.status)));
    expect(statuses).to.deep.equal(Array(12).fill(401));
    const kv = await openBucket(a.nc, LOGIN_FAILURES_BUCKET, { replicas: 3, leaderReads: true });
    const entry = await kv.get(username.toLowerCase());
    expect(entry?.json<{ failures: number }>().failures, 'failures on record for the username').to.equal(12);
  });

  it('backs off an address that fails across many usernames (password spraying), by the proxy\'s X-Forwarded-For', async () => {
    const auth = await start({ LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_BASE_MS: '60000', AUTH_TRUSTED_PROXY_HOPS: '1' });
    const sprayer = { 'x-forwarded-for': '203.0.113.7' };
    const victims = [await register(auth), await register(auth), await register(auth), await register(auth)];
    for (const victim of victims.slice(0, 3)) expect((await login(auth, victim, 'password1', sprayer)).status).to.equal(401);
    expectRateLimited(await login(auth, victims[3] ?? '', 'right-password', sprayer));
    expect((await login(auth, victims[3] ?? '', 'right-password', { 'x-forwarded-for': '198.51.100.2' })).status).to.equal(200);
  });

  it('ignores X-Forwarded-For when no proxy is trusted, so a client cannot pick a fresh address per attempt', async () => {
    const auth = await start({ LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF: '2', LOGIN_BACKOFF_BASE_MS: '60000', AUTH_LIMIT_EXEMPT_ADDRESSES: '' });
    const victims = [await register(auth), await register(auth), await register(auth)];
    expect((await login(auth, victims[0] ?? '', 'nope-nope', { 'x-forwarded-for': '192.0.2.1' })).status).to.equal(401);
    expect((await login(auth, victims[1] ?? '', 'nope-nope', { 'x-forwarded-for': '192.0.2.2' })).status).to.equal(401);
    expectRateLimited(await login(auth, victims[2] ?? '', 'right-password', { 'x-forwarded-for': '192.0.2.3' }));
  });

  it('exempts no address by default, and only the listed ones when told (the pair backoff still holds for them)', async () => {
    const defaults = loadAuthConfig({ NATS_URL: 'nats://127.0.0.1:4222', JWT_SECRET_FILE: tempSecretFile() });
    expect([...defaults.loginGuard.exemptAddresses]).to.deep.equal([]);
    const auth = await start({ LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF: '2', LOGIN_USER_FAILURES_BEFORE_BACKOFF: '2', LOGIN_BACKOFF_BASE_MS: '60000', REGISTER_LIMIT_PER_ADDRESS: '3', AUTH_LIMIT_EXEMPT_ADDRESSES: '127.0.0.1,::1,::ffff:127.0.0.1' });
    const users = [await register(auth), await register(auth), await register(auth)];
    expect((await request(`${auth.url}/register`, { body: { username: uniqueName('more'), password: 'right-password' } })).status, 'loopback exempt').to.equal(201);
    for (const user of users) expect((await login(auth, user, 'nope-nope')).status).to.equal(401);
    expect((await login(auth, users[0] ?? '', 'right-password')).status).to.equal(200);
    expect((await login(auth, users[1] ?? '', 'wrong-again')).status).to.equal(401);
    expectRateLimited(await login(auth, users[1] ?? '', 'right-password'));
  });

  it('lets a known user log in with the right password from their own address while another address keeps failing against the name', async () => {
    const auth = await start({ LOGIN_USER_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_BASE_MS: '60000', AUTH_TRUSTED_PROXY_HOPS: '1' });
    const victim = await register(auth);
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    for (let i = 0; i < 3; i++) expect((await login(auth, victim, `guess-${i}`, attacker)).status).to.equal(401);
    for (let i = 0; i < 5; i++) expectRateLimited(await login(auth, victim, `guess-more-${i}`, attacker));
    expectRateLimited(await login(auth, victim, 'right-password', attacker));
    for (let i = 0; i < 3; i++) {
      const res = await login(auth, victim, 'right-password', { 'x-forwarded-for': '198.51.100.23' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
  });

  it('gives each new address one wrong guess against a name under attack, then backs that address off', async () => {
    const auth = await start({ LOGIN_USER_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_BASE_MS: '60000', AUTH_TRUSTED_PROXY_HOPS: '1' });
    const victim = await register(auth);
    for (let i = 0; i < 3; i++) expect((await login(auth, victim, `guess-${i}`, { 'x-forwarded-for': '203.0.113.66' })).status).to.equal(401);
    for (const bot of ['203.0.113.67', '203.0.113.68']) {
      expect((await login(auth, victim, 'first-guess', { 'x-forwarded-for': bot })).status).to.equal(401);
      expectRateLimited(await login(auth, victim, 'second-guess', { 'x-forwarded-for': bot }));
    }
    expect((await login(auth, victim, 'right-password', { 'x-forwarded-for': '198.51.100.23' })).status).to.equal(200);
  });

  it('counts IPv6 clients by their /64 for the address limit', async () => {
    const auth = await start({ LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF: '2', LOGIN_BACKOFF_BASE_MS: '60000', AUTH_TRUSTED_PROXY_HOPS: '1' });
    const users = [await register(auth), await register(auth), await register(auth), await register(auth)];
    expect((await login(auth, users[0] ?? '', 'nope-nope', { 'x-forwarded-for': '2001:db8:1:2::a' })).status).to.equal(401);
    expect((await login(auth, users[1] ?? '', 'nope-nope', { 'x-forwarded-for': '2001:db8:1:2:ffff:1:2:3' })).status).to.equal(401);
    expectRateLimited(await login(auth, users[2] ?? '', 'right-password', { 'x-forwarded-for': '2001:0db8:0001:0002::b' }));
    expect((await login(auth, users[3] ?? '', 'right-password', { 'x-forwarded-for': '2001:db8:1:3::a' })).status, 'the next /64').to.equal(200);
  });

  it('refuses a configuration whose longest block is not shorter than the failure window', () => {
    const base = { NATS_URL: 'nats://127.0.0.1:4222', JWT_SECRET_FILE: tempSecretFile() };
    const defaults = loadAuthConfig(base).loginGuard;
    expect(defaults.backoffMaxMs).to.be.below(defaults.failureWindowMs);
    expect(() => loadAuthConfig({ ...base, LOGIN_BACKOFF_MAX_SECONDS: '900', LOGIN_FAILURE_WINDOW_SECONDS: '900' })).to.throw(/LOGIN_BACKOFF_MAX_SECONDS.*shorter than LOGIN_FAILURE_WINDOW_SECONDS/s);
  });

  it('answers 429 to a registration flood from one address, and counts only valid registrations', async () => {
    const auth = await start({ REGISTER_LIMIT_PER_ADDRESS: '3', REGISTER_LIMIT_WINDOW_SECONDS: '600', AUTH_LIMIT_EXEMPT_ADDRESSES: '' });
    const invalid = await request(`${auth.url}/register`, { body: { username: 'x', password: 'short' } });
    expect(invalid.status).to.equal(400);
    for (let i = 0; i < 3; i++) await register(auth);
    const flood = await request<ErrorBody>(`${auth.url}/register`, { body: { username: uniqueName('flood'), password: 'right-password' } });
    expectRateLimited(flood);
  });
});
