import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { repoRoot } from './processes.js';

/** This run's supervisor build: the platform's binary with a unique tail (an ELF runs the same). */
export interface ProofSupervisor {
  readonly path: string;
  readonly digest: string;
  /** The named volume the spawners fill with it: new for every run, as on a fresh engine. */
  readonly volume: string;
  readonly fillerImage: string;
}

export function proofSupervisor(runId: string): ProofSupervisor {
  const path = join(tmpdir(), `faas-supervisor-${runId}`);
  copyFileSync(join(repoRoot, 'spawner-service', 'dist', 'faas-supervisor'), path);
  appendFileSync(path, `\n${runId}\n`);
  const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { path, digest, volume: `faas-supervisor-${digest.slice(0, 16)}`, fillerImage: `faas-supervisor-filler:${digest.slice(0, 16)}` };
}

/** Removes the run's volume and filler image once its containers are gone. */
export async function removeProofSupervisor(supervisor: ProofSupervisor): Promise<void> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  await docker.getVolume(supervisor.volume).remove().catch(() => undefined);
  await docker.getImage(supervisor.fillerImage).remove().catch(() => undefined);
}
