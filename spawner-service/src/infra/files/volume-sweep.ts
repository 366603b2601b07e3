import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { dockerStatus } from '../docker-errors.js';

/**
 * Removes run-file volumes (`faas.files=true`) older than the grace that no container uses:
 * those a spawner left when it died mid-run. The engine refuses to remove a volume any
 * container (even a created or stopped one) refers to, so a live run's volumes stay. `labels`
 * ("key=value") narrows the sweep to volumes carrying every one of them.
 */
export async function removeStaleFileVolumes(docker: Docker, graceMs: number, logger: Logger, labels: readonly string[] = []): Promise<number> {
  const listed = await docker.listVolumes({ filters: { label: ['faas.files=true', ...labels] } });
  const stale = (listed.Volumes ?? []).filter((v) => {
    const created = Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '');
    return Number.isFinite(created) && Date.now() - created > graceMs;
  });
  let removed = 0;
  for (const volume of stale) {
    await docker
      .getVolume(volume.Name)
      .remove()
      .then(() => removed++)
      .catch((err: unknown) => {
        if (dockerStatus(err) !== 409 && dockerStatus(err) !== 404) logger.warn({ err, volume: volume.Name }, 'file volume removal failed');
      });
  }
  if (removed > 0) logger.warn({ removed }, 'removed file volumes no run uses');
  return removed;
}
