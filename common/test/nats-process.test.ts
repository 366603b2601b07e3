import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { NatsPortTakenError, NatsServerProcess, freePort, rejection } from '@faas/testing';

/** A listener of this test on a free loopback port: another process's socket, to the server. */
async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('common: a nats-server child process is started only when it serves its own ports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faas-nats-process-'));
  const servers: NatsServerProcess[] = [];
  const listeners: Server[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const l of listeners) l.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects with NatsPortTakenError when its route port is taken (its client port had answered: the server exits after binding it)', async function () {
    this.timeout(30_000);
    const taken = await occupy();
    listeners.push(taken.server);
    const server = new NatsServerProcess({
      port: await freePort(),
      storeDir: join(dir, 'routes'),
      serverName: 'route-port-taken',
      cluster: { name: 'faas-nats-process-test', port: taken.port, routes: [await freePort()] },
    });
    servers.push(server);
    const err = await rejection(server.start());
    expect(err).to.be.instanceOf(NatsPortTakenError);
    expect(String(err)).to.include('address already in use');
    expect(server.running).to.equal(false);
  });

  it('rejects when its client port is taken, where another process answering on it passed for the server', async function () {
    this.timeout(30_000);
    const taken = await occupy();
    listeners.push(taken.server);
    const server = new NatsServerProcess({ port: taken.port, storeDir: join(dir, 'client'), serverName: 'client-port-taken' });
    servers.push(server);
    expect(await rejection(server.start())).to.be.instanceOf(NatsPortTakenError);
  });

  it('starts a server on free ports and reports it running', async function () {
    this.timeout(30_000);
    const server = new NatsServerProcess({ port: await freePort(), storeDir: join(dir, 'free'), serverName: 'free-ports' });
    servers.push(server);
    await server.start();
    expect(server.running).to.equal(true);
  });
});
