import type { Logger } from '@faas/common';
import type { WarmContainer } from './warm-container.js';

export interface WarmPoolOptions {
  /** Idle containers kept at most (this spawner); the least recently used goes first. */
  readonly maxIdle: number;
  /** An idle container unused this long is removed. */
  readonly idleMs: number;
  readonly logger: Logger;
}

export interface PoolEntryTags {
  readonly userId: string;
  readonly functionName: string;
  readonly revision: number | undefined;
}

interface Idle {
  readonly key: string;
  readonly tags: PoolEntryTags;
  readonly since: number;
}

/**
 * Idle warm containers by key. A container is in the pool only while idle: a run takes it out
 * and gives it back, so it is never shared by two runs nor beyond its key.
 */
export class WarmPool {
  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly idle = new Map<WarmContainer, Idle>();
  private readonly disposing = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  get idleCount(): number {
    return this.idle.size;
  }

  /** The most recently used idle container of that key, if any. */
  take(key: string): WarmContainer | undefined {
    let found: WarmContainer | undefined;
    for (const [container, entry] of this.idle) if (entry.key === key && !container.lost) found = container;
    if (found) this.idle.delete(found);
    return found;
  }

  give(key: string, tags: PoolEntryTags, container: WarmContainer): void {
    if (this.closed || container.lost || this.options.maxIdle === 0) {
      this.discard(container);
      return;
    }
    this.idle.set(container, { key, tags, since: Date.now() });
    for (const [oldest] of this.idle) {
      if (this.idle.size <= this.options.maxIdle) break;
      this.remove(oldest, 'least recently used');
    }
  }

  /** Removes in the background; close() waits for it. */
  discard(container: WarmContainer): void {
    const task = container.dispose().finally(() => this.disposing.delete(task));
    this.disposing.add(task);
  }

  /** Idle past idleMs, or lost (the container died while idle). */
  sweep(now = Date.now()): void {
    for (const [container, entry] of this.idle) {
      if (container.lost) this.remove(container, 'ended while idle');
      else if (now - entry.since > this.options.idleMs) this.remove(container, 'idle timeout');
    }
  }

  /** Removes the idle containers the predicate picks (a function updated or deleted). */
  evict(pick: (tags: PoolEntryTags) => boolean, reason: string): void {
    for (const [container, entry] of this.idle) if (pick(entry.tags)) this.remove(container, reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const container of [...this.idle.keys()]) this.remove(container, 'spawner stopping');
    await Promise.all([...this.disposing]);
  }

  private remove(container: WarmContainer, reason: string): void {
    const entry = this.idle.get(container);
    this.idle.delete(container);
    this.options.logger.debug({ containerId: container.container.id.slice(0, 12), function: entry?.tags.functionName, reason }, 'warm container removed');
    this.discard(container);
  }
}
