import type Docker from 'dockerode';
import { BUCKETS, type Logger } from '@faas/common';
import { KvWatchInclude, type NatsConnection } from 'nats';
import { dockerStatus } from './docker-errors.js';

export interface ImageGcOptions {
  readonly docker: Docker;
  readonly nc: NatsConnection;
  /** Images this spawner pulled: the only ones it ever removes (never a local build or the platform's own). */
  readonly pulled: () => readonly string[];
  readonly forget: (image: string) => void;
  readonly intervalMs: number;
  /** Removals per sweep at most, so a sweep stays short. */
  readonly maxPerSweep: number;
  readonly logger: Logger;
}

export interface ImageGc {
  /** One sweep now; resolves to the images removed. */
  sweep(): Promise<string[]>;
  stop(): void;
}

/**
 * The image of every function in the registry's `functions` bucket (binds only: the registry
 * creates it). Read through a watch (a consumer the stream's leader serves), not key by key: a
 * direct get may be answered by a replica a moment behind, and an image it misses would be removed.
 */
async function referencedImages(nc: NatsConnection): Promise<Set<string>> {
  const kv = await nc.jetstream().views.kv(BUCKETS.functions, { bindOnly: true });
  const byKey = new Map<string, string>();
  let done: () => void = () => undefined;
  const initialized = new Promise<void>((resolve) => (done = resolve));
  const watch = await kv.watch({ include: KvWatchInclude.LastValue, initializedFn: () => done() });
  void initialized.then(() => watch.stop());
  // Should the initial replay never report its end, a sweep still ends (and keeps everything).
  let timedOut = false;
  const guard = setTimeout(() => {
    timedOut = true;
    watch.stop();
  }, 10_000);
  guard.unref();
  for await (const entry of watch) {
    byKey.delete(entry.key);
    if (entry.operation !== 'PUT') continue;
    try {
      const image = entry.json<{ image?: unknown }>().image;
      if (typeof image === 'string') byKey.set(entry.key, image);
    } catch {
      // not a function definition
    }
  }
  clearTimeout(guard);
  if (timedOut) throw new Error('the functions bucket did not replay within 10 s');
  return new Set(byKey.values());
}

/**
 * Removes function images no function references any more, among those this spawner pulled. An
 * image a container still uses (a warm one, a run) is refused by the engine (409) and kept for a
 * later sweep; without the functions bucket nothing is removed.
 */
export function startImageGc(options: ImageGcOptions): ImageGc {
  const { docker, logger } = options;
  async function sweep(): Promise<string[]> {
    const candidates = options.pulled();
    if (candidates.length === 0) return [];
    const referenced = await referencedImages(options.nc);
    const removed: string[] = [];
    for (const image of candidates.filter((i) => !referenced.has(i)).slice(0, options.maxPerSweep)) {
      try {
        await docker.getImage(image).remove();
        removed.push(image);
        options.forget(image);
      } catch (err) {
        if (dockerStatus(err) === 404) options.forget(image);
        else if (dockerStatus(err) !== 409) logger.warn({ err, image }, 'image removal failed');
      }
    }
    if (removed.length > 0) logger.info({ removed }, 'removed pulled images no function references');
    return removed;
  }
  const timer = setInterval(() => void sweep().catch((err: unknown) => logger.debug({ err }, 'image sweep skipped')), options.intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
