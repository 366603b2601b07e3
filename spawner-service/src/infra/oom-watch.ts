import type Docker from 'dockerode';

/** SIGKILL's exit code: what an OOM kill looks like. */
const KILLED_EXIT_CODE = 137;
const SETTLE_MS = 1_000;
const POLL_MS = 50;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export interface OomWatch {
  /** The final inspect, and whether the container was killed for memory. */
  settle(timedOut: boolean): Promise<{ info: Docker.ContainerInspectInfo; oomKilled: boolean }>;
  stop(): void;
}

/**
 * Docker 20.10 keeps State.OOMKilled only when the OOM event reaches it before the exit event;
 * under load it sometimes comes after, and the flag stays false for good (the proof suite saw a
 * memory hog's record say "exited with code 137"). The engine still emits its `oom` event, so
 * the runner listens for it from before the start. An `oom` event counts only with exit 137: a
 * function whose child was OOM-killed but which then exited by itself was not killed.
 */
export async function watchOom(docker: Docker, container: Docker.Container): Promise<OomWatch> {
  let seen = false;
  let stream: NodeJS.ReadableStream | undefined;
  try {
    stream = await docker.getEvents({ filters: { container: [container.id], event: ['oom'] } });
    stream.on('data', () => (seen = true));
    stream.on('error', () => undefined);
  } catch {
    // No event stream: the engine's flag alone decides, as before.
  }
  return {
    async settle(timedOut) {
      let info = await container.inspect();
      const deadline = Date.now() + SETTLE_MS;
      const killed = (): boolean => !timedOut && info.State.ExitCode === KILLED_EXIT_CODE;
      while (killed() && !info.State.OOMKilled && !seen && Date.now() < deadline) {
        await delay(POLL_MS);
        info = await container.inspect();
      }
      return { info, oomKilled: info.State.OOMKilled || (seen && killed()) };
    },
    stop() {
      (stream as { destroy?: () => void } | undefined)?.destroy?.();
    },
  };
}
