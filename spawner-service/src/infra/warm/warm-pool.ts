import { KeyWaiters } from './key-waiters.js';
import { PoolMeasure } from './pool-measure.js';
import { pickVictim } from './pool-victim.js';
import type { PoolEntryTags, WarmPoolOptions } from './pool-types.js';
import type { WarmContainer } from './warm-container.js';

interface Entry {
  readonly key: string;
  readonly tags: PoolEntryTags;
  readonly since: number;
}

/**
 * Warm containers by key: idle ones, and the busy ones runs hold. A run takes an idle one of its
 * key, or waits for a busy one when that is measured to be cheaper than a cold start and the pool
 * is full, or starts one. Never shared by two runs nor beyond its key. Policy: docs/warm-execution.md.
 */
export class WarmPool {
  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly idle = new Map<WarmContainer, Entry>();
  private readonly busy = new Map<WarmContainer, Entry>();
  private readonly disposing = new Set<Promise<void>>();
  private readonly waiters = new KeyWaiters();
  private readonly measure = new PoolMeasure();
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  get idleCount(): number {
    return this.idle.size;
  }

  /** A container for one run of the key: `hit` when it ran before. `decided` hears which, before any start. */
  async acquire(key: string, tags: PoolEntryTags, start: () => Promise<WarmContainer>, decided: (hit: boolean) => void): Promise<{ container: WarmContainer; hit: boolean }> {
    this.measure.requested(key);
    const reused = this.take(key) ?? (await this.waitFor(key));
    decided(reused !== undefined);
    const container = reused ?? (await this.startCold(key, start));
    this.busy.set(container, { key, tags, since: Date.now() });
    return { container, hit: reused !== undefined };
  }

  /** A run's container back, clean: to a run waiting for its key, else idle (evicting past the cap). */
  give(key: string, tags: PoolEntryTags, container: WarmContainer): void {
    const held = this.busy.get(container);
    this.busy.delete(container);
    if (held) this.measure.held(key, Date.now() - held.since);
    if (this.closed || container.lost || this.options.maxIdle === 0) {
      this.waiters.serve(key, undefined);
      this.discard(container);
      return;
    }
    if (this.waiters.serve(key, container)) return;
    this.idle.set(container, { key, tags, since: Date.now() });
    while (this.idle.size > this.options.maxIdle) this.evictForRoom();
  }

  /** Removes in the background; close() waits for it. A run waiting for that key starts its own. */
  discard(container: WarmContainer): void {
    const held = this.busy.get(container);
    if (held && this.busy.delete(container)) this.waiters.serve(held.key, undefined);
    const task = container.dispose().finally(() => this.disposing.delete(task));
    this.disposing.add(task);
  }

  /** Idle past idleMs, or lost (the container died while idle). */
  sweep(now = Date.now()): void {
    for (const [container, entry] of this.idle) {
      if (container.lost) this.remove(container, 'ended while idle');
      else if (now - entry.since > this.options.idleMs) this.remove(container, 'idle timeout');
    }
    const live = new Set([...this.idle.values(), ...this.busy.values()].map((e) => e.key));
    this.measure.forgetStale(now, (key) => live.has(key));
  }

  /** Removes the idle containers the predicate picks (a function updated or deleted). */
  evict(pick: (tags: PoolEntryTags) => boolean, reason: string): void {
    for (const [container, entry] of this.idle) if (pick(entry.tags)) this.remove(container, reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.cancelAll();
    for (const container of [...this.idle.keys()]) this.remove(container, 'spawner stopping');
    await Promise.all([...this.disposing]);
  }

  /** The most recently used idle container of that key, if any. */
  private take(key: string): WarmContainer | undefined {
    let found: WarmContainer | undefined;
    for (const [container, entry] of this.idle) if (entry.key === key && !container.lost) found = container;
    if (found) this.idle.delete(found);
    return found;
  }

  /**
   * Waits for one of the key's busy containers only when the pool is full of containers runs want
   * now, the key already holds its fair share (the cap over the keys runs want now), and the wait is
   * measured cheaper than a cold start.
   */
  private async waitFor(key: string): Promise<WarmContainer | undefined> {
    const busy = this.countOf(this.busy, key);
    if (busy === 0 || this.closed) return undefined;
    const active = this.activeKeys(key);
    // Idle containers of keys no run wants now do not fill the pool: starting one evicts them.
    let held = this.busy.size;
    for (const entry of this.idle.values()) if (active.has(entry.key)) held++;
    if (held < this.options.maxIdle || busy < Math.max(1, Math.floor(this.options.maxIdle / active.size))) return undefined;
    const budget = this.measure.waitBudgetMs(key, Math.ceil((this.waiters.count(key) + 1) / busy));
    if (budget === 0) return undefined;
    const container = await this.waiters.wait(key, budget);
    this.options.events?.waited?.(container !== undefined);
    return container;
  }

  private async startCold(key: string, start: () => Promise<WarmContainer>): Promise<WarmContainer> {
    const startedAt = Date.now();
    const container = await start();
    this.measure.coldStarted(Date.now() - startedAt);
    this.options.events?.coldStarted?.(this.measure.coldBecauseEvicted(key));
    return container;
  }

  /**
   * The keys runs want now (running, waiting, or asking) and the idle ones due back before a cold
   * start would finish (a closed-loop client between two runs): the pool's fair share is among them.
   */
  private activeKeys(key: string): Set<string> {
    const now = Date.now();
    const due = [...this.idle.values()].filter((e) => this.measure.dueSoon(e.key, now)).map((e) => e.key);
    return new Set([key, ...this.waiters.keys(), ...[...this.busy.values()].map((e) => e.key), ...due]);
  }

  private evictForRoom(): void {
    const now = Date.now();
    const victim = pickVictim(this.idle, this.options.maxIdle, (key) => this.measure.due(key, now));
    if (!victim) return;
    this.measure.evictedForRoom(victim[1]);
    this.options.events?.evicted?.();
    this.remove(victim[0], 'room for another run');
  }

  private countOf(map: Map<WarmContainer, Entry>, key: string): number {
    let n = 0;
    for (const entry of map.values()) if (entry.key === key) n++;
    return n;
  }

  private remove(container: WarmContainer, reason: string): void {
    const entry = this.idle.get(container);
    this.idle.delete(container);
    this.options.logger.debug({ containerId: container.container.id.slice(0, 12), function: entry?.tags.functionName, reason }, 'warm container removed');
    this.discard(container);
  }
}
