import {
  ConflictError,
  UnavailableError,
  type ExecutionRecord,
  type ExecutionStore,
  type Logger,
} from '@faas/common';
import type { IncomingExecution } from './execution-request.js';
import { InputError, jobFiles, wantsFiles, type FileLimits } from './job-files.js';
import { resolveLimits, type LimitPolicy } from './limits.js';
import type { ContainerRunner, JobFiles, ObjectFiles, ResultPublisher } from './ports.js';
import { fitRecord } from './record-size.js';
import { isFinal, storeFinal } from './store-final.js';
import { errorRecord, finishedRecord, queuedRecordFor, runningRecord } from './records.js';

export interface RunExecutionPorts {
  readonly store: ExecutionStore;
  readonly runner: ContainerRunner;
  readonly results: ResultPublisher;
  readonly policy: LimitPolicy;
  readonly spawnerId: string;
  /** The largest record the store and the result subject carry (NATS max_payload less headroom). */
  readonly maxRecordBytes: number;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Inputs and outputs; absent: executions with files end as `error`. */
  readonly files?: { readonly objects: ObjectFiles; readonly limits: FileLimits };
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
    const files = await filesOf(ports, request);
    const outcome = await ports.runner.run({
      executionId: request.id,
      userId: request.userId,
      functionName: request.function,
      image: request.image,
      argument: request.argument,
      env: request.env,
      limits,
      ...(request.revision !== undefined ? { revision: request.revision } : {}),
      ...(request.warm !== undefined ? { warm: request.warm } : {}),
      ...(files ? { files } : {}),
    });
    final = fitRecord(finishedRecord(marked.record, outcome, limits, now()), ports.maxRecordBytes);
  } catch (err) {
    if (err instanceof UnavailableError && !delivery.lastAttempt) return { kind: 'retry', reason: err.message };
    const reason = err instanceof UnavailableError ? `${err.message} (gave up after attempt ${delivery.attempt})` : reasonOf(err);
    final = errorRecord(marked.record, reason, now());
  }
  if (request.inputs && request.inputs.length > 0) final = { ...final, inputs: request.inputs };
  const stored = await storeFinal(ports.store, final, marked.revision);
  await ports.results.publish(stored);
  return { kind: 'done', record: stored, ran: stored === final };
}

/** Checked before any container exists: a missing input ends the execution here. */
async function filesOf(ports: RunExecutionPorts, request: IncomingExecution): Promise<JobFiles | undefined> {
  if (!wantsFiles(request)) return undefined;
  if (!ports.files) throw new InputError('this spawner has no object store: executions with inputs or outputs cannot run');
  return jobFiles(ports.files.objects, ports.files.limits, request);
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
