import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';

const root = new URL('../../../', import.meta.url);
const script = new URL('image/faas-healthcheck', root).pathname;

/** Runs the image's healthcheck as Docker does (its own process), with this URL; resolves its exit code. */
function check(url?: string, env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', url === undefined ? [script] : [script, url], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stderr });
    });
  });
}

describe('image: faas-healthcheck, the services\' Docker healthcheck', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  const held: Array<() => void> = [];

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ready') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      if (req.url === '/starting') return void res.writeHead(503).end('{"error":{"code":"UNAVAILABLE"}}');
      if (req.url === '/silent') return void held.push(() => res.end()); // headers never sent
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const release of held) release();
    await new Promise((r) => server.close(r));
  });

  it('passes on a 2xx and fails on anything else, on a refused connection and on silence', async () => {
    expect((await check(`${base}/ready`)).code, '200').to.equal(0);
    expect((await check(`${base}/starting`)).code, '503').to.equal(1);
    expect((await check(`${base}/nothing-here`)).code, '404').to.equal(1);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect((await check(`http://127.0.0.1:${port}/ready`)).code, 'refused').to.equal(1);
    expect((await check(`${base}/silent`)).code, 'no answer within its 4 s').to.equal(1);
  });

  it('takes HEALTHCHECK_URL when given no argument (the image\'s own HEALTHCHECK), passes without one, and refuses a URL it cannot probe', async () => {
    expect((await check(undefined, { HEALTHCHECK_URL: `${base}/ready` })).code).to.equal(0);
    expect((await check(undefined, { HEALTHCHECK_URL: `${base}/starting` })).code).to.equal(1);
    expect((await check(undefined)).code, 'one-shot images have no URL').to.equal(0);
    const bad = await check('https://127.0.0.1:8083/ready');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('not an http://host:port/path URL');
  });

  it('is what the image and every stack file use: no Node process per check', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    expect(dockerfile).to.match(/COPY image\/faas-healthcheck \/usr\/local\/bin\/faas-healthcheck/);
    expect(dockerfile).to.match(/HEALTHCHECK [^\n]*\\\n\s+CMD \["faas-healthcheck"\]/);
    for (const file of ['docker-compose.yml', 'docker-compose.autoscale.yml']) {
      const compose = readFileSync(new URL(file, root), 'utf8');
      expect(compose, file).to.not.match(/"node", "-e"/);
      const ours = [...compose.matchAll(/test: \["CMD", "faas-healthcheck", "(http:\/\/127\.0\.0\.1:\d+\/[a-z/]*)"\]/g)].map((m) => m[1]);
      expect(ours.length, `${file}: healthchecks calling faas-healthcheck`).to.be.greaterThan(0);
    }
  });
});
