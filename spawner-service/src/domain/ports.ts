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
}

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

/**
 * The owner's secrets, decrypted for one run. Throws MissingSecretError naming the secrets
 * that are gone, UnavailableError for a passing store fault, anything else for a permanent one.
 */
export interface SecretResolver {
  resolve(userId: string, names: readonly string[]): Promise<Readonly<Record<string, string>>>;
}

export class MissingSecretError extends AppError {
  constructor(names: readonly string[]) {
    super('SECRET_MISSING', `secret${names.length > 1 ? 's' : ''} not found: ${names.join(', ')} (deleted after the function was registered?)`);
  }
}

export interface ResultPublisher {
  publish(record: ExecutionRecord): Promise<void>;
}

export class ImagePullError extends AppError {
  constructor(image: string, reason: string, options: { cause?: unknown } = {}) {
    super('IMAGE_PULL_FAILED', `cannot pull image ${image}: ${reason}`, options);
  }
}
