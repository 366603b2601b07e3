import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from '@faas/testing';

/** A child process we started and must stop: SIGTERM, then SIGKILL after a grace period. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process, from /proc (Linux), in MiB. */
export function rssMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux, 100 ticks/s). */
/** utime + stime of one /proc stat line, in ms (USER_HZ = 100); NaN when it cannot be read. */
export function statCpuMs(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export function cpuMs(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : statCpuMs(`/proc/${pid}/stat`);
}

export interface Nats {
  readonly url: string;
  readonly pid: number | undefined;
  /** Messages the server has received from clients and sent to them so far (its monitoring `/varz`). */
  messages(): Promise<{ in: number; out: number }>;
  stop(): Promise<void>;
}

/** One JetStream nats-server (so NATS_REPLICAS=1), store in `dir`; a child of the bench. */
export async function startNats(dir: string): Promise<Nats> {
  const port = await freePort();
  const monitor = await freePort();
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', join(dir, 'nats'), '-n', 'bench'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new Error(`cannot start nats-server (is it on PATH?): ${err.message}`)));
  });
  await waitForPort(port, 15_000);
  const messages = async (): Promise<{ in: number; out: number }> => {
    const varz = (await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as { in_msgs: number; out_msgs: number };
    return { in: varz.in_msgs, out: varz.out_msgs };
  };
  return { url: `nats://127.0.0.1:${port}`, pid: child.pid, messages, stop: () => stopChild(child, 5_000) };
}

export interface PlatformProcess {
  readonly baseUrl: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * The standalone platform (`node standalone/dist/src/main.js`) as a child process, so its RSS is
 * the platform's alone, not the bench client's.
 */
export async function startPlatformProcess(mainJs: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<PlatformProcess> {
  const child = spawn(process.execPath, [...nodeArgs, mainJs], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`platform did not start within 60 s; output: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`platform exited before it was ready (code ${code}, signal ${signal}); output: ${out}`));
    });
  });
  child.stdout?.resume();
  return { baseUrl, pid: child.pid, stop: () => stopChild(child, 20_000) };
}

/** The main thread (tid = pid) and the sum of every other thread (bcrypt pool, libuv, GC) of a process. */
export function threadCpuMs(pid: number | undefined): { main: number; others: number } {
  if (pid === undefined) return { main: Number.NaN, others: Number.NaN };
  const tids = readdirSync(`/proc/${pid}/task`);
  let others = 0;
  for (const tid of tids) if (Number(tid) !== pid) others += statCpuMs(`/proc/${pid}/task/${tid}/stat`) || 0;
  return { main: statCpuMs(`/proc/${pid}/task/${pid}/stat`), others };
}
