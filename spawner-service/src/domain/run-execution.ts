import {
  ConflictError,
  UnavailableError,
  type ExecutionRecord,
  type ExecutionStore,
  type Logger,
} from '@faas/common';
import type { IncomingExecution } from './execution-request.js';
import { resolveLimits, type LimitPolicy } from './limits.js';
import type { ContainerRunner, ResultPublisher, SecretResolver } from './ports.js';
import { fitRecord } from './record-size.js';
import { isFinal, storeFinal } from './store-final.js';
import { errorRecord, finishedRecord, queuedRecordFor, runningRecord } from './records.js';

export interface RunExecutionPorts {
  readonly store: ExecutionStore;
  readonly runner: ContainerRunner;
  readonly results: ResultPublisher;
  /** Absent when this spawner has no SECRETS_KEY_FILE: executions that need secrets end as `error`. */
  readonly secrets?: SecretResolver;
  readonly policy: LimitPolicy;
  readonly spawnerId: string;
  /** The largest record the store and the result subject carry (NATS max_payload less headroom). */
  readonly maxRecordBytes: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface Delivery {
  /** 1 on the first delivery of the message. */
  readonly attempt: number;
  /** No redelivery will follow this one (the consumer's max_deliver). */
  readonly lastAttempt: boolean;
}

/**
 * `done`: the record is final and published, ack (`ran`: by this delivery, not an earlier one).
 * `retry`: a passing fault, nak with a delay.
 */
export type RunOutcome =
  | { readonly kind: 'done'; readonly record: ExecutionRecord; readonly ran: boolean }
  | { readonly kind: 'retry'; readonly reason: string };

const WRITE_ATTEMPTS = 5;

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs one delivery of an execution: marks it running, runs the container, stores the final
 * record unless another attempt already did, and publishes it. Store faults propagate.
 */
export async function runExecution(ports: RunExecutionPorts, request: IncomingExecution, delivery: Delivery): Promise<RunOutcome> {
  const now = ports.now ?? (() => new Date());
  const marked = await markRunning(ports, request, delivery.attempt, now);
  if (marked.kind === 'final') {
    ports.logger.info({ executionId: request.id, status: marked.record.status }, 'execution already final: result re-published');
    await ports.results.publish(marked.record);
    return { kind: 'done', record: marked.record, ran: false };
  }
  const limits = resolveLimits(request.limits, ports.policy);
  let final: ExecutionRecord;
  try {
    const runEnv = await secretsFor(ports, request);
    const outcome = await ports.runner.run({
      executionId: request.id,
      userId: request.userId,
      functionName: request.function,
      image: request.image,
      argument: request.argument,
      env: request.env,
      limits,
      ...(runEnv ? { runEnv } : {}),
      ...(request.revision !== undefined ? { revision: request.revision } : {}),
      ...(request.warm !== undefined ? { warm: request.warm } : {}),
    });
    final = fitRecord(finishedRecord(marked.record, outcome, limits, now()), ports.maxRecordBytes);
  } catch (err) {
    if (err instanceof UnavailableError && !delivery.lastAttempt) return { kind: 'retry', reason: err.message };
    const reason = err instanceof UnavailableError ? `${err.message} (gave up after attempt ${delivery.attempt})` : reasonOf(err);
    final = errorRecord(marked.record, reason, now());
  }
  const stored = await storeFinal(ports.store, final, marked.revision);
  await ports.results.publish(stored);
  return { kind: 'done', record: stored, ran: stored === final };
}

/** The run's secrets; their values go to the runner only, never into a record or a log line. */
async function secretsFor(ports: RunExecutionPorts, request: IncomingExecution): Promise<Readonly<Record<string, string>> | undefined> {
  if (request.secrets.length === 0) return undefined;
  if (!ports.secrets) throw new Error('this function uses secrets, but the spawner has no SECRETS_KEY_FILE');
  return ports.secrets.resolve(request.userId, request.secrets);
}

type Marked = { kind: 'final'; record: ExecutionRecord } | { kind: 'running'; record: ExecutionRecord; revision: number };

async function markRunning(ports: RunExecutionPorts, request: IncomingExecution, attempt: number, now: () => Date): Promise<Marked> {
  for (let i = 0; i < WRITE_ATTEMPTS; i++) {
    const stored = await ports.store.get(request.id);
    if (stored && isFinal(stored.record)) return { kind: 'final', record: stored.record };
    const record = runningRecord(stored?.record ?? queuedRecordFor(request, now()), attempt, ports.spawnerId, now());
    try {
      const revision = stored ? await ports.store.update(record, stored.revision) : await ports.store.create(record);
      return { kind: 'running', record, revision };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new UnavailableError(`execution ${request.id} kept changing while being marked running`);
}
