import type Docker from 'dockerode';

export interface PullCaps {
  /** A pull is abandoned after this long. */
  readonly timeoutMs: number;
  /** ... or once its layers add up to more than this many bytes. */
  readonly maxBytes: number;
}

/** A pull went past one of its caps; the message is safe to show the user. */
export class PullCapError extends Error {}

interface Progress {
  readonly id?: string;
  readonly error?: unknown;
  readonly progressDetail?: { readonly total?: unknown };
}

/**
 * Pulls, following the progress lines to the end (they carry failures as `{ error }` with HTTP
 * 200), and abandons the pull past the time or size cap, waiting for headers included: aborting
 * ends the request, and the engine cancels a pull whose client went away.
 */
export async function pullWithCaps(docker: Docker, image: string, caps: PullCaps): Promise<void> {
  const abort = new AbortController();
  let capped: PullCapError | undefined;
  const stop = (reason: string): void => {
    capped ??= new PullCapError(reason);
    abort.abort(capped);
  };
  const timer = setTimeout(() => stop(`the pull took longer than ${caps.timeoutMs / 1000} s`), caps.timeoutMs);
  try {
    const stream = await docker.pull(image, { abortSignal: abort.signal });
    await follow(docker, stream, caps, stop, abort.signal);
  } catch (err) {
    throw capped ?? err;
  } finally {
    clearTimeout(timer);
  }
}

function follow(docker: Docker, stream: NodeJS.ReadableStream, caps: PullCaps, stop: (reason: string) => void, aborted: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const layers = new Map<string, number>();
    const onAbort = (): void => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(aborted.reason as Error);
    };
    aborted.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err) => {
        aborted.removeEventListener('abort', onAbort);
        if (err) reject(err as Error);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (event: Progress) => {
        if (typeof event.error === 'string') failure = event.error;
        const total = event.progressDetail?.total;
        if (typeof event.id !== 'string' || typeof total !== 'number') return;
        layers.set(event.id, total);
        const bytes = [...layers.values()].reduce((a, b) => a + b, 0);
        if (bytes > caps.maxBytes) stop(`the image is larger than ${Math.floor(caps.maxBytes / 1024 / 1024)} MiB`);
      },
    );
  });
}
