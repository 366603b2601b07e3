import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { MountSettings } from 'dockerode';
import { AppError, objectNameProblem, type ExecutionOutputs, type OutputFile } from '@faas/common';
import type { ContainerJob, JobFiles } from '../../domain/ports.js';
import { NO_COPY } from '../container-spec.js';
import { readTar } from './tar-reader.js';
import { tarStream } from './tar-writer.js';

export const FILES_DIR = '/faas';
const FILL_DIR = '/faas-fill';
const TAR_FILE = '0';
const TAR_DIR = '5';

/** One run's own input and output volumes: nothing of another run is ever mounted. */
export interface RunFiles {
  readonly mounts: MountSettings[];
  /** Creates the two volumes, labelled, before the run container refers to them (the engine would make unlabelled ones). */
  create(): Promise<void>;
  /** Fills the input volume from the run container's image (so no other image is needed); before start. */
  fill(image: string): Promise<void>;
  /** Stores what the exited container left in /faas/out, within the caps. */
  collect(container: Docker.Container): Promise<ExecutionOutputs>;
  remove(): Promise<void>;
}

export function runFiles(docker: Docker, job: ContainerJob & { files: JobFiles }, labels: Readonly<Record<string, string>>): RunFiles {
  const suffix = `${job.executionId}-${randomBytes(4).toString('hex')}`;
  const volumes = { in: `faas-in-${suffix}`, out: `faas-out-${suffix}` };
  const files = job.files;
  return {
    mounts: [
      { Type: 'volume', Source: volumes.in, Target: `${FILES_DIR}/in`, ReadOnly: true, VolumeOptions: NO_COPY },
      { Type: 'volume', Source: volumes.out, Target: `${FILES_DIR}/out`, ReadOnly: false, VolumeOptions: NO_COPY },
    ],
    async create() {
      for (const name of Object.values(volumes)) await docker.createVolume({ Name: name, Labels: { ...labels } });
    },
    async fill(image) {
      const filler = await docker.createContainer({
        Image: image,
        Entrypoint: ['/faas-files-filler-never-started'],
        Cmd: [],
        Labels: { ...labels },
        NetworkDisabled: true,
        HostConfig: {
          NetworkMode: 'none',
          Mounts: [
            { Type: 'volume', Source: volumes.in, Target: `${FILL_DIR}/in`, VolumeOptions: NO_COPY },
            { Type: 'volume', Source: volumes.out, Target: `${FILL_DIR}/out`, VolumeOptions: NO_COPY },
          ],
          LogConfig: { Type: 'none', Config: {} },
        },
      });
      try {
        // in/ readable by any user, out/ writable by any (the image's user may not be root).
        const dirs = [{ name: 'in', mode: 0o755 }, { name: 'out', mode: 0o1777 }, ...parentDirs(files.inputs.map((f) => f.name))];
        const inputs = files.inputs.map((f) => ({ ...f, name: `in/${f.name}` }));
        await filler.putArchive(Readable.from(tarStream(dirs, inputs, 0o444)), { path: FILL_DIR });
      } finally {
        // v: an image's VOLUME gives even a never-started container an anonymous volume (issue 16).
        await filler.remove({ force: true, v: true }).catch(() => undefined);
      }
    },
    collect: (container) => collectOutputs(container, files.outputs, job.executionId),
    async remove() {
      await Promise.all(Object.values(volumes).map((name) => docker.getVolume(name).remove().catch(() => undefined)));
    },
  };
}

/** `in/a/b` for an input `a/b/c`, so nested names get readable directories. */
function parentDirs(names: readonly string[]): { name: string; mode: number }[] {
  const dirs = new Set<string>();
  for (const name of names) {
    const parts = name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`in/${parts.slice(0, i).join('/')}`);
  }
  return [...dirs].sort().map((name) => ({ name, mode: 0o755 }));
}

/** Stores one output; false when its owner's quota or the outputs bucket has no room for it. */
async function storedWithin(caps: JobFiles['outputs'], path: string, entry: { size: number; body: AsyncIterable<Uint8Array> }): Promise<boolean> {
  try {
    await caps.sink(path, entry.size, entry.body);
    return true;
  } catch (err) {
    if (err instanceof AppError && (err.code === 'PAYLOAD_TOO_LARGE' || err.code === 'STORAGE_FULL')) return false;
    throw err;
  }
}

/** Regular files only: links, devices and names leaving /faas/out are counted as skipped, never followed. */
async function collectOutputs(container: Docker.Container, caps: JobFiles['outputs'], executionId: string): Promise<ExecutionOutputs> {
  const archive = (await container.getArchive({ path: `${FILES_DIR}/out` })) as NodeJS.ReadableStream & { destroy?: () => void };
  const stored: OutputFile[] = [];
  let bytes = 0;
  let skipped = 0;
  let truncated = false;
  try {
    for await (const entry of readTar(archive as AsyncIterable<Uint8Array>)) {
      const path = entry.name.replace(/^out\/?/, '').replace(/\/$/, '');
      if (entry.type === TAR_DIR || path === '') continue;
      if ((entry.type !== TAR_FILE && entry.type !== '7') || !entry.name.startsWith('out/') || objectNameProblem(path) !== undefined) {
        skipped++;
        continue;
      }
      if (stored.length >= caps.maxFiles || bytes + entry.size > caps.maxBytes) {
        truncated = true;
        break;
      }
      if (!(await storedWithin(caps, path, entry))) {
        truncated = true;
        break;
      }
      bytes += entry.size;
      stored.push({ path, name: `executions/${executionId}/${path}`, size: entry.size });
    }
  } finally {
    archive.destroy?.();
  }
  return { files: stored, truncated, skipped };
}
