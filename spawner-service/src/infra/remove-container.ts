import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { dockerStatus } from './docker-errors.js';

/** Force-removes a container and its anonymous volumes; gone already, or being removed, is fine. */
export async function removeContainer(container: Docker.Container, logger: Logger, executionId: string): Promise<void> {
  // v: anonymous volumes go with the container (none should exist: declared ones are masked).
  await container.remove({ force: true, v: true }).catch((err: unknown) => {
    // 404: gone already; 409: another removal of it is under way.
    if (dockerStatus(err) !== 404 && dockerStatus(err) !== 409) logger.error({ err, executionId, containerId: container.id }, 'container removal failed');
  });
}
