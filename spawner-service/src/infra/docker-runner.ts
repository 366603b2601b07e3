import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import type { ContainerJob, ContainerRunner } from '../domain/ports.js';
import { LABELS, containerSpec, type SandboxSettings } from './container-spec.js';
import { runCold } from './cold-run.js';
import { translateDockerError } from './docker-errors.js';
import { createImagePuller, type ImagePolicy, type ImagePuller } from './image-puller.js';
import { sweepOrphans } from './orphan-sweep.js';
import type { OrphanPolicy } from './orphans.js';
import { removeContainer } from './remove-container.js';
import { runFiles, type RunFiles } from './files/run-files.js';
import { isProcessMode } from './warm/process-mode.js';
import { SupervisorUnverifiedError } from './warm/supervisor-volume.js';
import { createWarmExecution, type WarmConfig, type WarmExecution } from './warm/warm-execution.js';
import type { PoolEvents } from './warm/pool-types.js';

export interface DockerRunnerOptions {
  readonly docker: Docker;
  readonly sandbox: SandboxSettings & { readonly stdoutCapBytes: number; readonly stderrCapBytes: number };
  readonly spawnerId: string;
  readonly logger: Logger;
  /** Pull caps and allowed registries; absent: the defaults. */
  readonly images?: ImagePolicy;
  /** Absent: every run is cold. */
  readonly warm?: WarmConfig;
  readonly onWarmStart?: (hit: boolean) => void;
  readonly warmPoolEvents?: Partial<PoolEvents>;
}

export interface DockerRunner extends ContainerRunner {
  /**
   * Force-removes containers no live spawner owns (see isOrphan); at start also every one of
   * this spawner id. Returns how many.
   */
  removeOrphans(policy: OrphanPolicy, atStart: boolean): Promise<number>;
  ping(): Promise<void>;
  /** Warm execution, when configured. */
  readonly warm: WarmExecution | undefined;
  /** The images this runner pulled (for the image GC). */
  readonly images: Pick<ImagePuller, 'pulled' | 'forget'>;
  /** Removes idle warm containers. */
  close(): Promise<void>;
}

/** Labels of a run's file volumes and their filler: the harness and operators can find them. */
function filesLabels(job: ContainerJob, extra: Readonly<Record<string, string>>, spawnerId: string): Record<string, string> {
  return { ...extra, [LABELS.managed]: 'true', [LABELS.execution]: job.executionId, [LABELS.user]: job.userId, [LABELS.spawner]: spawnerId, 'faas.files': 'true' };
}

/** A thin, logged boundary around dockerode: pull, create, attach, start, wait, inspect, remove. */
export function createDockerRunner(options: DockerRunnerOptions): DockerRunner {
  const { docker, sandbox, spawnerId, logger } = options;
  const images = createImagePuller(docker, logger, options.images);
  const warm = options.warm ? createWarmExecution({
        docker, sandbox, spawnerId, images, config: options.warm, logger,
        ...(options.onWarmStart ? { onStart: options.onWarmStart } : {}),
        ...(options.warmPoolEvents ? { poolEvents: options.warmPoolEvents } : {}),
      }) : undefined;

  /** One image inspect (its declared volumes are masked), a pull first when the engine lacks it. */
  async function create(job: ContainerJob, files: RunFiles | undefined): Promise<Docker.Container> {
    job.onPhase?.('image');
    const { volumes } = await images.facts(job.image, job.userId);
    job.onPhase?.('create');
    const base = containerSpec(job, sandbox, spawnerId, volumes);
    const spec = files ? { ...base, HostConfig: { ...base.HostConfig, Mounts: files.mounts } } : base;
    try {
      return await docker.createContainer(spec);
    } catch (err) {
      throw translateDockerError(err, `create container from ${job.image}`);
    }
  }

  return {
    async run(job) {
      // A process-mode image is a Runtime API client: run as a command, it would wait for ever.
      if (isProcessMode(job) && (job.files || !warm)) {
        throw new Error(job.files ? 'a process-mode function takes no inputs or outputs' : 'this spawner cannot run process-mode functions: its supervisor binary is missing');
      }
      // Executions with files run cold: per-run volumes can only be mounted at create time.
      if (!job.files && warm?.wants(job)) {
        try {
          return await warm.run(job);
        } catch (err) {
          // Never a warm container whose supervisor is not the platform's: this run goes cold.
          if (!(err instanceof SupervisorUnverifiedError) || isProcessMode(job)) throw err;
        }
      }
      const log = logger.child({ executionId: job.executionId, image: job.image });
      const t0 = Date.now();
      const files = job.files ? runFiles(docker, { ...job, files: job.files }, filesLabels(job, sandbox.extraLabels, spawnerId)) : undefined;
      await files?.create().catch((err: unknown) => Promise.reject(translateDockerError(err, 'create file volumes')));
      const container = await create(job, files).catch(async (err: unknown) => {
        await files?.remove();
        throw err;
      });
      const created = Date.now();
      try {
        await files?.fill(job.image);
        const outcome = await runCold(docker, container, job, sandbox, logger);
        log.debug({ containerId: container.id, createMs: created - t0, runMs: outcome.durationMs }, 'container finished');
        return files ? { ...outcome, outputs: await files.collect(container) } : outcome;
      } catch (err) {
        throw translateDockerError(err, `run container ${container.id}`);
      } finally {
        job.onPhase?.('cleanup');
        const removing = Date.now();
        await removeContainer(container, logger, job.executionId);
        await files?.remove();
        log.debug({ containerId: container.id, removeMs: Date.now() - removing }, 'container removed');
      }
    },
    removeOrphans: (policy, atStart) => sweepOrphans({ docker, policy, logger, atStart }),
    async ping() {
      await docker.ping();
    },
    warm,
    images,
    async close() {
      await warm?.close();
    },
  };
}
