import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { NO_COPY } from '../container-spec.js';
import { dockerStatus } from '../docker-errors.js';
import { tarOf } from './tar.js';

export interface FillerInput {
  readonly binary: Buffer;
  readonly digest: string;
  readonly volume: string;
  readonly target: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The platform's own image for the filler: a root filesystem holding the supervisor alone, imported, never pulled. */
const fillerImage = (digest: string): string => `faas-supervisor-filler:${digest.slice(0, 16)}`;

/** Another spawner's filler left by a crash is taken over after this long. */
const STALE_FILLER_MS = 30_000;
const POLL_MS = 100;

async function ensureFillerImage(docker: Docker, input: FillerInput): Promise<string> {
  const image = fillerImage(input.digest);
  try {
    await docker.getImage(image).inspect();
    return image;
  } catch (err) {
    if (dockerStatus(err) !== 404) throw err;
  }
  const [repo, tag] = image.split(':') as [string, string];
  const rootfs = Readable.from([tarOf([{ name: 'faas-supervisor', mode: 0o555, data: input.binary }])]);
  const progress = await docker.importImage(rootfs, { repo, tag });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())));
  return image;
}

async function gone(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getContainer(name).inspect();
    return false;
  } catch (err) {
    if (dockerStatus(err) === 404) return true;
    throw err;
  }
}

/**
 * Runs `use` with a never-started container of the platform's filler image that mounts the volume
 * (NoCopy) at `target`. The container's fixed name is an engine-wide lock: spawners sharing an
 * engine fill one after another, so none starts a warm container from a binary being written.
 */
export async function withFiller(docker: Docker, input: FillerInput, use: (filler: Docker.Container) => Promise<void>): Promise<void> {
  const image = await ensureFillerImage(docker, input);
  const name = `faas-supervisor-fill-${input.digest.slice(0, 16)}`;
  const spec = {
    name,
    Image: image,
    Entrypoint: ['/faas-supervisor-filler-never-started'],
    Cmd: [],
    Labels: { ...input.labels, 'faas.execution': 'supervisor-fill' },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      Mounts: [{ Type: 'volume' as const, Source: input.volume, Target: input.target, VolumeOptions: NO_COPY }],
      LogConfig: { Type: 'none', Config: {} },
    },
  };
  const filler = await createLocked(docker, spec, name);
  try {
    await use(filler);
  } finally {
    await filler.remove({ force: true, v: true }).catch(() => undefined);
  }
}

async function createLocked(docker: Docker, spec: Docker.ContainerCreateOptions & { name: string }, name: string): Promise<Docker.Container> {
  const since = Date.now();
  for (;;) {
    try {
      return await docker.createContainer(spec);
    } catch (err) {
      if (dockerStatus(err) !== 409) throw err;
    }
    // Another spawner holds the lock: wait for it to finish, or take over one left by a crash.
    if (Date.now() - since > STALE_FILLER_MS) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    while (!(await gone(docker, name)) && Date.now() - since <= STALE_FILLER_MS) await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
