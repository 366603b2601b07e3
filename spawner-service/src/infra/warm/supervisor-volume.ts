import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { dockerStatus, translateDockerError } from '../docker-errors.js';
import { readTar } from '../files/tar-reader.js';
import { withFiller } from './supervisor-filler.js';
import { tarOf } from './tar.js';

/** Where the supervisor's volume is mounted, read-only, in every warm container. */
export const SUPERVISOR_DIR = '/faas/.supervisor';
export const SUPERVISOR_PATH = `${SUPERVISOR_DIR}/faas-supervisor`;
const FILL_DIR = '/faas-fill';
const BINARY = 'faas-supervisor';

/** The volume does not hold the platform's supervisor and could not be made to: warm runs are refused. */
export class SupervisorUnverifiedError extends Error {
  override readonly name = 'SupervisorUnverifiedError';
}

export interface SupervisorVolume {
  readonly name: string;
  /** Fills and verifies the volume once per spawner process; rejects with SupervisorUnverifiedError when it cannot. */
  ensure(labels: Readonly<Record<string, string>>): Promise<void>;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The digest of the regular file at the volume's binary path, or why there is none (a directory, a link, nothing). */
async function digestIn(filler: Docker.Container): Promise<string> {
  let archive: NodeJS.ReadableStream & { destroy?: () => void };
  try {
    archive = (await filler.getArchive({ path: `${FILL_DIR}/${BINARY}` })) as typeof archive;
  } catch (err) {
    if (dockerStatus(err) === 404) return 'absent';
    throw err;
  }
  try {
    for await (const entry of readTar(archive as AsyncIterable<Uint8Array>)) {
      if (entry.type !== '0' && entry.type !== '7') return `not a regular file (tar type ${entry.type})`;
      const hash = createHash('sha256');
      for await (const part of entry.body) hash.update(part);
      return hash.digest('hex');
    }
    return 'empty archive';
  } finally {
    archive.destroy?.();
  }
}

/**
 * A named volume per supervisor build (its digest is in the name), filled through the engine's
 * archive API, so the same code works where the spawner reaches the engine only through its
 * socket (Swarm). Only platform code ever writes it: the filler container is made from an image
 * the spawner imports from the binary itself (never a function's image), and every mount of the
 * volume carries NoCopy, so no image's own files are copied into it. "Filled" means the binary
 * read back has the platform's digest, not that some marker file exists.
 */
export function supervisorVolume(docker: Docker, binary: Buffer, logger: Logger): SupervisorVolume {
  const digest = sha256(binary);
  const name = `faas-supervisor-${digest.slice(0, 16)}`;
  let filled: Promise<void> | undefined;

  async function fill(labels: Readonly<Record<string, string>>): Promise<void> {
    await docker.createVolume({ Name: name, Labels: { 'faas.supervisor': digest.slice(0, 16) } });
    await withFiller(docker, { binary, digest, volume: name, target: FILL_DIR, labels }, async (filler) => {
      const found = await digestIn(filler);
      if (found === digest) return;
      if (found !== 'absent') logger.error({ volume: name, found, expected: digest }, 'supervisor volume held another binary: rewriting it');
      // The engine's extraction replaces whatever is at the path (a file, a directory, a link).
      await filler.putArchive(tarOf([{ name: BINARY, mode: 0o555, data: binary }]), { path: FILL_DIR });
      const written = await digestIn(filler);
      if (written !== digest) throw new SupervisorUnverifiedError(`supervisor volume ${name} holds ${written} after a rewrite, not ${digest}`);
    });
  }

  return {
    name,
    ensure(labels) {
      filled ??= fill(labels).catch((err: unknown) => {
        filled = undefined;
        const reason = err instanceof SupervisorUnverifiedError ? err : translateDockerError(err, `fill supervisor volume ${name}`);
        logger.error({ err: reason, volume: name }, 'supervisor volume unverified: this run goes cold');
        throw new SupervisorUnverifiedError(reason.message, { cause: reason });
      });
      return filled;
    },
  };
}
