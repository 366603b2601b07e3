import { createHttpApp, createLogger, createMetrics } from '@faas/common';
import { registeredRoutes, request, type RegisteredRoute } from '@faas/testing';
import { expect } from 'chai';
import { Router } from 'express';
import type { Platform } from '../src/platform.js';
import { startTestPlatform } from './helpers.js';

type Document = { paths: Record<string, Record<string, unknown>> };

/** Where each prefix's routes are described: the failure message says which file to edit. */
const DESCRIBED_IN: Readonly<Record<string, string>> = {
  '/auth': 'auth-service/src/openapi.ts',
  '/registry': 'registry-service/src/http/openapi.ts',
  '/publisher': 'publisher-service/src/executions/openapi.ts',
};
const describedIn = (path: string): string =>
  Object.entries(DESCRIBED_IN).find(([prefix]) => path.startsWith(`${prefix}/`))?.[1] ?? 'common/src/openapi/api-routes.ts or standalone/src/root-router.ts';

const key = (r: RegisteredRoute): string => `${r.method.toUpperCase()} ${r.path}`;
const documented = (doc: Document): string[] =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

function compare(served: string[], described: string[], document: string): void {
  const missing = served.filter((r) => !described.includes(r));
  const stale = described.filter((r) => !served.includes(r));
  const lines = [
    ...missing.map((r) => `${r} is served but missing from ${document}: add it in ${describedIn(r.split(' ')[1] ?? '')} (see docs/openapi.md)`),
    ...stale.map((r) => `${r} is in ${document} but no router serves it`),
  ];
  expect(lines, `\n  ${lines.join('\n  ')}\n`).to.deep.equal([]);
}

describe('OpenAPI: every route the routers register is in the document', function () {
  this.timeout(60_000);
  let platform: Platform;

  before(async () => {
    platform = await startTestPlatform({ STANDALONE_SPAWNER: 'false' });
  });
  after(() => platform.stop());

  it('finds the routes of nested routers with their mount paths (the walker itself)', () => {
    const inner = Router();
    inner.get('/things/:id', (_req, res) => res.end());
    inner.delete('/things/:id', (_req, res) => res.end());
    const outer = Router();
    outer.use(inner);
    outer.post('/x', (_req, res) => res.end());
    const app = createHttpApp({ logger: createLogger('t', 'silent'), metrics: createMetrics(), mounts: [{ prefix: '/p', router: outer }] });
    expect(registeredRoutes(app).map(key)).to.deep.equal(['GET /metrics', 'GET /p/things/{id}', 'DELETE /p/things/{id}', 'POST /p/x']);
  });

  it('describes every route of the standalone platform in /openapi.json, and nothing else', async () => {
    const doc = await request<Document>(`${platform.baseUrl}/openapi.json`);
    expect(doc.status).to.equal(200);
    const served = [...new Set(registeredRoutes(platform.app).map(key))];
    expect(served.length, 'the walker found the platform routes').to.be.greaterThan(25);
    compare(served, documented(doc.body), '/openapi.json');
  });

  for (const prefix of Object.keys(DESCRIBED_IN)) {
    it(`describes every route under ${prefix} (and /metrics) in ${prefix}/openapi.json`, async () => {
      const doc = await request<Document>(`${platform.baseUrl}${prefix}/openapi.json`);
      expect(doc.status).to.equal(200);
      const served = registeredRoutes(platform.app)
        .filter((r) => r.path.startsWith(`${prefix}/`) || r.path === '/metrics')
        .map(key);
      compare([...new Set(served)], documented(doc.body), `${prefix}/openapi.json`);
    });
  }
});
