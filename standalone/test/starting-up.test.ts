import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort, request, testNatsUrls } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { startTestPlatform } from './helpers.js';

/**
 * A TCP proxy to one NATS server that holds every connection until released: the platform stays
 * in its start-up (waiting for NATS) for as long as the test wants.
 */
async function heldProxy(target: string): Promise<{ url: string; release(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const held: Socket[] = [];
  const sockets = new Set<Socket>();
  let released = false;
  const pipe = (client: Socket): void => {
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.pause();
    if (released) pipe(client);
    else held.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `nats://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    release() {
      released = true;
      for (const client of held.splice(0)) pipe(client);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('standalone: a request that arrives while the platform is starting', function () {
  this.timeout(60_000);
  let platform: Platform | undefined;
  let proxy: Awaited<ReturnType<typeof heldProxy>> | undefined;
  after(async () => {
    await platform?.stop();
    await proxy?.close();
  });

  it('gets 503 with Retry-After and a JSON error (it used to hang for minutes), then 200 once ready', async () => {
    const [first] = testNatsUrls();
    proxy = await heldProxy(first ?? '');
    const port = await freePort();
    const starting = startTestPlatform({ NATS_URL: proxy.url }, undefined, port);
    const early = await pollUntilAnswered(`http://127.0.0.1:${port}/auth/health`);
    expect(early.status).to.equal(503);
    expect(early.headers.get('retry-after')).to.equal('1');
    expect(early.body).to.deep.include({ error: { code: 'STARTING', message: 'the platform is starting; retry in a moment', requestId: early.headers.get('x-request-id') } });
    proxy.release();
    platform = await starting;
    const ready = await request<{ status: string }>(`http://127.0.0.1:${port}/auth/health`);
    expect(ready.status).to.equal(200);
  });
});

/** The first answer the port gives (connection refused until the server listens). */
async function pollUntilAnswered(url: string): Promise<{ status: number; headers: Headers; body: unknown }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return { status: res.status, headers: res.headers, body: await res.json() };
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
