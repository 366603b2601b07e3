import { expect } from 'chai';
import { Router } from 'express';
import { createHttpApp, createLogger, createMetrics, openApiRouter, openApiDocument, type Mount } from '../src/index.js';
import { serveApp, type RunningApp } from '@faas/testing';

const logger = createLogger('headers-test', 'silent');

/** Issue 28 items 5 and 6: what the shared HTTP shell sends on every answer, and who reads /metrics. */
describe('HTTP shell: nosniff everywhere, a docs page no one frames, /metrics by access', () => {
  const served: RunningApp[] = [];
  after(async () => {
    await Promise.all(served.map((s) => s.close()));
  });
  const serve = async (options: Partial<Parameters<typeof createHttpApp>[0]> = {}): Promise<string> => {
    const router = Router();
    router.get('/ok', (_req, res) => void res.json({ ok: true }));
    router.get('/boom', () => {
      throw new Error('boom');
    });
    const mounts: Mount[] = [{ prefix: '/', router }, { prefix: '/', router: openApiRouter(openApiDocument({ title: 't', version: '1' }, [])) }];
    const app = await serveApp(createHttpApp({ logger, metrics: createMetrics({ defaultMetrics: false }), mounts, ...options }));
    served.push(app);
    return app.url;
  };

  it('sets X-Content-Type-Options: nosniff on answers, 404s, errors and metrics', async () => {
    const url = await serve();
    for (const path of ['/ok', '/nowhere', '/boom', '/metrics', '/docs', '/openapi.json']) {
      const res = await fetch(`${url}${path}`);
      expect(res.headers.get('x-content-type-options'), path).to.equal('nosniff');
    }
  });

  it("forbids framing the docs page (frame-ancestors 'none')", async () => {
    const res = await fetch(`${await serve()}/docs`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
  });

  it('serves /metrics to anyone when open, to no one when none, and only with the bearer token otherwise', async () => {
    expect((await fetch(`${await serve()}/metrics`)).status).to.equal(200);
    const none = await fetch(`${await serve({ metricsAccess: 'none' })}/metrics`);
    expect(none.status).to.equal(404);
    const url = await serve({ metricsAccess: { token: 'scrape-me-please' } });
    expect((await fetch(`${url}/metrics`)).status).to.equal(404);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).to.equal(404);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-me-please' } });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.include('# HELP http_requests_total');
  });
});
