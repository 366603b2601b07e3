import { lookup } from 'node:dns/promises';
import type Docker from 'dockerode';
import { isNonPublicAddress, nonPublicRegistryProblem, registryHostOf, type Logger } from '@faas/common';
import { ImagePullError } from '../domain/ports.js';
import { dockerMessage, dockerStatus, isEngineUnavailable, translateDockerError } from './docker-errors.js';
import { PullCapError, pullWithCaps, type PullCaps } from './pull-stream.js';

/** What the runners need to know of an image before they create a container from it. */
export interface ImageFacts {
  /** The image's own entrypoint (empty: the argument is the command). */
  readonly entrypoint: readonly string[];
  /** The image's CMD: what a process-mode function's entrypoint is started with. */
  readonly cmd: readonly string[];
  /** Paths the image declares as `VOLUME`: each is masked with a bounded tmpfs. */
  readonly volumes: readonly string[];
}

export interface ImagePolicy extends PullCaps {
  /** Registries on loopback, private, link-local or single-label hosts may be pulled from. */
  readonly allowPrivateRegistries: boolean;
  /**
   * An image already on the engine runs without a pull (as `docker run` does). Off: each user's
   * first run of an image (again after PULL_FOR_USER_MS) pulls it, so nobody runs an image no
   * registry gives them, such as another user's private image left on the engine.
   */
  readonly localImages: boolean;
}

/** With localImages off, a user's successful pull of an image counts this long. */
const PULL_FOR_USER_MS = 10 * 60_000;

export interface ImagePuller {
  /** Resolves once the image is present locally; concurrent calls for one image share a pull. */
  ensure(image: string): Promise<void>;
  /** One inspect (after a pull when the engine lacks the image, or for this user, see localImages). */
  facts(image: string, userId: string): Promise<ImageFacts>;
  /** Images this puller pulled (and not forgotten since): what the image GC may remove. */
  pulled(): readonly string[];
  forget(image: string): void;
}

/** What a user is told of a failed pull: never the daemon's text (a probe of the host's network). */
const GENERIC_REASON = 'it does not exist, is not public, or its registry did not answer';

export const DEFAULT_IMAGE_POLICY: ImagePolicy = Object.freeze({ timeoutMs: 300_000, maxBytes: 4096 * 1024 * 1024, allowPrivateRegistries: false, localImages: true });

function factsOf(info: Docker.ImageInspectInfo): ImageFacts {
  const entrypoint: unknown = info.Config.Entrypoint;
  const cmd: unknown = info.Config.Cmd;
  const volumes: unknown = info.Config.Volumes;
  return {
    entrypoint: typeof entrypoint === 'string' ? [entrypoint] : Array.isArray(entrypoint) ? entrypoint.map(String) : [],
    cmd: typeof cmd === 'string' ? [cmd] : Array.isArray(cmd) ? cmd.map(String) : [],
    volumes: volumes && typeof volumes === 'object' ? Object.keys(volumes).filter((path) => path.startsWith('/')) : [],
  };
}

/**
 * Why the registry an image names is refused, checked before every pull (messages may predate
 * the registry's own check): its name, then every address it resolves to now.
 */
async function refusedRegistry(image: string): Promise<string | undefined> {
  const named = nonPublicRegistryProblem(image);
  if (named) return named;
  const host = registryHostOf(image);
  if (host === undefined) return undefined;
  const addresses = await lookup(host, { all: true }).catch(() => []);
  const inside = addresses.find((a) => isNonPublicAddress(a.address));
  return inside ? `registry host ${host} resolves to ${inside.address}, not a public address` : undefined;
}

export function createImagePuller(docker: Docker, logger: Logger, policy: ImagePolicy = DEFAULT_IMAGE_POLICY): ImagePuller {
  const pulls = new Map<string, Promise<void>>();
  const pulled = new Set<string>();
  const pulledFor = new Map<string, number>();

  function sharedPull(image: string): Promise<void> {
    let shared = pulls.get(image);
    if (!shared) {
      shared = pull(image).finally(() => pulls.delete(image));
      pulls.set(image, shared);
    }
    return shared;
  }

  /** localImages off: pulls once per user and image (per PULL_FOR_USER_MS), present or not. */
  async function pullForUser(image: string, userId: string): Promise<void> {
    const key = JSON.stringify([userId, image]);
    if ((pulledFor.get(key) ?? 0) > Date.now() - PULL_FOR_USER_MS) return;
    await sharedPull(image);
    if (pulledFor.size >= 10_000) pulledFor.clear(); // a bound, not a cache policy: the cost is a re-pull
    pulledFor.set(key, Date.now());
  }

  async function pull(image: string): Promise<void> {
    const refused = policy.allowPrivateRegistries ? undefined : await refusedRegistry(image);
    if (refused) {
      logger.warn({ image, reason: refused }, 'image pull refused: registry host not allowed (ALLOW_PRIVATE_REGISTRIES)');
      throw new ImagePullError(image, 'its registry host is not allowed');
    }
    const started = Date.now();
    logger.info({ image }, 'pulling image');
    try {
      await pullWithCaps(docker, image, policy);
      pulled.add(image);
      logger.info({ image, durationMs: Date.now() - started }, 'image pulled');
    } catch (err) {
      if (isEngineUnavailable(err)) throw translateDockerError(err, `pull ${image}`);
      logger.warn({ image, reason: dockerMessage(err), durationMs: Date.now() - started }, 'image pull failed');
      throw new ImagePullError(image, err instanceof PullCapError ? err.message : GENERIC_REASON, { cause: err });
    }
  }

  async function inspect(image: string): Promise<Docker.ImageInspectInfo> {
    return docker
      .getImage(image)
      .inspect()
      .catch((err: unknown) => Promise.reject(translateDockerError(err, `inspect image ${image}`)));
  }

  const puller: ImagePuller = {
    pulled: () => [...pulled],
    forget: (image) => void pulled.delete(image),
    async facts(image, userId) {
      if (!policy.localImages) await pullForUser(image, userId);
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
      await sharedPull(image);
    },
  };
  return puller;
}
