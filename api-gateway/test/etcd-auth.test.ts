import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { etcdVersion, freePort, rejection, startEtcd, type EtcdServer } from '@faas/testing';
import axios from 'axios';
import { expect } from 'chai';
import { ConfigError, createLogger } from '@faas/common';
import { loadGatewayConfig } from '../src/config.js';
import { configureGateway } from '../src/configure-gateway.js';
import { ensureEtcdAuth, type EtcdAuthSettings } from '../src/etcd-auth.js';
import { gatewayEnv, newSecrets, secretFile, startFakeAdminApi } from './helpers.js';

const run = promisify(execFile);
const log = createLogger('etcd-auth-test', 'silent');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** One call to etcd's v3 JSON gateway: status and body, errors included. */
async function etcd(url: string, path: string, body: object, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await axios.post(`${url}${path}`, body, { validateStatus: () => true, proxy: false, headers: token ? { Authorization: token } : {} });
  return { status: res.status, body: res.data as Record<string, unknown> };
}

async function tokenOf(url: string, name: string, password: string): Promise<string> {
  const res = await etcd(url, '/v3/auth/authenticate', { name, password });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return String(res.body.token);
}

const put = (url: string, key: string, token?: string) => etcd(url, '/v3/kv/put', { key: b64(key), value: b64('v') }, token);
const range = (url: string, key: string, token?: string) => etcd(url, '/v3/kv/range', { key: b64(key) }, token);

/** The etcd service's healthcheck command, as docker-compose.yml has it. */
function stackHealthcheck(): string[] {
  const compose = readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8');
  const service = compose.slice(compose.indexOf('\n  etcd:\n'));
  const test = /\n\s+test: (\[.*\])\n/.exec(service)?.[1];
  if (!test) throw new Error('no healthcheck test in the etcd service of docker-compose.yml');
  return JSON.parse(test) as string[];
}

describe(`api-gateway: etcd auth for APISIX, against a real etcd (${etcdVersion()})`, function () {
  this.timeout(60_000);
  let server: EtcdServer;
  let settings: EtcdAuthSettings;
  beforeEach(async () => {
    server = await startEtcd();
    settings = { url: server.url, rootPassword: 'root-secret-1', apisixUser: 'apisix', apisixPassword: 'apisix-secret-1', prefix: '/apisix' };
  });
  afterEach(() => server.stop());

  it('turns auth on: no token reads or writes nothing, and the APISIX user may use [/apisix, /apisiy) only', async () => {
    expect(await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 })).to.equal('enabled');
    // auth is on: no token, no read or write
    expect((await range(server.url, '/apisix/routes/1')).body.message).to.match(/user name is empty/);
    expect((await put(server.url, '/apisix/routes/1')).status).to.equal(400);
    const apisix = await tokenOf(server.url, 'apisix', 'apisix-secret-1');
    expect((await put(server.url, '/apisix/routes/1', apisix)).status).to.equal(200);
    expect((await range(server.url, '/apisix/routes/1', apisix)).status).to.equal(200);
    expect((await put(server.url, '/apisiy', apisix)).body.message).to.match(/permission denied/);
    expect((await put(server.url, '/other', apisix)).status).to.equal(403);
    expect((await range(server.url, '/apisi', apisix)).status).to.equal(403);
    expect((await etcd(server.url, '/v3/auth/user/add', { name: 'x', password: 'y' }, apisix)).status).to.equal(403);
  });

  it("runs on etcd 3.5, the line the stack's etcd runs", () => {
    expect(server.version).to.match(/^3\.5\./);
  });

  it('waits for an etcd that is not up yet', async () => {
    await server.stop();
    const port = await freePort();
    const pending = ensureEtcdAuth({ ...settings, url: `http://127.0.0.1:${port}` }, { log, retryWindowMs: 20_000, retryDelayMs: 100 });
    server = await startEtcd({ port });
    expect(await pending).to.equal('enabled');
  });

  it("re-runs keep APISIX's token valid, and a changed password is applied", async () => {
    await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 });
    const apisix = await tokenOf(server.url, 'apisix', 'apisix-secret-1');
    expect(await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 })).to.equal('kept');
    expect((await put(server.url, '/apisix/after-rerun', apisix)).status, 'the token APISIX holds still works').to.equal(200);
    expect(await ensureEtcdAuth({ ...settings, apisixPassword: 'apisix-secret-2' }, { log, retryWindowMs: 5_000 })).to.equal('kept');
    expect((await put(server.url, '/apisix/x', apisix)).status, 'a password change drops old tokens').to.equal(401);
    await tokenOf(server.url, 'apisix', 'apisix-secret-2');
  });

  it('resets a root password left by an earlier attempt that never enabled auth', async () => {
    await etcd(server.url, '/v3/auth/user/add', { name: 'root', password: 'leftover' });
    expect(await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 })).to.equal('enabled');
    await tokenOf(server.url, 'root', 'root-secret-1');
    expect(await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 })).to.equal('kept');
  });

  it('fails clearly, without the password, when root cannot log in to an etcd that has auth on', async () => {
    await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 });
    const err = await rejection(ensureEtcdAuth({ ...settings, rootPassword: 'not-the-one' }, { log, retryWindowMs: 5_000 }));
    expect(err.message).to.match(/etcd refused the root login: .*invalid user ID or password/);
    expect(err.message).to.not.contain('not-the-one');
  });

  it("the stack's etcd healthcheck exits 0 against it with auth on", async () => {
    await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000 });
    const [binary, ...args] = stackHealthcheck().slice(1);
    expect(binary).to.equal('/usr/local/bin/etcdctl');
    const local = args.map((a) => a.replace('http://127.0.0.1:2379', server.url));
    await run('etcdctl', local); // rejects on a non-zero exit
    const health = await rejection(run('etcdctl', [`--endpoints=${server.url}`, 'endpoint', 'health']));
    expect(health.message, 'the old healthcheck fails with auth on').to.match(/user name is empty|unhealthy/);
  });

  it('turns etcd auth on before it configures APISIX, when the configurator is given both etcd passwords', async () => {
    const { secrets, fake, url } = await startFakeAdminApi();
    try {
      const env = gatewayEnv(url, secrets, {
        ETCD_URL: settings.url, ETCD_ROOT_PASSWORD_FILE: secretFile('root-pw'), ETCD_APISIX_PASSWORD_FILE: secretFile('apisix-pw'),
      });
      const summary = await configureGateway(loadGatewayConfig(env), { log, initialDelayMs: 10, maxDelayMs: 20 });
      expect(summary.etcdAuth).to.equal('enabled');
      await tokenOf(server.url, 'apisix', 'apisix-pw');
      expect(fake.store.size).to.be.greaterThan(0);
    } finally {
      await fake.close();
    }
  });

  it('refuses one etcd password file without the other', () => {
    const env = gatewayEnv('http://127.0.0.1:9', newSecrets(), { ETCD_ROOT_PASSWORD_FILE: secretFile('root-pw') });
    let problems: readonly string[] = [];
    try {
      loadGatewayConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems.join('; ')).to.contain('ETCD_ROOT_PASSWORD_FILE and ETCD_APISIX_PASSWORD_FILE: give both or neither');
  });
});
