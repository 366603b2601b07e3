import { freePort, rejection, eventually } from '@faas/testing';
import { expect } from 'chai';
import { AdminClient } from '../src/index.js';
import { FakeAdminApi } from './fake-admin-api.js';
import { newSecrets, RecordingLog } from './helpers.js';

describe('api-gateway: waiting for and talking to the Admin API', () => {
  const fakes: FakeAdminApi[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  const start = async (apiKey: string, port = 0): Promise<{ fake: FakeAdminApi; url: string }> => {
    const fake = new FakeAdminApi(apiKey);
    fakes.push(fake);
    return { fake, url: await fake.listen(port) };
  };
  const client = (baseUrl: string, apiKey: string, log: RecordingLog, retryWindowMs = 10_000): AdminClient =>
    new AdminClient({ baseUrl, apiKey, log, retryWindowMs, initialDelayMs: 20, maxDelayMs: 200 });

  it('keeps retrying while APISIX is not listening yet, then proceeds once it is', async () => {
    const { apiKey } = newSecrets();
    const port = await freePort();
    const log = new RecordingLog();
    const waiting = client(`http://127.0.0.1:${port}`, apiKey, log).waitUntilReady();
    await eventually(() => (log.text.includes('ECONNREFUSED') ? true : undefined));
    const { fake } = await start(apiKey, port);
    await waiting;
    expect(fake.requests.at(-1)).to.deep.include({ method: 'GET', path: '/apisix/admin/routes', apiKey });
  });

  it('retries while APISIX answers 503 (etcd not ready), for the wait and for each PUT', async () => {
    const { apiKey } = newSecrets();
    const { fake, url } = await start(apiKey);
    const log = new RecordingLog();
    const admin = client(url, apiKey, log);
    fake.unavailableFor = 3;
    await admin.waitUntilReady();
    fake.unavailableFor = 2;
    const status = await admin.put('/apisix/admin/upstreams/u1', { type: 'roundrobin', nodes: [{ host: 'a', port: 1, weight: 1 }] });
    expect(status).to.equal(201);
    expect(fake.requests).to.have.length(7);
    expect(log.lines.filter((l) => l.includes('HTTP 503'))).to.have.length(5);
  });

  it('gives up with UNAVAILABLE when APISIX stays down past the wait timeout', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await rejection(client(`http://127.0.0.1:${port}`, 'k', new RecordingLog(), 300).waitUntilReady());
    expect(err.code).to.equal('UNAVAILABLE');
    expect(err.message).to.include(`127.0.0.1:${port}`).and.include('ECONNREFUSED');
    expect(Date.now() - started).to.be.lessThan(5_000);
  });

  it('fails at once on a wrong admin key (401) and never shows either key', async () => {
    const { apiKey } = newSecrets();
    const wrongKey = newSecrets().apiKey;
    const { fake, url } = await start(apiKey);
    const log = new RecordingLog();
    const err = await rejection(client(url, wrongKey, log).waitUntilReady());
    expect(err.code).to.equal('UNAUTHENTICATED');
    expect(err.message).to.include('401').and.include('APISIX_ADMIN_KEY_FILE');
    expect(fake.requests).to.have.length(1);
    expect(fake.requests[0]?.apiKey).to.equal(wrongKey);
    for (const text of [err.message, JSON.stringify(err), String(err.stack), log.text]) {
      expect(text).not.to.include(wrongKey);
      expect(text).not.to.include(apiKey);
    }
  });
});
