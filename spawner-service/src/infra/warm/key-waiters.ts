import type { WarmContainer } from './warm-container.js';

type Hand = (container: WarmContainer | undefined) => void;

/** Runs waiting, first come first served, for a busy container of their key to come back. */
export class KeyWaiters {
  private readonly queues = new Map<string, Hand[]>();

  keys(): IterableIterator<string> {
    return this.queues.keys();
  }

  count(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** Resolves with a container handed over by `serve`, or undefined after `ms` or at `cancelAll`. */
  wait(key: string, ms: number): Promise<WarmContainer | undefined> {
    return new Promise((resolve) => {
      const queue = this.queues.get(key) ?? [];
      this.queues.set(key, queue);
      const hand: Hand = (container) => {
        clearTimeout(timer);
        resolve(container);
      };
      const timer = setTimeout(() => {
        this.drop(key, hand);
        resolve(undefined);
      }, ms);
      queue.push(hand);
    });
  }

  /** Hands the container to the key's first waiter; false when none waits. */
  serve(key: string, container: WarmContainer | undefined): boolean {
    const hand = this.queues.get(key)?.shift();
    if (this.queues.get(key)?.length === 0) this.queues.delete(key);
    if (!hand) return false;
    hand(container);
    return true;
  }

  cancelAll(): void {
    for (const key of [...this.queues.keys()]) while (this.serve(key, undefined));
  }

  private drop(key: string, hand: Hand): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    const at = queue.indexOf(hand);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(key);
  }
}
