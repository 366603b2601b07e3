import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { buildImages, repoRoot, startTestPlatform } from './helpers.js';
import { OpenApiValidator, type Exchange, type OpenApiDoc } from './openapi-validator.js';
import { parseCurl, readmeCurlStatements } from './readme-curl.js';

/** The README's examples target `npm start`; here they go to this test's platform. */
const README_BASE = 'http://localhost:9080';

describe('OpenAPI: the README curl examples, replayed, answer as the document says', function () {
  this.timeout(240_000);
  let platform: Platform;
  let validator: OpenApiValidator;

  before(async () => {
    await buildImages();
    platform = await startTestPlatform();
    const doc = await request<OpenApiDoc>(`${platform.baseUrl}/openapi.json`);
    validator = new OpenApiValidator(doc.body);
  });
  after(() => platform.stop());

  it('replays every curl example of the README and docs/api.md in order; each request and answer matches /openapi.json', async () => {
    // The harness's NATS cluster is shared by the whole run: a fresh user stands in for alice.
    const username = uniqueName('readme');
    // The README's quick start, then docs/api.md, which goes on with the quick start's $TOKEN.
    const markdown = ['README.md', 'docs/api.md'].map((file) => readFileSync(join(repoRoot, file), 'utf8')).join('\n');
    const statements = readmeCurlStatements(markdown);
    expect(statements.length, 'curl examples found in the README and docs/api.md').to.be.greaterThan(20);
    const vars: Record<string, string> = {};
    const problems: string[] = [];
    const exchanges: Exchange[] = [];
    for (const statement of statements) {
      const req = parseCurl(statement.curl.replaceAll('alice', username), vars);
      expect(req.url.startsWith(`${README_BASE}/`), `README example not aimed at ${README_BASE}: ${statement.text}`).to.equal(true);
      const url = platform.baseUrl + req.url.slice(README_BASE.length);
      // node:http, not fetch: the README sends a JSON body on GET too, as the original Postman client does.
      const res = await send(url, req);
      const exchange: Exchange = { ...req, url, ...res };
      exchanges.push(exchange);
      problems.push(...validator.check(exchange).map((p) => `${p}\n    (README: ${statement.text.slice(0, 120)})`));
      if (statement.assign) vars[statement.assign.name] = exchange.text.replace(statement.assign.capture, '$1');
    }
    expect(problems, `\n  ${problems.join('\n  ')}\n`).to.deep.equal([]);

    const statuses = exchanges.map((x) => x.status);
    expect(statuses.filter((s) => s >= 500), 'no 5xx').to.deep.equal([]);
    expect(statuses.filter((s) => s < 300).length, 'most examples succeed').to.be.greaterThan(statements.length * 0.7);
    const published = exchanges.filter((x) => new URL(x.url).pathname === '/publisher/publish' && x.status === 200);
    expect(published.map((x) => (JSON.parse(x.text) as { status: string }).status)).to.include('succeeded');
  });
});

function send(url: string, req: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const length = req.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(req.body)) };
    const out = httpRequest(url, { method: req.method, headers: { ...req.headers, ...length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }));
    });
    out.on('error', reject);
    out.end(req.body);
  });
}
