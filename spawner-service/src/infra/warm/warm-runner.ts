import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import type { ContainerJob, ContainerOutcome } from '../../domain/ports.js';
import type { SandboxSettings } from '../container-spec.js';
import { translateDockerError } from '../docker-errors.js';
import type { ImagePuller } from '../image-puller.js';
import type { RunAnswer } from './supervisor-protocol.js';
import type { SupervisorVolume } from './supervisor-volume.js';
import { ContainerLostError, NoAnswerError, WarmContainer } from './warm-container.js';
import type { WarmPool } from './warm-pool.js';
import { eventOf, isProcessMode, resultOf } from './process-mode.js';
import { warmKey, warmSpec } from './warm-spec.js';

export interface WarmSettings {
  /** The supervisor answers within the run's timeout plus this, or the container is discarded. */
  readonly answerGraceMs: number;
  /** The supervisor ends itself after this long without a request. */
  readonly idleExitMs: number;
}

export interface WarmRunnerOptions {
  readonly docker: Docker;
  readonly sandbox: SandboxSettings & { readonly stdoutCapBytes: number; readonly stderrCapBytes: number };
  readonly spawnerId: string;
  readonly images: ImagePuller;
  readonly volume: SupervisorVolume;
  readonly pool: WarmPool;
  readonly settings: WarmSettings;
  readonly onStart: (hit: boolean) => void;
  readonly logger: Logger;
}

const KILLED = 137;

function outcomeOf(answer: RunAnswer, processMode: boolean): ContainerOutcome {
  const timedOut = answer.kind === 'timed_out';
  const stdout = answer.stdout.toString('utf8');
  return {
    exitCode: timedOut ? null : answer.kind === 'signaled' ? 128 + answer.code : answer.code,
    stdout: processMode ? resultOf(stdout, answer.stdoutTruncated) : stdout,
    stderr: answer.stderr.toString('utf8'),
    truncated: answer.stdoutTruncated || answer.stderrTruncated,
    timedOut,
    oomKilled: answer.oomKilled && !timedOut,
    durationMs: answer.durationMs,
  };
}

/** Runs jobs in warm containers: one taken from the pool, or a new one, given back when clean. */
export function createWarmRunner(options: WarmRunnerOptions): { run(job: ContainerJob): Promise<ContainerOutcome> } {
  const { docker, sandbox, spawnerId, images, volume, pool, settings, logger } = options;

  async function startFor(job: ContainerJob, key: string): Promise<WarmContainer> {
    job.onPhase?.('image');
    const { entrypoint, cmd, volumes } = await images.facts(job.image, job.userId);
    job.onPhase?.('start');
    const spec = warmSpec({ job, key, entrypoint, cmd, volumes, volume: volume.name, idleExitMs: settings.idleExitMs }, sandbox, spawnerId);
    await volume.ensure(spec.Labels ?? {});
    try {
      return await WarmContainer.start(docker, spec, logger);
    } catch (err) {
      throw translateDockerError(err, `start warm container from ${job.image}`);
    }
  }

  /** The container died or went silent mid-run: what the engine knows of why. */
  async function lostOutcome(warm: WarmContainer, err: unknown, job: ContainerJob, startedAt: number): Promise<ContainerOutcome> {
    const info = await warm.container.inspect().catch(() => undefined);
    const base = { stdout: '', stderr: '', truncated: false, durationMs: Date.now() - startedAt };
    if (err instanceof NoAnswerError) return { ...base, exitCode: null, timedOut: true, oomKilled: false, durationMs: job.limits.timeoutMs };
    if (info?.State.OOMKilled || info?.State.ExitCode === KILLED) return { ...base, exitCode: KILLED, timedOut: false, oomKilled: Boolean(info.State.OOMKilled) };
    throw new Error(`run container ${warm.container.id}: ${err instanceof Error ? err.message : String(err)}`);
  }

  return {
    async run(job) {
      const key = warmKey(job, sandbox);
      const tags = { userId: job.userId, functionName: job.functionName, revision: job.revision };
      const { container: warm, hit } = await pool.acquire(key, tags, () => startFor(job, key), options.onStart);
      try {
        job.onPhase?.('run');
      } catch (err) {
        pool.discard(warm); // past the delivery's deadline: this run does not happen
        throw err;
      }
      // The engine sees no start per warm run: this line is how observers (the proof suite, the
      // multi-node e2e) count runs, so it comes once the run is sure to start, not before.
      logger.debug({ executionId: job.executionId, containerId: warm.container.id.slice(0, 12), reused: hit }, 'warm run started');
      const startedAt = Date.now();
      const processMode = isProcessMode(job);
      let answer: RunAnswer;
      try {
        answer = await warm.run(
          { timeoutMs: job.limits.timeoutMs, stdoutCapBytes: sandbox.stdoutCapBytes, stderrCapBytes: sandbox.stderrCapBytes, argument: processMode ? eventOf(job.argument) : job.argument, env: job.runEnv ?? {} },
          job.limits.timeoutMs + settings.answerGraceMs,
        );
      } catch (err) {
        if (!(err instanceof ContainerLostError || err instanceof NoAnswerError)) throw err;
        try {
          return await lostOutcome(warm, err, job, startedAt);
        } finally {
          pool.discard(warm);
        }
      }
      if (answer.kind === 'not_started') {
        pool.discard(warm);
        throw new Error(`run container ${warm.container.id}: cannot start the image's command (errno ${answer.code})`);
      }
      const outcome = outcomeOf(answer, processMode);
      if (answer.dirty || outcome.oomKilled) pool.discard(warm);
      else pool.give(key, tags, warm);
      return outcome;
    },
  };
}
