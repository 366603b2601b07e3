import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { removeContainer } from './cold-run.js';
import { LABELS } from './container-spec.js';
import { removeStaleFileVolumes } from './files/volume-sweep.js';
import { isOrphan, stoppedLongEnough, type OrphanPolicy } from './orphans.js';

/**
 * Force-removes containers no live spawner owns (see isOrphan); at start also every one of
 * this spawner id. Returns how many.
 */
export async function removeOrphanContainers(
  docker: Docker,
  { policy, atStart, spawnerId }: { policy: OrphanPolicy; atStart: boolean; spawnerId: string },
  logger: Logger,
): Promise<number> {
  const managed = await docker.listContainers({ all: true, filters: { label: [`${LABELS.managed}=true`] } });
  const candidates = managed.filter((c) => isOrphan(c, policy, Date.now(), atStart));
  const confirmed = await Promise.all(
    candidates.map(async (c) => {
      if (atStart && c.Labels[LABELS.spawner] === spawnerId) return true;
      const info = await docker.getContainer(c.Id).inspect().catch(() => undefined);
      return info !== undefined && stoppedLongEnough(info, policy, Date.now());
    }),
  );
  const orphans = candidates.filter((_, i) => confirmed[i]);
  await removeStaleFileVolumes(docker, policy.stoppedGraceMs, logger);
  await Promise.all(orphans.map((c) => removeContainer(docker.getContainer(c.Id), c.Labels[LABELS.execution] ?? '', logger)));
  if (orphans.length > 0) {
    const removed = orphans.map((c) => ({ id: c.Id.slice(0, 12), spawner: c.Labels[LABELS.spawner], state: c.State }));
    logger.warn({ removed }, 'removed containers no live spawner owns');
  }
  return orphans.length;
}
