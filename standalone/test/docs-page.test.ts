import { request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { startTestPlatform } from './helpers.js';

describe('API docs page: Swagger UI from our own files', function () {
  this.timeout(60_000);
  let platform: Platform;
  before(async () => {
    platform = await startTestPlatform({ STANDALONE_SPAWNER: 'false' });
  });
  after(() => platform.stop());

  for (const prefix of ['', '/auth', '/registry', '/publisher']) {
    it(`serves ${prefix}/docs, its assets and ${prefix}/openapi.json without a token`, async () => {
      const page = await fetch(`${platform.baseUrl}${prefix}/docs`);
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('docs/swagger-ui-bundle.js').and.not.match(/https?:\/\//);
      expect(page.headers.get('content-security-policy')).to.include("default-src 'self'");
      for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) {
        expect((await fetch(`${platform.baseUrl}${prefix}/docs/${asset}`)).status, asset).to.equal(200);
      }
      const doc = await request<{ openapi: string }>(`${platform.baseUrl}${prefix}/openapi.json`);
      expect(doc.body.openapi).to.equal('3.1.0');
    });
  }

  it("redirects /docs/ to /docs (the page's URLs are relative) and serves none of the package's other files", async () => {
    const slash = await fetch(`${platform.baseUrl}/registry/docs/`, { redirect: 'manual' });
    expect(slash.status).to.equal(301);
    expect(new URL(slash.headers.get('location') ?? '', `${platform.baseUrl}/registry/docs/`).pathname).to.equal('/registry/docs');
    for (const file of ['index.html', 'swagger-initializer.js', 'package.json', '..%2Fpackage.json']) {
      const res = await request(`${platform.baseUrl}/docs/${file}`);
      expect(res.status, file).to.equal(404);
      expect(res.body).to.have.nested.property('error.code', 'NOT_FOUND');
    }
  });
});
