import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { dockerStatus, translateDockerError } from '../docker-errors.js';
import { tarOf } from './tar.js';

/** Where the supervisor's volume is mounted, read-only, in every warm container. */
export const SUPERVISOR_DIR = '/faas/.supervisor';
export const SUPERVISOR_PATH = `${SUPERVISOR_DIR}/faas-supervisor`;
const FILL_DIR = '/faas-fill';
const COMPLETE = '.complete';

export interface SupervisorVolume {
  readonly name: string;
  /** Fills the volume once per spawner process; `image` is any local image (the engine needs one to mount it). */
  ensure(image: string, labels: Readonly<Record<string, string>>): Promise<void>;
}

/**
 * A named volume per supervisor build (its digest is in the name), filled through the engine's
 * archive API, so the same code works where the spawner reaches the engine only through its
 * socket (Swarm). `.complete` is written after the binary in one archive: a volume without it
 * was left half-filled and is filled again.
 */
export function supervisorVolume(docker: Docker, binary: Buffer): SupervisorVolume {
  const digest = createHash('sha256').update(binary).digest('hex').slice(0, 16);
  const name = `faas-supervisor-${digest}`;
  let filled: Promise<void> | undefined;

  async function isComplete(filler: Docker.Container): Promise<boolean> {
    try {
      await filler.infoArchive({ path: `${FILL_DIR}/${COMPLETE}` });
      return true;
    } catch (err) {
      if (dockerStatus(err) === 404) return false;
      throw err;
    }
  }

  async function fill(image: string, labels: Readonly<Record<string, string>>): Promise<void> {
    await docker.createVolume({ Name: name, Labels: { 'faas.supervisor': digest } });
    const filler = await docker.createContainer({
      Image: image,
      Entrypoint: ['/faas-supervisor-filler-never-started'],
      Cmd: [],
      Labels: { ...labels, 'faas.execution': 'supervisor-fill' },
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: name, Target: FILL_DIR }], LogConfig: { Type: 'none', Config: {} } },
    });
    try {
      if (await isComplete(filler)) return;
      const archive = tarOf([
        { name: 'faas-supervisor', mode: 0o555, data: binary },
        { name: COMPLETE, mode: 0o444, data: Buffer.from(digest) },
      ]);
      // A concurrent filler (another spawner on this engine) may win: fine once the file is whole.
      await filler.putArchive(archive, { path: FILL_DIR }).catch(async (err: unknown) => {
        if (!(await isComplete(filler))) throw err;
      });
    } finally {
      await filler.remove({ force: true, v: false }).catch(() => undefined);
    }
  }

  return {
    name,
    ensure(image, labels) {
      filled ??= fill(image, labels).catch((err: unknown) => {
        filled = undefined;
        throw translateDockerError(err, `fill supervisor volume ${name}`);
      });
      return filled;
    },
  };
}
