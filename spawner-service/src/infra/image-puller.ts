import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { ImagePullError } from '../domain/ports.js';
import { dockerMessage, dockerStatus, isEngineUnavailable, translateDockerError } from './docker-errors.js';

export interface ImagePuller {
  /** Resolves once the image is present locally; concurrent calls for one image share a pull. */
  ensure(image: string): Promise<void>;
}

/** Progress lines carry failures as `{ error }` with HTTP 200, so follow them to the end. */
function followPull(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : failure ? reject(new Error(failure)) : resolve()),
      (event: { error?: unknown }) => {
        if (typeof event.error === 'string') failure = event.error;
      },
    );
  });
}

export function createImagePuller(docker: Docker, logger: Logger): ImagePuller {
  const pulls = new Map<string, Promise<void>>();

  async function pull(image: string): Promise<void> {
    const started = Date.now();
    logger.info({ image }, 'pulling image');
    try {
      await followPull(docker, await docker.pull(image));
      logger.info({ image, durationMs: Date.now() - started }, 'image pulled');
    } catch (err) {
      if (isEngineUnavailable(err)) throw translateDockerError(err, `pull ${image}`);
      logger.warn({ image, reason: dockerMessage(err) }, 'image pull failed');
      throw new ImagePullError(image, dockerMessage(err), { cause: err });
    }
  }

  return {
    async ensure(image) {
      try {
        await docker.getImage(image).inspect();
        return;
      } catch (err) {
        if (dockerStatus(err) !== 404) throw translateDockerError(err, `inspect image ${image}`);
      }
      let shared = pulls.get(image);
      if (!shared) {
        shared = pull(image).finally(() => pulls.delete(image));
        pulls.set(image, shared);
      }
      await shared;
    },
  };
}
