import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
// The spawner's own container spec (not exported by the package): the raw loop does the very same work.
import { containerSpec } from '../../spawner-service/dist/src/infra/container-spec.js';
import { elapsedMs } from './stats.js';

const run = promisify(execFile);

/** Label on every image and container the bench makes; its value is the run id. */
export const BENCH_LABEL = 'faas.bench';

export const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

/** The trivial echo function: FROM scratch + static busybox, prints its argument (as the tests' echo). */
export async function buildEchoImage(tag: string, runId: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faas-bench-img-'));
  try {
    copyFileSync('/bin/busybox', join(dir, 'busybox'));
    writeFileSync(join(dir, 'fn.sh'), 'printf "%s" "$1"\n');
    writeFileSync(
      join(dir, 'Dockerfile'),
      ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "--install", "-s", "/bin"]', 'COPY fn.sh /fn.sh', 'ENTRYPOINT ["/bin/sh", "/fn.sh"]', ''].join('\n'),
    );
    await run('docker', ['build', '-q', '--label', `${BENCH_LABEL}=${runId}`, '-t', tag, dir], { maxBuffer: 16 << 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `docker run --rm IMAGE ARG`, exactly as a user would type it; returns stdout and wall time. */
export async function dockerRunRm(image: string, argument: string, runId: string, extraArgs: readonly string[] = []): Promise<{ ms: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const { stdout } = await run('docker', ['run', '--rm', '--label', `${BENCH_LABEL}=${runId}`, ...extraArgs, image, argument]);
  return { ms: elapsedMs(started), stdout };
}

export interface RawPhases {
  readonly create: number;
  readonly attach: number;
  readonly start: number;
  /** start returned -> wait returned (the container runs meanwhile). */
  readonly wait: number;
  readonly inspect: number;
  readonly remove: number;
  /** The container's own run time (State.StartedAt -> FinishedAt), as the spawner measures it. */
  readonly runMs: number;
  readonly total: number;
  readonly stdout: string;
}

/** The spawner's default sandbox (uid 65534, nofile 1024, fsize 64 MiB), labelled for this run. */
export const benchSandbox = (runId: string) => ({
  pidsLimit: 64,
  tmpfsSizeMb: 16,
  user: '65534:65534',
  nofileLimit: 1024,
  fsizeBytes: 64 * 1024 * 1024,
  extraLabels: { [BENCH_LABEL]: runId },
});

/** What the spawner asks of the engine for one execution, minus the platform: create, attach, start, wait, inspect, remove. */
export async function rawDockerodeRun(image: string, argument: string, runId: string): Promise<RawPhases> {
  const spec = containerSpec(
    {
      executionId: `raw-${runId}`,
      userId: 'bench',
      functionName: 'echo',
      image,
      argument,
      env: {},
      limits: { timeoutMs: 60_000, memoryMb: 256, cpus: 0.5, network: 'none' },
    },
    benchSandbox(runId),
    `bench-raw-${runId}`,
  );
  const t0 = process.hrtime.bigint();
  const container = await docker.createContainer(spec);
  const create = elapsedMs(t0);
  try {
    const t1 = process.hrtime.bigint();
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const ended = Promise.race([once(stream, 'end'), once(stream, 'close')]).catch(() => undefined);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    docker.modem.demuxStream(stream, out, new PassThrough().resume());
    const attach = elapsedMs(t1);
    const t2 = process.hrtime.bigint();
    await container.start();
    const start = elapsedMs(t2);
    const t3 = process.hrtime.bigint();
    await container.wait();
    await ended;
    const wait = elapsedMs(t3);
    const t4 = process.hrtime.bigint();
    const info = await container.inspect();
    const inspect = elapsedMs(t4);
    const t5 = process.hrtime.bigint();
    await container.remove({ force: true });
    const remove = elapsedMs(t5);
    const runMs = Date.parse(info.State.FinishedAt) - Date.parse(info.State.StartedAt);
    return { create, attach, start, wait, inspect, remove, runMs, total: elapsedMs(t0), stdout: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw err;
  }
}

/** Removes the containers and images of this run only (by label), never anyone else's. */
export async function cleanupEngine(runId: string, images: readonly string[]): Promise<number> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${BENCH_LABEL}=${runId}`] } });
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  for (const image of images) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  return leftovers.length;
}
