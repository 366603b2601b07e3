import { once } from 'node:events';
import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import type { ContainerJob, ContainerOutcome } from '../domain/ports.js';
import { dockerStatus } from './docker-errors.js';
import { watchOom, type OomWatch } from './oom-watch.js';
import { OutputCapture } from './output-capture.js';
import { runMs } from './run-time.js';

/** Output still in flight after the container exited gets this long to arrive. */
const STREAM_DRAIN_MS = 2_000;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export interface OutputCaps {
  readonly stdoutCapBytes: number;
  readonly stderrCapBytes: number;
}

/** Attaches to a created container, starts it, waits for its exit or its timeout, and reads what it wrote. */
export async function runCold(docker: Docker, container: Docker.Container, job: ContainerJob, caps: OutputCaps, logger: Logger): Promise<ContainerOutcome> {
  const stdout = new OutputCapture(caps.stdoutCapBytes);
  const stderr = new OutputCapture(caps.stderrCapBytes);
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const ended = Promise.race([once(stream, 'end'), once(stream, 'close')]).catch(() => undefined);
  docker.modem.demuxStream(stream, stdout, stderr);
  const oom = await watchOom(docker, container);
  try {
    return await run(container, job, { stdout, stderr, ended, oom }, logger);
  } finally {
    oom.stop();
  }
}

async function run(
  container: Docker.Container,
  job: ContainerJob,
  io: { stdout: OutputCapture; stderr: OutputCapture; ended: Promise<unknown>; oom: OomWatch },
  logger: Logger,
): Promise<ContainerOutcome> {
  const { stdout, stderr, ended } = io;
  job.onPhase?.('start');
  await container.start();
  job.onPhase?.('run');
  const startedAt = Date.now();
  const exited: Promise<{ StatusCode?: number }> = container.wait();
  exited.catch(() => undefined); // awaited below; never an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), job.limits.timeoutMs)));
  const first = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
  const timedOut = first === 'timeout';
  if (timedOut) {
    await container.kill().catch((err: unknown) => {
      if (dockerStatus(err) !== 409) throw err; // 409: it exited meanwhile
    });
    await exited;
  }
  const draining = Date.now();
  await Promise.race([ended, delay(STREAM_DRAIN_MS)]);
  logger.debug({ containerId: container.id, drainMs: Date.now() - draining }, 'output drained');
  const { info, oomKilled } = await io.oom.settle(timedOut);
  return {
    exitCode: timedOut ? null : info.State.ExitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.truncated || stderr.truncated,
    timedOut,
    oomKilled,
    durationMs: runMs(info.State, Date.now() - startedAt),
  };
}
