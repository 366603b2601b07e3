import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { CliUser } from './support.js';

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly body: string;
}

/** A loopback HTTP server that records what reached it and answers with `answer`. */
async function recorder(answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body });
      const out = answer(req);
      res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers }).end(out.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Issue 28 item 3: the CLI's password and token go only where the user pointed it. */
describe('faas: where the CLI sends credentials', function () {
  this.timeout(30_000);
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it('follows no redirect: a 307 elsewhere gets neither the login body nor anything else', async () => {
    const elsewhere = await recorder(() => ({ status: 200, body: '{"token":"stolen","expiresIn":1}' }));
    const redirector = await recorder(() => ({ status: 307, headers: { location: `${elsewhere.url}/auth/login` } }));
    servers.push(elsewhere.server, redirector.server);
    const user = new CliUser(redirector.url);
    const run = await user.run(['login', '-u', user.username, '--password-stdin'], `${user.password}\n`);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include(`the gateway answered 307 (a redirect to ${elsewhere.url}/auth/login); faas follows no redirects`);
    expect(redirector.seen).to.have.length(1);
    expect(elsewhere.seen, 'requests that reached the redirect target').to.deep.equal([]);
  });

  it('refuses plain http:// to another machine before any request, and sends it with --insecure', async () => {
    const server = await recorder(() => ({ status: 201, body: '{"id":"1","username":"x"}' }));
    servers.push(server.server);
    const port = new URL(server.url).port;
    // 0.0.0.0 is not a loopback name, yet Linux delivers a connection to it on this machine.
    const user = new CliUser(`http://0.0.0.0:${port}`);
    const refused = await user.run(['register', '-u', user.username, '--password-stdin'], `${user.password}\n`);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include(`refusing plain http:// to 0.0.0.0:${port}`);
    expect(refused.stderr).to.include('--insecure');
    expect(server.seen).to.deep.equal([]);

    const insecure = await user.run(['--insecure', 'register', '-u', user.username, '--password-stdin'], `${user.password}\n`);
    expect(insecure.code, insecure.stderr).to.equal(0);
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).to.deep.equal(['POST /auth/register']);
    const local = await new CliUser(`http://localhost:${port}`).run(['register', '-u', user.username, '--password-stdin'], `${user.password}\n`);
    expect(local.code, local.stderr).to.equal(0);
    expect(server.seen).to.have.length(2);
  });
});
