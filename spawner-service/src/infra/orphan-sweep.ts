import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { LABELS } from './container-spec.js';
import { removeStaleFileVolumes } from './files/volume-sweep.js';
import { isOrphan, ownerGone, stoppedLongEnough, type OrphanPolicy, type SweepMoment } from './orphans.js';
import { removeContainer } from './remove-container.js';
import { deadSpawnersOnEngine } from './spawner-liveness.js';

export interface OrphanSweepOptions {
  readonly docker: Docker;
  readonly policy: OrphanPolicy;
  readonly logger: Logger;
  readonly atStart: boolean;
  /** Also ask the engine which spawners are dead (spawner-liveness.ts): the node sweeper does. */
  readonly engineLiveness?: boolean;
  /** Only containers and file volumes with every one of these labels ("key=value"). */
  readonly labels?: readonly string[];
}

/** Force-removes the managed containers no live spawner owns (orphans.ts), and stale file volumes. Returns how many containers. */
export async function sweepOrphans(options: OrphanSweepOptions): Promise<number> {
  const { docker, policy, logger } = options;
  const began = Date.now();
  const labels = options.labels ?? [];
  const managed = await docker.listContainers({ all: true, filters: { label: [`${LABELS.managed}=true`, ...labels] } });
  const owners = new Set(managed.map((c) => c.Labels[LABELS.spawner]).filter((id): id is string => id !== undefined));
  const deadSpawners = options.engineLiveness ? await deadSpawnersOnEngine(docker, owners) : undefined;
  const moment: SweepMoment = { nowMs: Date.now(), atStart: options.atStart, ...(deadSpawners ? { deadSpawners } : {}) };
  const candidates = managed.filter((c) => isOrphan(c, policy, moment));
  const confirmed = await Promise.all(
    candidates.map(async (c) => {
      if (ownerGone(c, policy, moment)) return true;
      const info = await docker.getContainer(c.Id).inspect().catch(() => undefined);
      return info !== undefined && stoppedLongEnough(info, policy, Date.now());
    }),
  );
  const orphans = candidates.filter((_, i) => confirmed[i]);
  await removeStaleFileVolumes(docker, policy.stoppedGraceMs, logger, labels);
  await Promise.all(orphans.map((c) => removeContainer(docker.getContainer(c.Id), logger, c.Labels[LABELS.execution] ?? '')));
  if (orphans.length > 0) {
    const removed = orphans.map((c) => ({ id: c.Id.slice(0, 12), spawner: c.Labels[LABELS.spawner], state: c.State }));
    // sweepMs: how long a sweep takes on a loaded engine (the node sweeper's first one is what a
    // node back from a crash waits for); processMs: since this process began, so what came before
    // the sweep (the process's start and imports) is processMs - sweepMs.
    logger.warn({ removed, sweepMs: Date.now() - began, processMs: Math.round(performance.now()) }, 'removed containers no live spawner owns');
  }
  return orphans.length;
}
