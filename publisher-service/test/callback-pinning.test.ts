import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionRecord } from '@faas/common';
import { rejection } from '@faas/testing';
import { expect } from 'chai';
import { SIGNATURE_HEADER, verifyCallbackSignature } from '../src/callbacks/callback-signing.js';
import type { Resolver } from '../src/callbacks/callback-target.js';
import { postCallback, type CallbackOptions } from '../src/callbacks/callbacks.js';
import { newExecutionId } from '../src/executions/ids.js';

interface Hit {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

async function receiver(host: string, port = 0): Promise<{ server: Server; port: number; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      // Only ours: another process's stale callback may reach a reused port.
      if (req.headers['x-faas-execution-id'] === record.id) hits.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** Answers `first` to the first question and `later` to every one after it (a rebinding name). */
function rebinding(first: string, later: string): Resolver & { calls: number } {
  const resolver = Object.assign(
    async () => {
      resolver.calls += 1;
      const address = resolver.calls === 1 ? first : later;
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    },
    { calls: 0 },
  );
  return resolver;
}

const record = { id: newExecutionId(), user: 'u1', status: 'succeeded', result: 'ok' } as unknown as ExecutionRecord;
const options = (overrides: Partial<CallbackOptions>): CallbackOptions => ({ allowPrivate: false, maxAttempts: 1, timeoutMs: 2_000, backoffMs: 10, ...overrides });

describe('publisher: callback delivery connects to the address it checked (DNS rebinding)', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  // The rebinding case (a public address at check time, 127.0.0.1 afterwards) is this one with
  // private targets allowed: the tests send nothing beyond loopback, so both answers are loopback
  // addresses, and the request must go to the first one only.
  it('posts to the first answer, not to what the name answers later (pinned even when private targets are allowed)', async () => {
    const first = await receiver('127.0.0.1');
    const other = await receiver('127.0.0.2', first.port);
    servers.push(first.server, other.server);
    const resolve = rebinding('127.0.0.1', '127.0.0.2');
    await postCallback(`http://rebind.example:${first.port}/hook`, record, options({ allowPrivate: true, resolve }));
    expect(resolve.calls).to.equal(1);
    expect(first.hits).to.have.length(1);
    expect(other.hits).to.have.length(0);
  });

  for (const address of ['64:ff9b::7f00:1', '64:ff9b::808:808', '2002:7f00:1::1', '2002:808:808::1', '::ffff:7f00:1', '::7f00:1']) {
    it(`refuses a name that resolves to ${address} (NAT64, 6to4, mapped or compatible IPv4)`, async () => {
      const err = await rejection(postCallback('http://hook.example/cb', record, options({ resolve: async () => [{ address, family: 6 }] })));
      expect(err.code).to.equal('VALIDATION_FAILED');
    });
  }

  it('signs the body so that the receiver can verify it with the key, and a wrong key or changed body fails', async () => {
    const hook = await receiver('127.0.0.1');
    servers.push(hook.server);
    const key = 'k'.repeat(43);
    await postCallback(`http://127.0.0.1:${hook.port}/hook`, record, options({ allowPrivate: true }), key);
    const [hit] = hook.hits;
    const header = String(hit?.headers[SIGNATURE_HEADER]);
    expect(header).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(hit?.body ?? '{}')).to.deep.include({ id: record.id, status: 'succeeded' });
    expect(verifyCallbackSignature(key, header, hit?.body ?? '')).to.equal(true);
    expect(verifyCallbackSignature('another-key', header, hit?.body ?? '')).to.equal(false);
    expect(verifyCallbackSignature(key, header, (hit?.body ?? '').replace('succeeded', 'failed')), 'changed body').to.equal(false);
    expect(verifyCallbackSignature(key, header, hit?.body ?? '', { nowMs: Date.now() + 3_600_000 }), 'replayed an hour later').to.equal(false);
  });
});
