/**
 * The engine stamps StartedAt only once runc has started the process, so a function that exits
 * quicker than that shows FinishedAt a little before StartedAt: it ran for ~0 ms.
 */
const STAMP_SKEW_MS = 1_000;

/** The container's own run time from the engine's State timestamps; `fallbackMs` when they are missing or absurd. */
export function runMs(state: { StartedAt?: string; FinishedAt?: string }, fallbackMs: number): number {
  const started = Date.parse(state.StartedAt ?? '');
  const finished = Date.parse(state.FinishedAt ?? '');
  if (!Number.isFinite(started) || !Number.isFinite(finished)) return fallbackMs;
  if (finished >= started) return finished - started;
  return started - finished < STAMP_SKEW_MS ? 0 : fallbackMs;
}
