import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { closeServer } from '../src/index.js';

describe('closeServer: a request that never ends cannot hold a shutdown', () => {
  it('resolves once the drain time is over, cutting a connection whose handler never answers', async function () {
    this.timeout(10_000);
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clientSaw = new Promise<string>((resolve) => {
      const req = request({ port, host: '127.0.0.1', path: '/' }, () => resolve('answer'));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    // The request is in flight (the handler holds it) before the shutdown starts.
    await new Promise<void>((resolve) => server.once('request', () => resolve()));
    await closeServer(server, 300);
    expect(await clientSaw).to.equal('ECONNRESET');
    expect(server.listening).to.equal(false);
  });
});
