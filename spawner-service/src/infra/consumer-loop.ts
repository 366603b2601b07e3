import type { Logger } from '@faas/common';
import type { Consumer, JsMsg } from 'nats';

export interface ConsumerLoopOptions {
  readonly consumer: Consumer;
  readonly maxContainers: number;
  /** How often a message in hand gets an in-progress ack (a fraction of the consumer's ack_wait). */
  readonly heartbeatMs: number;
  /** No in-progress ack after this long in hand: a handler stuck past every deadline lets the message go. */
  readonly heartbeatForMs: number;
  /** `handedBack` aborts when the shutdown grace ended: the message was nak'ed, store and ack nothing. */
  readonly handle: (msg: JsMsg, handedBack: AbortSignal) => Promise<void>;
  readonly onBusyChange: (busy: number) => void;
  readonly logger: Logger;
}

export interface ConsumerLoop {
  busy(): number;
  /**
   * Stops fetching (the open pull runs out, up to 2 s, handing back what reaches it); resolves
   * true when every message in hand was handled, or false after
   * `graceMs`: the messages still in hand are then handed back (nak) for another spawner.
   */
  stop(graceMs: number): Promise<boolean>;
}

/** Short: stopping waits for the open pull to run out (cutting it short can lose what is in flight). */
const FETCH_EXPIRES_MS = 2_000;
const FETCH_RETRY_MS = 1_000;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Back-pressure, not a local queue: asks the shared durable consumer for exactly as many
 * messages as there are free slots, and for none while every slot is busy.
 */
export function startConsumerLoop(options: ConsumerLoopOptions): ConsumerLoop {
  const { maxContainers, logger } = options;
  const inFlight = new Set<Promise<void>>();
  const handBack = new Map<Promise<void>, () => void>();
  let stopping = false;
  let pulling = false;
  let slotFreed: () => void = () => undefined;

  function dispatch(msg: JsMsg): void {
    const until = Date.now() + options.heartbeatForMs;
    const heartbeat = setInterval(() => {
      if (Date.now() < until) msg.working();
      else clearInterval(heartbeat);
    }, options.heartbeatMs);
    const handedBack = new AbortController();
    const task = options
      .handle(msg, handedBack.signal)
      .catch((err: unknown) => logger.error({ err }, 'message handler failed'))
      .finally(() => {
        clearInterval(heartbeat);
        inFlight.delete(task);
        handBack.delete(task);
        options.onBusyChange(inFlight.size);
        slotFreed();
      });
    inFlight.add(task);
    handBack.set(task, () => {
      clearInterval(heartbeat);
      handedBack.abort();
      // Not straight back into this spawner's own pull, if one is still open.
      msg.nak(pulling ? FETCH_EXPIRES_MS : undefined);
    });
    options.onBusyChange(inFlight.size);
  }

  /**
   * A fetch is never cut short: the server may already have sent messages to it, and those would
   * be dropped by the client and wait out ack_wait. Once stopping, what arrives is held until the
   * pull ends (FETCH_EXPIRES_MS at most), then handed back (nak): a nak while the pull is open
   * would bring the message straight back to it.
   */
  async function fetchOnce(free: number): Promise<void> {
    const batch = await options.consumer.fetch({ max_messages: free, expires: FETCH_EXPIRES_MS });
    const held: JsMsg[] = [];
    pulling = true;
    try {
      for await (const msg of batch) {
        if (stopping) held.push(msg);
        else dispatch(msg);
      }
    } finally {
      pulling = false;
      for (const msg of held) msg.nak();
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const free = maxContainers - inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      try {
        await fetchOnce(free);
      } catch (err) {
        if (stopping) break;
        logger.warn({ err }, 'fetch from the executions consumer failed; retrying');
        await delay(FETCH_RETRY_MS);
      }
    }
  }

  const running = loop();
  logger.info({ maxContainers }, 'consuming executions');

  return {
    busy: () => inFlight.size,
    async stop(graceMs) {
      stopping = true;
      slotFreed();
      // Nothing is dispatched once stopping: the grace runs from now, while the open pull runs out.
      const settled = Promise.all([...inFlight]).then(() => true);
      const allDone = await Promise.race([settled, delay(graceMs).then(() => false)]);
      if (!allDone) {
        logger.warn({ handedBack: handBack.size }, 'grace period over: executions in hand handed back to the queue');
        for (const giveBack of handBack.values()) giveBack();
      }
      await running;
      return allDone;
    },
  };
}
