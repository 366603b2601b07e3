import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseConfigFrom, baseEnvShape, envFields, limitCeilingsEnvShape, parseConfig, secretsKeyEnvShape, tracingEnvShape, tracingSettingsFrom, type Env } from '@faas/common';
import { z } from 'zod';
import { labelPairsField, orphanEnvShape } from './orphan-env.js';

const MIB = 1024 * 1024;
/** `npm run build` compiles the supervisor next to the compiled sources (dist/faas-supervisor). */
const BUILT_SUPERVISOR = join(dirname(fileURLToPath(import.meta.url)), '..', 'faas-supervisor');

const schema = z
  .object({
    PORT: envFields.port(8084),
    ...baseEnvShape,
    ...secretsKeyEnvShape,
    ...tracingEnvShape,
    SPAWNER_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, _ . - only').default(hostname()),
    ...orphanEnvShape,
    MAX_CONTAINERS: envFields.int(1, 256).default(5),
    ACK_WAIT_MS: envFields.int(1_000, 3_600_000).default(30_000),
    MAX_DELIVER: envFields.int(1, 100).default(3),
    NAK_DELAY_MS: envFields.int(0, 600_000).default(5_000),
    // A running execution's lease: without a renewal for this long, its spawner is taken for dead
    // and a waiting delivery runs it again. Longer than a NATS election (about 5 s).
    EXECUTION_LEASE_MS: envFields.int(1_000, 3_600_000).default(20_000),
    // A run still going after this long gets a `running` record; 0 writes it before every run.
    RUNNING_RECORD_DELAY_MS: envFields.int(0, 60_000).default(250),
    SHUTDOWN_GRACE_MS: envFields.int(0, 3_600_000).default(60_000),
    // The stuck-record sweeper (one spawner at a time): how often, and how old a record must be.
    STUCK_SWEEP_MS: envFields.int(1_000, 3_600_000).default(60_000),
    STUCK_AFTER_MS: envFields.int(1_000, 86_400_000).default(300_000),
    DEFAULT_TIMEOUT_SECONDS: envFields.int(1, 3_600).default(60),
    DEFAULT_MEMORY_MB: envFields.int(6, 65_536).default(256),
    DEFAULT_CPUS: z.coerce.number().min(0.01).max(64).default(0.5),
    ...limitCeilingsEnvShape,
    PIDS_LIMIT: envFields.int(8, 32_768).default(64),
    TMPFS_SIZE_MB: envFields.int(1, 1_024).default(16),
    ALLOW_NETWORK: envFields.bool.default(false),
    /** uid:gid of every function process; `image`: the image's own user (root for most images). */
    CONTAINER_USER: z
      .string()
      .regex(/^(image|\d{1,10}(:\d{1,10})?)$/, 'uid:gid (numbers) or "image"')
      .default('65534:65534'),
    NOFILE_LIMIT: envFields.int(16, 1_048_576).default(1_024),
    FSIZE_LIMIT_MB: envFields.int(1, 1_048_576).default(64),
    CONTAINER_LABELS: labelPairsField,
    PULL_TIMEOUT_SECONDS: envFields.int(1, 3_600).default(300),
    PULL_MAX_MB: envFields.int(1, 1_048_576).default(4_096),
    /** Beyond the pull cap, the function's timeout and the warm answer grace: create, start, clean-up. */
    DELIVERY_MARGIN_SECONDS: envFields.int(1, 3_600).default(30),
    ALLOW_PRIVATE_REGISTRIES: envFields.bool.default(false),
    LOCAL_IMAGES: envFields.bool.default(true),
    IMAGE_GC_INTERVAL_SECONDS: envFields.int(1, 86_400).default(600),
    IMAGE_GC_MAX_PER_SWEEP: envFields.int(0, 1_000).default(10),
    STDOUT_CAP_BYTES: envFields.int(1_024, 64 * MIB).default(MIB),
    STDERR_CAP_BYTES: envFields.int(1_024, 64 * MIB).default(MIB),
    WARM_DEFAULT: envFields.bool.default(true),
    WARM_IDLE_SECONDS: envFields.int(1, 86_400).default(300),
    /** Unset: as many as MAX_CONTAINERS, so every slot can keep its container between runs. */
    MAX_WARM_CONTAINERS: envFields.int(0, 1_024).optional(),
    WARM_ANSWER_GRACE_MS: envFields.int(100, 60_000).default(2_000),
    SUPERVISOR_BINARY: z.string().min(1).default(BUILT_SUPERVISOR),
    MAX_INPUT_BYTES: envFields.int(0, 2 ** 40).default(256 * MIB),
    /** At most 1 000: the record lists every file and must fit one NATS message. */
    MAX_OUTPUT_FILES: envFields.int(0, 1_000).default(100),
    MAX_OUTPUT_BYTES: envFields.int(0, 2 ** 40).default(64 * MIB),
    /** The registry's per-user storage limits (set both services alike): outputs count in them. */
    MAX_OBJECT_BYTES_PER_USER: envFields.int(1, 2 ** 50).default(1024 * MIB),
    MAX_OBJECTS_PER_USER: envFields.int(1, 10_000_000).default(10_000),
    /** The executions bucket's TTL (as the publisher's): outputs expire with their records. */
    EXECUTION_TTL_SECONDS: envFields.int(60, 365 * 86_400).default(7 * 86_400),
    /** The first this many function names get their own metrics label; the rest share "other". */
    METRICS_FUNCTION_LABELS: envFields.int(0, 1_000).default(50),
    /** Of those, one user claims at most this many. */
    METRICS_FUNCTION_LABELS_PER_USER: envFields.int(0, 1_000).default(5),
  })
  .refine((e) => e.DEFAULT_TIMEOUT_SECONDS <= e.MAX_TIMEOUT_SECONDS, { message: 'DEFAULT_TIMEOUT_SECONDS exceeds MAX_TIMEOUT_SECONDS' })
  .refine((e) => e.DEFAULT_MEMORY_MB <= e.MAX_MEMORY_MB, { message: 'DEFAULT_MEMORY_MB exceeds MAX_MEMORY_MB' })
  .refine((e) => e.DEFAULT_CPUS <= e.MAX_CPUS, { message: 'DEFAULT_CPUS exceeds MAX_CPUS' })
  .transform((env) => ({
    ...baseConfigFrom(env),
    spawnerId: env.SPAWNER_ID,
    tracing: tracingSettingsFrom(env, 'spawner-service'),
    metricsFunctionLabels: env.METRICS_FUNCTION_LABELS,
    metricsFunctionLabelsPerUser: env.METRICS_FUNCTION_LABELS_PER_USER,
    keyring: env.SECRETS_KEY_FILE,
    dockerSocket: env.DOCKER_SOCKET,
    maxContainers: env.MAX_CONTAINERS,
    ackWaitMs: env.ACK_WAIT_MS,
    maxDeliver: env.MAX_DELIVER,
    nakDelayMs: env.NAK_DELAY_MS,
    leaseMs: env.EXECUTION_LEASE_MS,
    runningDelayMs: env.RUNNING_RECORD_DELAY_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    orphanGraceMs: env.ORPHAN_GRACE_MS,
    orphanSweepMs: env.ORPHAN_SWEEP_MS,
    stuckSweep: { intervalMs: env.STUCK_SWEEP_MS, staleAfterMs: env.STUCK_AFTER_MS },
    images: {
      timeoutMs: env.PULL_TIMEOUT_SECONDS * 1000,
      maxBytes: env.PULL_MAX_MB * MIB,
      allowPrivateRegistries: env.ALLOW_PRIVATE_REGISTRIES,
      localImages: env.LOCAL_IMAGES,
    },
    imageGc: { intervalMs: env.IMAGE_GC_INTERVAL_SECONDS * 1000, maxPerSweep: env.IMAGE_GC_MAX_PER_SWEEP },
    /** A delivery's overall deadline is its function's timeout plus this. */
    deadlineBeyondTimeoutMs: (env.PULL_TIMEOUT_SECONDS + env.DELIVERY_MARGIN_SECONDS) * 1000 + env.WARM_ANSWER_GRACE_MS,
    warm: {
      defaultOn: env.WARM_DEFAULT,
      idleMs: env.WARM_IDLE_SECONDS * 1000,
      maxIdle: env.MAX_WARM_CONTAINERS ?? env.MAX_CONTAINERS,
      answerGraceMs: env.WARM_ANSWER_GRACE_MS,
      supervisorBinary: env.SUPERVISOR_BINARY,
    },
    files: {
      limits: { maxInputBytes: env.MAX_INPUT_BYTES, maxOutputFiles: env.MAX_OUTPUT_FILES, maxOutputBytes: env.MAX_OUTPUT_BYTES },
      outputsTtlMs: env.EXECUTION_TTL_SECONDS * 1000,
      perUser: { maxBytes: env.MAX_OBJECT_BYTES_PER_USER, maxObjects: env.MAX_OBJECTS_PER_USER },
    },
    sandbox: {
      defaults: { timeoutSeconds: env.DEFAULT_TIMEOUT_SECONDS, memoryMb: env.DEFAULT_MEMORY_MB, cpus: env.DEFAULT_CPUS },
      ceilings: { timeoutSeconds: env.MAX_TIMEOUT_SECONDS, memoryMb: env.MAX_MEMORY_MB, cpus: env.MAX_CPUS },
      pidsLimit: env.PIDS_LIMIT,
      tmpfsSizeMb: env.TMPFS_SIZE_MB,
      allowNetwork: env.ALLOW_NETWORK,
      user: env.CONTAINER_USER === 'image' ? '' : env.CONTAINER_USER,
      nofileLimit: env.NOFILE_LIMIT,
      fsizeBytes: env.FSIZE_LIMIT_MB * MIB,
      extraLabels: env.CONTAINER_LABELS,
      stdoutCapBytes: env.STDOUT_CAP_BYTES,
      stderrCapBytes: env.STDERR_CAP_BYTES,
    },
  }));

export type SpawnerConfig = Readonly<z.output<typeof schema>>;
export type SandboxConfig = SpawnerConfig['sandbox'];

/** The only reader of the spawner's environment. */
export function loadSpawnerConfig(env: Env): SpawnerConfig {
  return parseConfig(schema, env);
}
