import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKETS, openBucket, type AccountControl } from '@faas/common';
import { NatsServerProcess, eventually, freePort, request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { startAuth, type AuthUnderTest } from './helpers.js';

type AdminUser = { id: string; username: string; role: string; disabled: boolean; maxConcurrent: number | null };
type ErrorBody = { error: { code: string; message: string } };

/**
 * A NATS server of its own: "the last admin" is a fact about every user in the bucket, and the
 * shared test cluster holds other suites' admins.
 */
describe('auth: roles and the admin API', function () {
  this.timeout(60_000);
  let dir: string;
  let nats: NatsServerProcess;
  let auth: AuthUnderTest;
  let adminToken: string;
  const admin = { username: uniqueName('root'), password: 'operator-chosen-pw' };

  const writePassword = (password: string): string => {
    const file = join(dir, uniqueName('pw'));
    writeFileSync(file, `${password}\n`);
    return file;
  };
  const start = (password: string) =>
    startAuth({ NATS_URL: nats.url, NATS_REPLICAS: '1', ADMIN_USERNAME: admin.username, ADMIN_PASSWORD_FILE: writePassword(password) });
  const login = (body: unknown) => request<{ token: string }>(`${auth.url}/login`, { body });
  const newUser = async (): Promise<{ username: string; token: string }> => {
    const username = uniqueName('user');
    expect((await request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } })).status).to.equal(201);
    return { username, token: (await login({ username, password: 'correct-horse' })).body.token };
  };
  const patch = (username: string, body: unknown, token = adminToken) =>
    request<AdminUser>(`${auth.url}/admin/users/${username}`, { method: 'PATCH', body, token });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faas-admin-'));
    nats = new NatsServerProcess({ port: await freePort(), storeDir: join(dir, 'nats'), serverName: 'admin-test' });
    await nats.start();
    auth = await start(admin.password);
    const res = await login(admin);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    adminToken = res.body.token;
  });
  after(async () => {
    await auth?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the first admin from ADMIN_USERNAME and ADMIN_PASSWORD_FILE; registering that name again is refused', async () => {
    const me = await request<AdminUser>(`${auth.url}/validate`, { token: adminToken });
    expect(me.body).to.include({ username: admin.username, role: 'admin' });
    for (const username of [admin.username, admin.username.toUpperCase()]) {
      const again = await request(`${auth.url}/register`, { body: { username, password: 'attacker-pw-1' } });
      expect(again.status).to.equal(409);
    }
    const plain = await request<AdminUser>(`${auth.url}/register`, { body: { username: uniqueName('u'), password: 'x'.repeat(8), role: 'admin' } });
    expect(plain.body.role, 'no self-registration yields an admin').to.equal('user');
  });

  it('takes a changed admin password file at the next start', async () => {
    const second = await start('rotated-admin-pw');
    try {
      expect((await request(`${second.url}/login`, { body: { ...admin, password: 'rotated-admin-pw' } })).status).to.equal(200);
      expect((await request(`${second.url}/login`, { body: admin })).status).to.equal(401);
    } finally {
      await second.close();
    }
    await auth.close();
    auth = await start(admin.password);
    const back = await login(admin);
    expect(back.status).to.equal(200);
    adminToken = back.body.token; // each start has its own JWT secret

  });

  it('answers 403 JSON to a user token and 401 without one', async () => {
    const user = await newUser();
    for (const [method, path] of [['GET', '/admin/users'], ['GET', `/admin/users/${user.username}`], ['PATCH', `/admin/users/${user.username}`], ['DELETE', `/admin/users/${admin.username}`]] as const) {
      const res = await request<ErrorBody>(`${auth.url}${path}`, { method, token: user.token, ...(method === 'PATCH' ? { body: { disabled: true } } : {}) });
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(res.body.error.code).to.equal('FORBIDDEN');
      expect((await request(`${auth.url}${path}`, { method })).status).to.equal(401);
    }
    expect((await request(`${auth.url}/validate`, { token: user.token })).status, 'the user was not changed').to.equal(200);
  });

  it('lists users a page at a time', async () => {
    await Promise.all([newUser(), newUser(), newUser()]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: AdminUser[]; nextCursor: string | null } } = await request(
        `${auth.url}/admin/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: adminToken },
      );
      expect(page.status).to.equal(200);
      expect(page.body.items.length).to.be.at.most(2);
      for (const u of page.body.items) expect(u).to.not.have.property('passwordHash');
      seen.push(...page.body.items.map((u) => u.username));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).to.be.at.least(4);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.include(admin.username);
  });

  it("disables a user: the user's tokens are refused within a second and login is refused until enabled again", async () => {
    const user = await newUser();
    const disabled = await patch(user.username, { disabled: true });
    expect(disabled.body).to.include({ username: user.username, disabled: true });
    await eventually(async () => ((await request(`${auth.url}/validate`, { token: user.token })).status === 401 ? true : undefined), 1_000, 20);
    const refused = await login({ username: user.username, password: 'correct-horse' });
    expect(refused.status).to.equal(403);
    expect(refused.body).to.have.nested.property('error.message').that.includes('disabled');

    expect((await patch(user.username, { disabled: false })).body).to.include({ disabled: false });
    const again = await login({ username: user.username, password: 'correct-horse' });
    expect(again.status).to.equal(200);
    expect((await request(`${auth.url}/validate`, { token: again.body.token })).status).to.equal(200);
    expect((await request(`${auth.url}/validate`, { token: user.token })).status, 'tokens from before the disable stay dead').to.equal(401);
  });

  it('sets and clears a maxConcurrent override, published to every service through the accounts bucket', async () => {
    const user = await newUser();
    const set = await patch(user.username, { maxConcurrent: 3 });
    expect(set.body).to.include({ maxConcurrent: 3 });
    const kv = await openBucket(auth.nc, BUCKETS.accounts, { replicas: 1 });
    expect((await kv.get(set.body.id))?.json<AccountControl>()).to.include({ maxConcurrent: 3 });
    expect((await patch(user.username, { maxConcurrent: null })).body).to.include({ maxConcurrent: null });
    expect((await kv.get(set.body.id))?.json<AccountControl>()).to.not.have.property('maxConcurrent');
  });

  it('refuses bad admin input with 4xx JSON', async () => {
    const user = await newUser();
    for (const body of [{ maxConcurrent: 0 }, { maxConcurrent: 'x' }, { maxConcurrent: 1.5 }, { disabled: 'yes' }, { role: 'admin' }, []]) {
      const res = await patch(user.username, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    expect((await patch(uniqueName('nobody'), { disabled: true })).status).to.equal(404);
    expect((await patch('a.b', { disabled: true })).status).to.equal(400);
    expect((await request(`${auth.url}/admin/users?limit=0`, { token: adminToken })).status).to.equal(400);
    expect((await request(`${auth.url}/admin/users?cursor=***`, { token: adminToken })).status).to.equal(400);
  });

  it('refuses to disable or delete the last enabled admin, itself included', async () => {
    const self = await patch(admin.username, { disabled: true });
    expect(self.status).to.equal(409);
    expect((self.body as unknown as ErrorBody).error.message).to.include('last enabled admin');
    const del = await request(`${auth.url}/admin/users/${admin.username}`, { method: 'DELETE', token: adminToken });
    expect(del.status).to.equal(409);
    expect((await request(`${auth.url}/validate`, { token: adminToken })).status).to.equal(200);
  });

  it('logs out everywhere: every earlier token gets 401, a new one works', async () => {
    const user = await newUser();
    const second = (await login({ username: user.username, password: 'correct-horse' })).body.token;
    expect((await request(`${auth.url}/logout-all`, { method: 'POST', token: user.token })).status).to.equal(204);
    for (const old of [user.token, second]) {
      await eventually(async () => ((await request(`${auth.url}/validate`, { token: old })).status === 401 ? true : undefined), 1_000, 20);
    }
    const fresh = (await login({ username: user.username, password: 'correct-horse' })).body.token;
    expect((await request(`${auth.url}/validate`, { token: fresh })).status).to.equal(200);
    expect((await request(`${auth.url}/logout-all`, { method: 'POST' })).status).to.equal(401);
  });

  it('answers every one of many concurrent logout-all calls with 204, never a 503 from the lost races', async () => {
    const user = await newUser();
    const tokens = await Promise.all(Array.from({ length: 12 }, () => login({ username: user.username, password: 'correct-horse' })));
    const statuses = await Promise.all(tokens.map((t) => request(`${auth.url}/logout-all`, { method: 'POST', token: t.body.token }).then((r) => r.status)));
    expect(statuses.filter((s) => s !== 204 && s !== 401), 'each call revoked, or was already revoked by another').to.deep.equal([]);
    expect(statuses).to.include(204);
    for (const t of tokens) await eventually(async () => ((await request(`${auth.url}/validate`, { token: t.body.token })).status === 401 ? true : undefined), 1_000, 20);
  });
});
