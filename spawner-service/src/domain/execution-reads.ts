import type { ExecutionStore, Logger, StoredExecution } from '@faas/common';
import { authoritativeRequest, type FunctionSource, type Resolution } from './authoritative-request.js';
import type { IncomingExecution } from './execution-request.js';
import type { HeldLease, LeaseSettings } from './execution-lease.js';
import type { ResultPublisher } from './ports.js';
import type { Delivery, RunOutcome } from './run-execution.js';
import { isFinal } from './store-final.js';
import { takeLease } from './take-lease.js';

interface ReadPorts {
  readonly store: ExecutionStore;
  readonly functions: FunctionSource;
}

/** The two reads a delivery decides on, started together: each is a trip to a bucket's leader. */
export interface ExecutionReads {
  /** The execution's record: final means it ran already, and nothing runs again. */
  readonly stored: Promise<StoredExecution | undefined>;
  /** The function's definition: what runs (used only when the record is not final). */
  readonly resolving: Promise<Resolution>;
}

/**
 * Starts both reads at once, not one after the other. A read that fails is not an unhandled
 * rejection: its error is thrown where it is awaited, and a read never awaited (not needed, or
 * discarded) is dropped.
 */
export function startReads(ports: ReadPorts, message: IncomingExecution): ExecutionReads {
  const resolving = authoritativeRequest(ports.functions, message);
  const stored = ports.store.get(message.id);
  resolving.catch(() => undefined);
  stored.catch(() => undefined);
  return { stored, resolving };
}

/** A record already final is re-published (an earlier delivery ran it); undefined: not final, run it. */
export async function republishIfFinal(
  ports: { readonly logger: Logger; readonly results: ResultPublisher },
  stored: StoredExecution | undefined,
): Promise<RunOutcome | undefined> {
  if (!stored || !isFinal(stored.record)) return undefined;
  ports.logger.info({ executionId: stored.record.id, status: stored.record.status }, 'execution already final: result re-published');
  await ports.results.publish(stored.record);
  return { kind: 'done', record: stored.record, ran: false };
}

/** A lease taken (with the reads its run decides on), or why none was. */
export type LeaseAndReads =
  | { readonly kind: 'held'; readonly lease: HeldLease; readonly reads: ExecutionReads }
  | { readonly kind: 'ended' }
  | { readonly kind: 'handed-back' };

/**
 * Takes the execution's lease; the reads come after it, except on a first delivery whose lease
 * is created at once, where they went out with the create (one round trip less on the sync path).
 */
export async function takeLeaseAndRead(ports: ReadPorts & { readonly leases: LeaseSettings }, request: IncomingExecution, delivery: Delivery): Promise<LeaseAndReads> {
  // A read taken before the lease could miss the final record of an earlier run that ended in
  // between (it stores that record, then releases its lease) and start the function twice. An
  // earlier run exists only if the message was delivered before (attempt >= 2: the publisher's
  // retried publishes carry the same msg id and the stream drops them; a chained submit of an
  // existing id is refused). So reads start early only on attempt 1, and are used only if the
  // lease was created at once; a lease seen, a store fault or an ended wait drops them, and the
  // record is read after the lease, as on every later attempt.
  const early = delivery.attempt === 1 ? startReads(ports, request) : undefined;
  const isFinalNow = async (): Promise<boolean> => {
    const stored = await ports.store.get(request.id);
    return stored !== undefined && isFinal(stored.record);
  };
  const handedBack = delivery.handedBack ? { handedBack: delivery.handedBack } : {};
  const taking = await takeLease(ports.leases, request.id, { attempt: delivery.attempt, isFinal: isFinalNow, ...handedBack });
  if (taking.kind !== 'held') return taking;
  return { kind: 'held', lease: taking.lease, reads: early && taking.atOnce ? early : startReads(ports, request) };
}
