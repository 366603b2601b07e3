import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { ImagePullError } from '../domain/ports.js';
import { dockerMessage, dockerStatus, isEngineUnavailable, translateDockerError } from './docker-errors.js';

/** What the runners need to know of an image before they create a container from it. */
export interface ImageFacts {
  /** The image's own entrypoint (empty: the argument is the command). */
  readonly entrypoint: readonly string[];
  /** Paths the image declares as `VOLUME`: each is masked with a bounded tmpfs. */
  readonly volumes: readonly string[];
}

export interface ImagePuller {
  /** Resolves once the image is present locally; concurrent calls for one image share a pull. */
  ensure(image: string): Promise<void>;
  /** One inspect (after a pull when the engine lacks the image): entrypoint and declared volumes. */
  facts(image: string): Promise<ImageFacts>;
}

function factsOf(info: Docker.ImageInspectInfo): ImageFacts {
  const entrypoint: unknown = info.Config.Entrypoint;
  const volumes: unknown = info.Config.Volumes;
  return {
    entrypoint: typeof entrypoint === 'string' ? [entrypoint] : Array.isArray(entrypoint) ? entrypoint.map(String) : [],
    volumes: volumes && typeof volumes === 'object' ? Object.keys(volumes).filter((path) => path.startsWith('/')) : [],
  };
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

  async function inspect(image: string): Promise<Docker.ImageInspectInfo> {
    return docker
      .getImage(image)
      .inspect()
      .catch((err: unknown) => Promise.reject(translateDockerError(err, `inspect image ${image}`)));
  }

  const puller: ImagePuller = {
    async facts(image) {
      try {
        return factsOf(await docker.getImage(image).inspect());
      } catch (err) {
        if (dockerStatus(err) !== 404) throw translateDockerError(err, `inspect image ${image}`);
      }
      await puller.ensure(image);
      return factsOf(await inspect(image));
    },
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
  return puller;
}
