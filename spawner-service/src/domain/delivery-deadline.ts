import type { RunPhase } from './ports.js';

/** The delivery's one overall deadline passed before the runner finished; `phase` overran. */
export class DeadlineError extends Error {
  constructor(
    readonly phase: RunPhase,
    readonly deadlineMs: number,
  ) {
    super(`execution overran its overall deadline of ${deadlineMs / 1000} s in phase "${phase}"`);
  }
}

/**
 * Runs `work` and rejects with DeadlineError once `deadlineMs` pass, naming the phase the work
 * last reported. The engine call the work waits on cannot be cancelled; once it returns, the
 * work's next phase change throws (clean-up excepted), so a late run never starts its function,
 * and removes what it made. `onLate` hears how it ended.
 */
export function withinDeadline<T>(deadlineMs: number, work: (onPhase: (phase: RunPhase) => void) => Promise<T>, onLate: (result: unknown) => void): Promise<T> {
  let phase: RunPhase = 'image';
  let late = false;
  let timer: NodeJS.Timeout | undefined;
  const running = work((next) => {
    if (late && next !== 'cleanup') throw new DeadlineError(phase, deadlineMs);
    phase = next;
  });
  running.then(
    (value) => late && onLate(value),
    (err: unknown) => late && onLate(err),
  );
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new DeadlineError(phase, deadlineMs));
    }, deadlineMs);
  });
  return Promise.race([running, overrun]).finally(() => clearTimeout(timer));
}
