import { AppError, type ExecutionOutputs, type ExecutionRecord, type FunctionRuntime } from '@faas/common';

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
  /** "process": the image's process serves invocations in a warm container (implies warm); absent: exec. */
  readonly runtime?: FunctionRuntime;
  /** Told as the run enters each phase, so an overrun deadline can say which one overran. */
  readonly onPhase?: (phase: RunPhase) => void;
  /** Inputs to place read-only under /faas/in and outputs to collect from /faas/out; absent: neither. */
  readonly files?: JobFiles;
}

/** An input object, read only when the runner places it. */
export interface InputFile {
  /** Its object name: the path under /faas/in. */
  readonly name: string;
  readonly size: number;
  open(): AsyncIterable<Uint8Array>;
}

/** Stores one output file as the runner streams it out of the container. */
export type OutputSink = (path: string, size: number, data: AsyncIterable<Uint8Array>) => Promise<void>;

export interface JobFiles {
  readonly inputs: readonly InputFile[];
  readonly outputs: { readonly maxFiles: number; readonly maxBytes: number; readonly sink: OutputSink };
}

/** The objects a run reads and writes, per user. */
export interface ObjectFiles {
  /** The user's input objects with their sizes; a NotFoundError naming the first missing one. */
  inputs(userId: string, names: readonly string[]): Promise<InputFile[]>;
  outputSink(userId: string, executionId: string): OutputSink;
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
  /** What was collected from /faas/out, when the job had files. */
  readonly outputs?: ExecutionOutputs;
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
