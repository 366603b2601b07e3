import { rejection } from '@faas/testing';
import { expect } from 'chai';
import { ConfigError, createLogger } from '@faas/common';
import { loadGatewayConfig } from '../src/config.js';
import { configureGateway } from '../src/configure-gateway.js';
import { ensureEtcdAuth, type EtcdAuthSettings } from '../src/etcd-auth.js';
import { FakeEtcd } from './fake-etcd.js';
import { gatewayEnv, newSecrets, secretFile, startFakeAdminApi } from './helpers.js';

const log = createLogger('etcd-auth-test', 'silent');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('api-gateway: etcd auth for APISIX', () => {
  let etcd: FakeEtcd;
  let settings: EtcdAuthSettings;
  beforeEach(async () => {
    etcd = new FakeEtcd();
    const url = await etcd.start();
    settings = { url, rootPassword: 'root-secret-1', apisixUser: 'apisix', apisixPassword: 'apisix-secret-1', prefix: '/apisix' };
  });
  afterEach(() => etcd.close());

  it('waits for etcd, makes root and an APISIX user limited to /apisix, and enables auth', async () => {
    etcd.unavailableFor = 2;
    expect(await ensureEtcdAuth(settings, { log, retryWindowMs: 5_000, retryDelayMs: 10 })).to.equal('enabled');
    expect(etcd.enabled).to.equal(true);
    expect([...(etcd.users.get('root')?.roles ?? [])]).to.deep.equal(['root']);
    expect(etcd.users.get('apisix')).to.deep.include({ password: 'apisix-secret-1' });
    expect([...(etcd.users.get('apisix')?.roles ?? [])]).to.deep.equal(['apisix']);
    expect(etcd.roles.get('apisix')).to.deep.equal([{ permType: 'READWRITE', key: b64('/apisix'), range_end: b64('/apisiy') }]);
  });

  it('logs in as root on a later run, keeps everything and applies a changed APISIX password', async () => {
    await ensureEtcdAuth(settings, { log, retryWindowMs: 1_000 });
    const again = await ensureEtcdAuth({ ...settings, apisixPassword: 'apisix-secret-2' }, { log, retryWindowMs: 1_000 });
    expect(again).to.equal('kept');
    expect(etcd.users.get('apisix')?.password).to.equal('apisix-secret-2');
    expect(etcd.roles.get('apisix')).to.have.length(1);
    expect([...etcd.users.keys()].sort()).to.deep.equal(['apisix', 'root']);
  });

  it('fails clearly, without the password, when root cannot log in to an etcd that has auth on', async () => {
    await ensureEtcdAuth(settings, { log, retryWindowMs: 1_000 });
    const err = await rejection(ensureEtcdAuth({ ...settings, rootPassword: 'not-the-one' }, { log, retryWindowMs: 1_000 }));
    expect(err.message).to.match(/etcd refused the root login: .*invalid user ID or password/);
    expect(err.message).to.not.contain('not-the-one');
  });

  it('turns etcd auth on before it configures APISIX, when the configurator is given both etcd passwords', async () => {
    const { secrets, fake, url } = await startFakeAdminApi();
    try {
      const env = gatewayEnv(url, secrets, {
        ETCD_URL: settings.url, ETCD_ROOT_PASSWORD_FILE: secretFile('root-pw'), ETCD_APISIX_PASSWORD_FILE: secretFile('apisix-pw'),
      });
      const summary = await configureGateway(loadGatewayConfig(env), { log, initialDelayMs: 10, maxDelayMs: 20 });
      expect(summary.etcdAuth).to.equal('enabled');
      expect(etcd.users.get('apisix')?.password).to.equal('apisix-pw');
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
