import { spawn, type ChildProcess } from 'node:child_process';

/** Children still running when this process exits: killed then, so none outlives a test run. */
const reaped = new Set<ChildProcess>();

/**
 * Kills `child` (SIGKILL) if it is still running when this process exits: a test file run alone
 * skips the suite's root hooks, and the proof platform's five services outlived it (45 strays
 * after nine such runs, stop 35). Returns the child.
 */
export function reapOnExit<T extends ChildProcess>(child: T): T {
  if (reaped.size === 0) process.once('exit', () => reaped.forEach((c) => c.kill('SIGKILL')));
  reaped.add(child);
  child.once('exit', () => reaped.delete(child));
  return child;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a process and resolves once its output matches `ready` (with the match), or rejects
 * with what it printed when it exits first or the deadline passes.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number },
): Promise<{ process: RunningProcess; match: RegExpMatchArray }> {
  const child = reapOnExit(spawn(command, [...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let text = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: RunningProcess = {
    child,
    output: () => text,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => fail(`not ready within ${options.timeoutMs ?? 30_000} ms`), options.timeoutMs ?? 30_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      void running.stop().then(() => reject(new Error(`${command} ${why}; output:\n${text}`)));
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const found = text.match(options.ready);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
  });
  return { process: running, match };
}
