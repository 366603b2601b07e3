import type { ContainerCreateOptions } from 'dockerode';
import type { ContainerJob } from '../domain/ports.js';

export const LABELS = Object.freeze({
  managed: 'faas.managed',
  execution: 'faas.execution',
  user: 'faas.user',
  function: 'faas.function',
  spawner: 'faas.spawner',
});

export interface SandboxSettings {
  readonly pidsLimit: number;
  readonly tmpfsSizeMb: number;
  /** Empty: the image's own user. */
  readonly user: string;
  /** Operator labels (e.g. a stack name); the platform's own labels win over them. */
  readonly extraLabels: Readonly<Record<string, string>>;
}

const MIB = 1024 * 1024;

/**
 * `docker run IMAGE "<argument>"` with the platform's sandbox: the image's entrypoint stays,
 * the argument is the whole command; no network unless allowed, no capabilities, no new
 * privileges, read-only root with a small tmpfs, memory without swap, CPU and pids capped.
 */
export function containerSpec(job: ContainerJob, sandbox: SandboxSettings, spawnerId: string): ContainerCreateOptions {
  const memory = job.limits.memoryMb * MIB;
  return {
    Image: job.image,
    Cmd: [job.argument],
    Env: Object.entries({ ...job.env, ...job.runEnv }).map(([key, value]) => `${key}=${value}`),
    ...(sandbox.user ? { User: sandbox.user } : {}),
    Labels: {
      ...sandbox.extraLabels,
      [LABELS.managed]: 'true',
      [LABELS.execution]: job.executionId,
      [LABELS.user]: job.userId,
      [LABELS.function]: job.functionName,
      [LABELS.spawner]: spawnerId,
    },
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: job.limits.network === 'none',
    HostConfig: {
      NetworkMode: job.limits.network,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(job.limits.cpus * 1e9),
      PidsLimit: sandbox.pidsLimit,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,noexec,size=${sandbox.tmpfsSizeMb}m` },
      AutoRemove: false,
      Privileged: false,
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}
