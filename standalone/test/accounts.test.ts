import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKETS, connectNats, createLogger, openBucket, openObjectBucket, webhookTokenHash, type AccountControl } from '@faas/common';
import { eventually, request, tempSecretsKeyFile, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV, NatsConnection } from 'nats';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, finalExecution, newFunction, newUser, startTestPlatform, userIdOf, type TestUser } from './helpers.js';

async function keysOf(kv: KV, filter: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys(filter)) keys.push(key);
  return keys;
}

describe('standalone platform: admin, revocation at every service, quota override, user deletion', function () {
  this.timeout(120_000);
  const admin = { username: uniqueName('admin'), password: 'admin-password-1' };
  let platform: Platform;
  let base: string;
  let adminToken: string;
  let nc: NatsConnection;

  before(async () => {
    await buildImages();
    const passwordFile = join(mkdtempSync(join(tmpdir(), 'faas-admin-')), 'admin-password');
    writeFileSync(passwordFile, admin.password);
    platform = await startTestPlatform({ SECRETS_KEY_FILE: tempSecretsKeyFile(), ADMIN_USERNAME: admin.username, ADMIN_PASSWORD_FILE: passwordFile });
    base = platform.baseUrl;
    adminToken = (await request<{ token: string }>(`${base}/auth/login`, { body: admin })).body.token;
    nc = await connectNats({ servers: testNatsUrls(), name: 'accounts-test', logger: createLogger('accounts-test', 'silent') });
  });
  after(async () => {
    await platform?.stop();
    await nc?.close();
  });

  const patch = (username: string, body: unknown) => request(`${base}/auth/admin/users/${username}`, { method: 'PATCH', token: adminToken, body });
  const login = async (username: string): Promise<string> => {
    const res = await request<{ token: string }>(`${base}/auth/login`, { body: { username, password: 'correct-horse' } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.token;
  };
  const everyService = ['/auth/validate', '/registry/functions', '/publisher/executions'];
  const statusesFor = (token: string) => Promise.all(everyService.map(async (path) => (await request(`${base}${path}`, { token })).status));
  /** Polls until all three services refuse the token; the deadline is the "within a second". */
  const refusedEverywhere = (token: string) =>
    eventually(async () => ((await statusesFor(token)).every((s) => s === 401) ? true : undefined), 1_000, 20);

  it("refuses a disabled user's token at auth, registry and publisher within a second; login works again once enabled", async () => {
    const user = await newUser(base);
    expect(await statusesFor(user.token)).to.deep.equal([200, 200, 200]);
    expect((await patch(user.username, { disabled: true })).status).to.equal(200);
    await refusedEverywhere(user.token);
    expect((await request(`${base}/auth/login`, { body: { username: user.username, password: 'correct-horse' } })).status).to.equal(403);

    expect((await patch(user.username, { disabled: false })).status).to.equal(200);
    expect(await statusesFor(await login(user.username))).to.deep.equal([200, 200, 200]);
  });

  it('logs out everywhere: the old tokens get 401 at every service and a new token works', async () => {
    const user = await newUser(base);
    const other = await login(user.username);
    expect((await request(`${base}/auth/logout-all`, { method: 'POST', token: user.token })).status).to.equal(204);
    await refusedEverywhere(user.token);
    await refusedEverywhere(other);
    expect(await statusesFor(await login(user.username))).to.deep.equal([200, 200, 200]);
  });

  it("honours an admin's maxConcurrent override in the publisher, and the default once it is cleared", async () => {
    const user = await newUser(base);
    const fn = await newFunction(base, user, IMAGES.sleep);
    const submit = () => request<{ executionId: string }>(`${base}/publisher/executions`, { token: user.token, body: { name: fn, argument: '2' } });
    expect((await patch(user.username, { maxConcurrent: 1 })).status).to.equal(200);
    const first = await eventually(async () => {
      const res = await submit();
      return res.status === 202 ? res : undefined;
    });
    const second = await eventually(async () => {
      const res = await submit();
      return res.status === 429 ? res : undefined;
    }, 1_000, 20);
    expect(second.body).to.have.nested.property('error.message').that.includes('at most 1 ');
    expect((await patch(user.username, { maxConcurrent: null })).status).to.equal(200);
    const third = await eventually(async () => {
      const res = await submit();
      return res.status === 202 ? res : undefined;
    }, 1_000, 20);
    await finalExecution(base, user, first.body.executionId);
    await finalExecution(base, user, third.body.executionId);
  });

  it('deletes a user with every function, secret, trigger, webhook token, execution record, index entry and quota entry', async () => {
    const user: TestUser = await newUser(base);
    const userId = await userIdOf(base, user);
    const secret = `DOOMED_${uniqueName('').slice(1).toUpperCase()}`;
    expect((await request(`${base}/registry/secrets`, { token: user.token, body: { name: secret, value: 'v' } })).status).to.equal(201);
    const fn = await newFunction(base, user, IMAGES.echo, { secrets: [secret] });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request<{ id: string }>(`${base}/publisher/publish`, { token: user.token, body: { name: fn, argument: `run ${i}` } });
      expect(res.status).to.equal(200);
      ids.push(res.body.id);
    }
    expect((await patch(user.username, { maxConcurrent: 4 })).status).to.equal(200);
    const hook = await request<{ token: string }>(`${base}/registry/triggers`, { token: user.token, body: { name: 'doomed-hook', kind: 'webhook', function: fn } });
    expect(hook.status).to.equal(201);
    expect((await request(`${base}/publisher/callback-key`, { token: user.token })).status, 'the callback key, made on first read').to.equal(200);
    const buckets = Object.fromEntries(
      await Promise.all(
        [BUCKETS.users, BUCKETS.functions, BUCKETS.secrets, BUCKETS.executions, BUCKETS.executionIndex, BUCKETS.quotas, BUCKETS.accounts, BUCKETS.triggers, BUCKETS.triggerTokens, BUCKETS.callbackKeys].map(
          async (name) => [name, await openBucket(nc, name, { replicas: 3, leaderReads: true })] as const,
        ),
      ),
    ) as Record<string, KV>;
    const bucket = (name: string): KV => buckets[name] as KV;
    // What there is to delete, so the checks below cannot pass on an empty store.
    expect(await keysOf(bucket(BUCKETS.functions), `${userId}.>`)).to.have.length(1);
    expect(await keysOf(bucket(BUCKETS.executionIndex), `${userId}.>`)).to.have.length(2);
    expect(await bucket(BUCKETS.quotas).get(userId)).to.not.equal(null);
    expect(await keysOf(bucket(BUCKETS.triggers), `${userId}.>`)).to.have.length(1);
    expect((await bucket(BUCKETS.triggerTokens).get(webhookTokenHash(hook.body.token)))?.operation).to.equal('PUT');
    expect((await bucket(BUCKETS.callbackKeys).get(userId))?.operation).to.equal('PUT');

    const deleted = await request(`${base}/auth/admin/users/${user.username}`, { method: 'DELETE', token: adminToken });
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(204);

    expect(await keysOf(bucket(BUCKETS.functions), `${userId}.>`)).to.deep.equal([]);
    expect(await keysOf(bucket(BUCKETS.secrets), `${userId}.>`)).to.deep.equal([]);
    expect(await keysOf(bucket(BUCKETS.executionIndex), `${userId}.>`)).to.deep.equal([]);
    expect(await keysOf(bucket(BUCKETS.triggers), `${userId}.>`)).to.deep.equal([]);
    expect((await bucket(BUCKETS.triggerTokens).get(webhookTokenHash(hook.body.token)))?.operation ?? 'gone').to.not.equal('PUT');
    expect((await bucket(BUCKETS.callbackKeys).get(userId))?.operation ?? 'gone').to.not.equal('PUT');
    for (const id of ids) expect((await bucket(BUCKETS.executions).get(id))?.operation ?? 'gone').to.not.equal('PUT');
    expect((await bucket(BUCKETS.quotas).get(userId))?.operation ?? 'gone').to.not.equal('PUT');
    expect((await bucket(BUCKETS.users).get(user.username.toLowerCase()))?.operation ?? 'gone').to.not.equal('PUT');
    const control = (await bucket(BUCKETS.accounts).get(userId))?.json<AccountControl>();
    expect(control, 'a tombstone without a quota: the tokens stay refused').to.deep.equal({ deleted: true, disabled: true });
    await refusedEverywhere(user.token);
    expect((await request(`${base}/auth/admin/users/${user.username}`, { token: adminToken })).status).to.equal(404);
  });

  it("deletes a user's uploads, execution outputs and storage usage with the user (issue 21)", async () => {
    const user: TestUser = await newUser(base);
    const userId = await userIdOf(base, user);
    const put = await fetch(`${base}/registry/objects/doomed/in.csv`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body: 'a,b\n1,2\n' });
    expect(put.status).to.equal(201);
    const fn = await newFunction(base, user, IMAGES.csvlines);
    const run = await request<{ status: string; outputs?: { files: unknown[] } }>(`${base}/publisher/publish`, { token: user.token, body: { name: fn, argument: 'doomed/in.csv', inputs: ['doomed/in.csv'] } });
    expect(run.body.status).to.equal('succeeded');
    expect(run.body.outputs?.files).to.have.length(2);
    const [uploads, outputs] = await Promise.all([
      openObjectBucket(nc, BUCKETS.objects, { replicas: 3, index: BUCKETS.objectIndex }),
      openObjectBucket(nc, BUCKETS.outputs, { replicas: 3, index: BUCKETS.outputIndex }),
    ]);
    expect(await uploads.listOwn(userId), 'what there is to delete').to.have.length(1);
    expect(await outputs.listOwn(userId)).to.have.length(2);

    const deleted = await request(`${base}/auth/admin/users/${user.username}`, { method: 'DELETE', token: adminToken });
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(204);
    expect(await uploads.listOwn(userId)).to.deep.equal([]);
    expect(await outputs.listOwn(userId)).to.deep.equal([]);
    const usage = await openBucket(nc, BUCKETS.objectUsage, { replicas: 3, leaderReads: true });
    expect((await usage.get(userId))?.operation ?? 'gone', 'the storage usage entry').to.not.equal('PUT');
  });
});
