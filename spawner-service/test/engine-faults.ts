import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export interface StallingEngine {
  /** A client of the real engine whose matching requests never get an answer. */
  readonly docker: Docker;
  /** Requests held so far. */
  held(): number;
  /** Forwards what was held and holds nothing more. */
  release(): void;
  /** Lets every held request fail (their connections close) and stops the proxy. */
  close(): Promise<void>;
}

/**
 * The real Docker engine behind a unix-socket proxy that holds requests whose request line
 * matches `stall`: an engine call that hangs, as a stuck daemon's does.
 */
export async function stallingEngine(stall: RegExp, socketPath = '/var/run/docker.sock'): Promise<StallingEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'faas-engine-'));
  const path = join(dir, 'docker.sock');
  const sockets = new Set<Socket>();
  let held = 0;
  let releasing = false;
  const releases: Array<() => void> = [];
  const server: Server = createServer((client) => {
    const engine = createConnection(socketPath);
    sockets.add(client).add(engine);
    let stalled = false;
    const kept: Buffer[] = [];
    client.on('data', (chunk: Buffer) => {
      if (!stalled && !releasing && stall.test(chunk.subarray(0, 200).toString('latin1'))) {
        stalled = true;
        held += 1;
        releases.push(() => {
          stalled = false;
          for (const k of kept.splice(0)) engine.write(k);
        });
      }
      if (stalled) kept.push(chunk);
      else engine.write(chunk);
    });
    engine.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      engine.destroy();
    };
    client.on('close', end).on('error', end);
    engine.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    docker: new Docker({ socketPath: path }),
    held: () => held,
    release() {
      releasing = true;
      for (const release of releases.splice(0)) release();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
