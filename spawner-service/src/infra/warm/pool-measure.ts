import type { KeyDue } from './pool-victim.js';

/** Weight of the newest sample in each moving average: a few runs move it, one outlier does not. */
const ALPHA = 0.2;

const ewma = (old: number | undefined, sample: number): number => (old === undefined ? sample : old + ALPHA * (sample - old));

interface KeyFigures {
  /** Moving average of how long a run holds its container (ms): how soon a busy one comes back. */
  holdMs?: number;
  /** Moving average of the time between two requests of the key (ms). */
  gapMs?: number;
  lastRequest?: number;
  /** Containers of this key evicted for room and not yet paid for by a cold start. */
  evictedDebt: number;
}

/** Keys forgotten after this long without a request, so the map stays bounded by the live keys. */
const FORGET_AFTER_MS = 3_600_000;

/**
 * What the pool measures to decide: the cold start's cost, each key's run time (how soon a busy
 * container comes back) and request rate (how soon an idle one will be wanted).
 */
export class PoolMeasure {
  private coldMs: number | undefined;
  private readonly keys = new Map<string, KeyFigures>();

  private of(key: string): KeyFigures {
    let figures = this.keys.get(key);
    if (!figures) {
      figures = { evictedDebt: 0 };
      this.keys.set(key, figures);
    }
    return figures;
  }

  requested(key: string, now = Date.now()): void {
    const figures = this.of(key);
    if (figures.lastRequest !== undefined) figures.gapMs = ewma(figures.gapMs, now - figures.lastRequest);
    figures.lastRequest = now;
  }

  coldStarted(ms: number): void {
    this.coldMs = ewma(this.coldMs, ms);
  }

  held(key: string, ms: number): void {
    const figures = this.of(key);
    figures.holdMs = ewma(figures.holdMs, ms);
  }

  /**
   * How long waiting for one of the key's busy containers is worth, in ms: up to one cold start,
   * when the `turns`-th container to come back (each run holding one for the measured time) is
   * expected sooner than a cold start would take; 0 when either is unmeasured.
   */
  waitBudgetMs(key: string, turns: number): number {
    const hold = this.keys.get(key)?.holdMs;
    if (this.coldMs === undefined || hold === undefined || hold * turns >= this.coldMs) return 0;
    return this.coldMs;
  }

  /**
   * When the key is next expected to be asked for: its last request plus its usual gap; now, when a
   * little late; when silent past twice its gap, as far ahead as it has been silent (a key that went
   * quiet stays quiet a while); never, for a key asked for once.
   */
  nextUse(key: string, now = Date.now()): number {
    const figures = this.keys.get(key);
    if (figures?.lastRequest === undefined || figures.gapMs === undefined) return Number.POSITIVE_INFINITY;
    const silence = now - figures.lastRequest;
    if (silence > 2 * figures.gapMs) return now + silence;
    return Math.max(now, figures.lastRequest + figures.gapMs);
  }

  /** nextUse, with the figures it comes from (the victim choice breaks near-ties with them). */
  due(key: string, now = Date.now()): KeyDue {
    const figures = this.keys.get(key);
    return { next: this.nextUse(key, now), ...(figures?.lastRequest !== undefined ? { last: figures.lastRequest } : {}), ...(figures?.gapMs !== undefined ? { gap: figures.gapMs } : {}) };
  }

  /**
   * Whether the key is expected to be asked for again before a cold start would finish: evicting
   * its idle container now would cost a cold start sooner than one takes.
   */
  dueSoon(key: string, now = Date.now()): boolean {
    return this.coldMs !== undefined && this.nextUse(key, now) - now <= this.coldMs;
  }

  evictedForRoom(key: string): void {
    this.of(key).evictedDebt++;
  }

  /** Whether this cold start pays for an earlier eviction of the key's container. */
  coldBecauseEvicted(key: string): boolean {
    const figures = this.keys.get(key);
    if (!figures || figures.evictedDebt === 0) return false;
    figures.evictedDebt--;
    return true;
  }

  forgetStale(now = Date.now(), keep: (key: string) => boolean = () => false): void {
    for (const [key, figures] of this.keys) {
      if (!keep(key) && (figures.lastRequest ?? 0) < now - FORGET_AFTER_MS) this.keys.delete(key);
    }
  }
}
