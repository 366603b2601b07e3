import { AppError, UnavailableError, type Logger, type TriggerDefinition } from '@faas/common';
import { AlreadySubmittedError } from '../executions/executions.js';

/**
 * Starts one execution per trigger (each with an id that is a function of the event and the
 * trigger, created only if absent). An execution that exists already, or a refusal (the target or
 * the owner gone, the quota), is final; rejects with the first passing failure, so the event is
 * delivered again and only what did not start then starts.
 */
export async function fireEach<T extends TriggerDefinition>(
  triggers: readonly T[],
  start: (trigger: T) => Promise<unknown>,
  log: { logger: Logger; about: Record<string, unknown> },
): Promise<void> {
  const failures = await Promise.all(
    triggers.map(async (t) => {
      try {
        await start(t);
        return undefined;
      } catch (err) {
        if (err instanceof AlreadySubmittedError) return undefined;
        log.logger.warn({ err, trigger: t.id, ...log.about }, 'triggered execution not started');
        return err instanceof AppError && !(err instanceof UnavailableError) ? undefined : err;
      }
    }),
  );
  const passing = failures.find((e) => e !== undefined);
  if (passing) throw passing;
}
