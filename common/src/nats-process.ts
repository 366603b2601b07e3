import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';

export interface NatsServerOptions {
  readonly port: number;
  readonly storeDir: string;
  readonly serverName: string;
  readonly cluster?: { readonly name: string; readonly port: number; readonly routes: readonly number[] };
  /** The HTTP monitoring port on loopback (`/jsz`, `/varz`); none when absent. */
  readonly monitorPort?: number;
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
    const { port, storeDir, serverName, cluster, configFile, env, monitorPort } = this.options;
    const args = [...(configFile ? ['-c', configFile] : []), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-n', serverName];
    if (monitorPort !== undefined) args.push('-m', String(monitorPort));
    if (cluster) {
      args.push('--cluster_name', cluster.name, '--cluster', `nats://127.0.0.1:${cluster.port}`);
      args.push('--routes', cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(','));
    }
    const child = spawn(this.options.binary ?? 'nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`cannot start nats-server (is it on PATH?): ${err.message}`)));
    });
    // FAAS_NATS_LOG_DIR: every server's log, appended to <dir>/<name>.log across restarts (a hunt's evidence).
    const logDir = process.env.FAAS_NATS_LOG_DIR;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      child.stderr?.pipe(createWriteStream(join(logDir, `${serverName}.log`), { flags: 'a' }));
    }
    await serverReady(child, cluster !== undefined, READY_MS);
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

const READY_MS = 15_000;

/** Thrown when a port chosen for the server was taken by another process before the server bound it. */
export class NatsPortTakenError extends Error {}

/**
 * Resolves once the server says it is ready for clients and, when clustered, listens for routes
 * (it binds the route port after the client port, and exits when that port is taken: a client
 * port that answers is not enough). Rejects with the server's last words when it exits first.
 */
function serverReady(child: ChildProcess, clustered: boolean, timeoutMs: number): Promise<void> {
  const stderr = child.stderr;
  if (!stderr) return Promise.reject(new Error('nats-server has no stderr'));
  return new Promise((resolve, reject) => {
    const last: string[] = [];
    let ready = false;
    let routes = !clustered;
    let buffered = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      const lines = (buffered + chunk.toString()).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        last.push(line);
        if (last.length > 5) last.shift();
        if (line.includes('Server is ready')) ready = true;
        if (line.includes('Listening for route connections')) routes = true;
      }
      if (ready && routes) done();
    };
    const onExit = (): void => {
      const words = last.join(' | ');
      done(words.includes('address already in use') ? new NatsPortTakenError(`nats-server could not bind its port: ${words}`) : new Error(`nats-server exited at start: ${words}`));
    };
    const timer = setTimeout(() => done(new Error(`nats-server not ready within ${timeoutMs} ms: ${last.join(' | ')}`)), timeoutMs);
    // Read for the process's whole life: a full pipe would block the server's logging.
    stderr.on('data', (chunk: Buffer) => {
      if (!ready || !routes) onData(chunk);
    });
    child.once('exit', onExit);
  });
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
