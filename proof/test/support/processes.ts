import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, freePort, reapOnExit } from '@faas/testing';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Every child's stdout and stderr go here, one file per process start, to read after a failure. */
export const logDir = join(tmpdir(), `faas-proof-${process.pid}`);
mkdirSync(logDir, { recursive: true });

export type Workspace = 'auth-service' | 'registry-service' | 'publisher-service' | 'spawner-service';

export interface ServiceOptions {
  readonly workspace: Workspace;
  /** Log file and process name, e.g. `spawner-1`. */
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  /** Path answering 200 once the service's dependencies answer. */
  readonly readyPath: string;
}

/** One service as its own OS process (`node <ws>/dist/src/main.js`), restartable on the same port. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private starts = 0;
  readonly url: string;

  private constructor(
    readonly options: ServiceOptions,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const service = new ServiceProcess(options, await freePort());
    await service.start();
    return service;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.starts += 1;
    const log = createWriteStream(join(logDir, `${this.options.name}.${this.starts}.log`));
    const child = reapOnExit(
      spawn(process.execPath, [join(repoRoot, this.options.workspace, 'dist/src/main.js')], {
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...this.options.env, PORT: String(this.port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    await this.waitReady(30_000);
  }

  async waitReady(timeoutMs: number): Promise<void> {
    await eventually(async () => {
      if (!this.running) throw new Error(`${this.options.name} exited with ${this.child?.exitCode ?? this.child?.signalCode}`);
      const res = await fetch(`${this.url}${this.options.readyPath}`);
      return res.status === 200 ? true : undefined;
    }, timeoutMs, 100);
  }

  /** Sends `signal` and resolves when the process is gone (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
