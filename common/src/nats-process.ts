import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';

export interface NatsServerOptions {
  readonly port: number;
  readonly storeDir: string;
  readonly serverName: string;
  readonly cluster?: { readonly name: string; readonly port: number; readonly routes: readonly number[] };
  readonly binary?: string;
  /** A configuration file (the platform's authorization, say); the options above override its settings. */
  readonly configFile?: string;
  /** Extra environment for the server (variables the configuration file refers to). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A `nats-server` child process with JetStream, restartable on the same port and store. */
export class NatsServerProcess {
  readonly url: string;
  private child: ChildProcess | undefined;

  constructor(readonly options: NatsServerOptions) {
    this.url = `nats://127.0.0.1:${options.port}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.options.storeDir, { recursive: true });
    const { port, storeDir, serverName, cluster, configFile, env } = this.options;
    const args = [...(configFile ? ['-c', configFile] : []), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-n', serverName];
    if (cluster) {
      args.push('--cluster_name', cluster.name, '--cluster', `nats://127.0.0.1:${cluster.port}`);
      args.push('--routes', cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(','));
    }
    const child = spawn(this.options.binary ?? 'nats-server', args, { stdio: 'ignore', env: { ...process.env, ...env } });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`cannot start nats-server (is it on PATH?): ${err.message}`)));
    });
    await waitForPort(port, 15_000);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} did not open within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
