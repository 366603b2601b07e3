import type { Logger } from '@faas/common';

/** What the pool decided, for metrics. */
export interface PoolEvents {
  /** An idle container removed to make room (the pool was over `maxIdle`). */
  evicted(): void;
  /** A container started for a run; `afterEviction`: its key had one evicted for room before. */
  coldStarted(afterEviction: boolean): void;
  /** A run waited for one of its key's busy containers: `served`, or it started one after the wait. */
  waited(served: boolean): void;
}

export interface WarmPoolOptions {
  /** Idle containers kept at most (this spawner); past it, runs of a key at its share wait. */
  readonly maxIdle: number;
  /** An idle container unused this long is removed. */
  readonly idleMs: number;
  readonly logger: Logger;
  readonly events?: Partial<PoolEvents>;
}

export interface PoolEntryTags {
  readonly userId: string;
  readonly functionName: string;
  readonly revision: number | undefined;
}
