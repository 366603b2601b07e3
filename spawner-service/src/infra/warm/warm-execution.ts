import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import type { ContainerJob, ContainerOutcome } from '../../domain/ports.js';
import type { SandboxSettings } from '../container-spec.js';
import type { ImagePuller } from '../image-puller.js';
import { isProcessMode } from './process-mode.js';
import { supervisorVolume } from './supervisor-volume.js';
import type { PoolEntryTags, PoolEvents } from './pool-types.js';
import { WarmPool } from './warm-pool.js';
import { createWarmRunner } from './warm-runner.js';

export interface WarmConfig {
  /** Runs without a per-function setting use warm containers. */
  readonly defaultOn: boolean;
  /** The faas-supervisor executable (a static binary). */
  readonly supervisor: Buffer;
  readonly maxIdle: number;
  readonly idleMs: number;
  readonly answerGraceMs: number;
}

export interface WarmExecution {
  /** Whether this job runs warm: its function's setting, else the operator's default. */
  wants(job: ContainerJob): boolean;
  run(job: ContainerJob): Promise<ContainerOutcome>;
  idleCount(): number;
  /** Removes idle containers of a function whose definition changed (other revisions) or went away. */
  evict(pick: (tags: PoolEntryTags) => boolean, reason: string): void;
  close(): Promise<void>;
}

/** How often idle containers are checked against the idle timeout. */
const SWEEP_EVERY_MS = 5_000;

export function createWarmExecution(options: {
  readonly docker: Docker;
  readonly sandbox: SandboxSettings & { readonly stdoutCapBytes: number; readonly stderrCapBytes: number };
  readonly spawnerId: string;
  readonly images: ImagePuller;
  readonly config: WarmConfig;
  readonly logger: Logger;
  /** Told of each warm-eligible run whether an idle container was there for it. */
  readonly onStart?: (hit: boolean) => void;
  /** Told of the pool's evictions, cold starts and waits. */
  readonly poolEvents?: Partial<PoolEvents>;
}): WarmExecution {
  const { config, logger } = options;
  const pool = new WarmPool({ maxIdle: config.maxIdle, idleMs: config.idleMs, logger, ...(options.poolEvents ? { events: options.poolEvents } : {}) });
  const runner = createWarmRunner({
    ...options,
    volume: supervisorVolume(options.docker, config.supervisor, logger),
    pool,
    onStart: options.onStart ?? (() => undefined),
    // The supervisor outlives the spawner's own idle timeout a little, never much.
    settings: { answerGraceMs: config.answerGraceMs, idleExitMs: config.idleMs + 60_000 },
  });
  const sweeper = setInterval(() => pool.sweep(), Math.min(SWEEP_EVERY_MS, config.idleMs));
  sweeper.unref();
  return {
    // A NUL cannot be an argv byte: such an argument keeps the cold path's own error. Process
    // mode implies warm (its event is JSON, where a NUL is escaped).
    wants: (job) => isProcessMode(job) || ((job.warm ?? config.defaultOn) && !job.argument.includes('\0')),
    run: (job) => runner.run(job),
    idleCount: () => pool.idleCount,
    evict: (pick, reason) => pool.evict(pick, reason),
    async close() {
      clearInterval(sweeper);
      await pool.close();
    },
  };
}
