import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@faas/common';
import { request, serveApp, type RunningApp } from '@faas/testing';
import { expect } from 'chai';
import { createApp } from '../src/index.js';

const logger = createLogger('portal-test', 'silent');

/** A stand-in for vite's output: index.html and one hashed asset. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faas-portal-app-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>portal</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

describe('portal server: the static files of the stack\'s portal service', () => {
  let served: RunningApp;
  before(async () => {
    served = await serveApp(createApp({ logger, appDir: fakeBuild() }));
  });
  after(() => served.close());

  it('serves index.html at / with a same-origin Content-Security-Policy and no caching', async () => {
    const res = await fetch(`${served.url}/`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.include('<title>portal</title>');
    expect(res.headers.get('content-security-policy')).to.include("default-src 'self'").and.include("connect-src 'self'");
    expect(res.headers.get('cache-control')).to.equal('no-cache');
  });

  it('serves no /metrics: the gateway\'s catch-all route leads here from the internet', async () => {
    const res = await fetch(`${served.url}/metrics`);
    expect(await res.text()).not.to.match(/# (HELP|TYPE) /);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
  });

  it('caches hashed assets for good', async () => {
    const res = await fetch(`${served.url}/assets/index-abc123.js`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.include('immutable');
  });

  it('answers /health for the Swarm healthcheck, and JSON 404s elsewhere', async () => {
    expect((await request(`${served.url}/health`)).body).to.deep.equal({ status: 'ok' });
    const missing = await request(`${served.url}/nope.js`);
    expect(missing.status).to.equal(404);
    expect(missing.body).to.have.nested.property('error.code', 'NOT_FOUND');
    expect((await request(`${served.url}/..%2F..%2Fetc%2Fpasswd`)).status).to.be.oneOf([400, 404]);
  });

  it('says how to build the portal when it is not built', async () => {
    const empty = await serveApp(createApp({ logger, appDir: mkdtempSync(join(tmpdir(), 'faas-portal-none-')) }));
    try {
      const res = await request<{ error: { message: string } }>(`${empty.url}/`);
      expect(res.status).to.equal(404);
      expect(res.body.error.message).to.include('npm run build');
    } finally {
      await empty.close();
    }
  });
});
