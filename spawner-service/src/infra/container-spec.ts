import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import type { ContainerJob } from '../domain/ports.js';

/**
 * A volume mount option: the engine never copies the image's own files at the mount path into an
 * empty volume (it would, by default). dockerode's type lists every field; the engine needs only this.
 */
export const NO_COPY = { NoCopy: true } as NonNullable<MountSettings['VolumeOptions']>;

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
  /** uid:gid; empty: the image's own user (the operator's opt-out, CONTAINER_USER=image). */
  readonly user: string;
  /** Open files per process (RLIMIT_NOFILE, soft = hard). */
  readonly nofileLimit: number;
  /** Largest file a process may write, in bytes (RLIMIT_FSIZE, soft = hard). */
  readonly fsizeBytes: number;
  /** Operator labels (e.g. a stack name); the platform's own labels win over them. */
  readonly extraLabels: Readonly<Record<string, string>>;
}

const MIB = 1024 * 1024;

/**
 * `docker run IMAGE "<argument>"` with the platform's sandbox: the image's entrypoint stays,
 * the argument is the whole command; no network unless allowed, no capabilities, no new
 * privileges, read-only root with a small tmpfs, memory without swap, CPU and pids capped,
 * an unprivileged uid:gid, open files and file size limited, declared volumes masked.
 */
export function containerSpec(job: ContainerJob, sandbox: SandboxSettings, spawnerId: string, volumes: readonly string[] = []): ContainerCreateOptions {
  const memory = job.limits.memoryMb * MIB;
  const scratch = `rw,nosuid,nodev,noexec,size=${sandbox.tmpfsSizeMb}m`;
  // An image's VOLUME would get an unbounded anonymous volume on the host's disk: a tmpfs of the
  // same bounded size at that path takes its place (the engine skips volumes where a mount is).
  const masks = Object.fromEntries(volumes.map((path) => [path, scratch]));
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
      Ulimits: [
        { Name: 'nofile', Soft: sandbox.nofileLimit, Hard: sandbox.nofileLimit },
        { Name: 'fsize', Soft: sandbox.fsizeBytes, Hard: sandbox.fsizeBytes },
      ],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: { ...masks, '/tmp': scratch },
      AutoRemove: false,
      Privileged: false,
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}
