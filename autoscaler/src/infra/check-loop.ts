import type { Logger } from '@faas/common';
import type { AutoscaleCheck } from '../domain/autoscale-check.js';

export interface CheckLoop {
  /** No new check starts; resolves once the one in flight (if any) is done. */
  stop(): Promise<void>;
}

/** Runs a check now and then every intervalMs after the previous one ended (never two at once). */
export function startCheckLoop(check: AutoscaleCheck, intervalMs: number, logger: Logger): CheckLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  const run = (): void => {
    if (stopped) return;
    inFlight = check()
      .catch((err: unknown) => logger.error({ err }, 'autoscale check failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
