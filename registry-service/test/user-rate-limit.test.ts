import { randomUUID } from 'node:crypto';
import { issueToken } from '@faas/common';
import { request, tempSecretFile, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { startRegistry, type RegistryUnderTest } from './helpers.js';

describe('registry: the per-user request limit holds whatever the number of tokens', () => {
  const started: RegistryUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.close()));
  });
  const start = async (env: Record<string, string>) => {
    const registry = await startRegistry(env);
    started.push(registry);
    return registry;
  };
  /** `logins` tokens of one user, as logging in again and again would give. */
  const tokensOf = async (registry: RegistryUnderTest, id: string, logins: number) => {
    const username = uniqueName('u');
    const tokens: string[] = [];
    for (let i = 0; i < logins; i++) tokens.push((await issueToken(registry.config.token, { id, username, role: 'user' })).token);
    return tokens;
  };

  it('refuses the user\'s request past the limit with 429 and Retry-After, counting every token, and leaves other users alone', async () => {
    const registry = await start({ USER_RATE_LIMIT_COUNT: '4', USER_RATE_LIMIT_WINDOW_SECONDS: '3600' });
    const id = randomUUID();
    for (const token of await tokensOf(registry, id, 4)) expect((await request(`${registry.url}/functions`, { token })).status).to.equal(200);
    const [fresh] = await tokensOf(registry, id, 1);
    const fifth = await request<{ error: { code: string } }>(`${registry.url}/functions`, { token: fresh });
    expect(fifth.status).to.equal(429);
    expect(fifth.body.error.code).to.equal('RATE_LIMITED');
    expect(Number(fifth.headers.get('retry-after'))).to.be.within(1, 3600);
    const [other] = await tokensOf(registry, randomUUID(), 1);
    expect((await request(`${registry.url}/functions`, { token: other })).status).to.equal(200);
  });

  it('shares one count between replicas', async () => {
    const env = { USER_RATE_LIMIT_COUNT: '3', USER_RATE_LIMIT_WINDOW_SECONDS: '3600', JWT_SECRET_FILE: tempSecretFile() };
    const [a, b] = [await start(env), await start(env)];
    const id = randomUUID();
    const [t1, t2] = await tokensOf(a, id, 2);
    expect((await request(`${a.url}/functions`, { token: t1 })).status).to.equal(200);
    expect((await request(`${b.url}/functions`, { token: t2 })).status).to.equal(200);
    expect((await request(`${a.url}/functions`, { token: t2 })).status).to.equal(200);
    expect((await request(`${b.url}/functions`, { token: t1 })).status).to.equal(429);
  });

  it('counts exactly under concurrent requests: 10 at once with a limit of 6 give six 200s', async () => {
    const registry = await start({ USER_RATE_LIMIT_COUNT: '6', USER_RATE_LIMIT_WINDOW_SECONDS: '3600' });
    const tokens = await tokensOf(registry, randomUUID(), 10);
    const statuses = await Promise.all(tokens.map((token) => request(`${registry.url}/functions`, { token }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).to.have.length(6);
    expect(statuses.filter((s) => s === 429)).to.have.length(4);
  });
});
