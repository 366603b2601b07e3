import { AppError, type ExecutionRecord } from '@faas/common';

/** What the domain asks of a container engine: run one function once, sandboxed. */
export interface ContainerJob {
  readonly executionId: string;
  readonly userId: string;
  readonly functionName: string;
  readonly image: string;
  readonly argument: string;
  readonly env: Readonly<Record<string, string>>;
  readonly limits: ResolvedLimits;
  /**
   * Environment for this run only (secrets): never part of a warm container's long-lived
   * environment, its key, a record or a log line.
   */
  readonly runEnv?: Readonly<Record<string, string>>;
  /** The function definition's revision (absent in requests from before warm execution). */
  readonly revision?: number;
  /** Whether the run may use (and leave) a warm container; absent: the runner's default. */
  readonly warm?: boolean;
  /** Told as the run enters each phase, so an overrun deadline can say which one overran. */
  readonly onPhase?: (phase: RunPhase) => void;
}

/** image: inspect and pull; create: create, attach; start: start (warm: the container and its supervisor); run; cleanup. */
export type RunPhase = 'image' | 'create' | 'start' | 'run' | 'cleanup';

export interface ResolvedLimits {
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly cpus: number;
  readonly network: 'none' | 'bridge';
}

export interface ContainerOutcome {
  /** null when the container never reported an exit code (killed on timeout). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly oomKilled: boolean;
  /** Container run time (started to finished), not including create or pull. */
  readonly durationMs: number;
}

/**
 * Runs containers. Throws UnavailableError (from common) for a passing engine fault worth a
 * retry, ImagePullError when the image cannot be had, anything else for a permanent failure.
 */
export interface ContainerRunner {
  run(job: ContainerJob): Promise<ContainerOutcome>;
}

export interface ResultPublisher {
  publish(record: ExecutionRecord): Promise<void>;
}

export class ImagePullError extends AppError {
  constructor(image: string, reason: string, options: { cause?: unknown } = {}) {
    super('IMAGE_PULL_FAILED', `cannot pull image ${image}: ${reason}`, options);
  }
}
