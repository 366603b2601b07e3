import { UnavailableError, type ExecutionRecord, type ExecutionStore, type Logger, type RerunCause } from '@faas/common';
import type { FunctionSource } from './authoritative-request.js';
import { republishIfFinal, startReads, takeLeaseAndRead, type ExecutionReads } from './execution-reads.js';
import type { IncomingExecution } from './execution-request.js';
import { withinDeadline } from './delivery-deadline.js';
import type { FileLimits } from './job-files.js';
import { filesOf, jobFor, refuseDisabledUser, secretsFor, type AccountStates } from './job-of.js';
import { resolveLimits, type LimitPolicy } from './limits.js';
import type { ContainerRunner, ObjectFiles, ResultPublisher, SecretResolver } from './ports.js';
import { fitRecord } from './record-size.js';
import { markRunning } from './running-marker.js';
import type { LeaseSettings } from './execution-lease.js';
import { storeFinalPatiently } from './store-final.js';
import { errorRecord, finishedRecord, queuedRecordFor, runningRecord, withHttpStatus } from './records.js';

export interface RunExecutionPorts {
  readonly store: ExecutionStore;
  readonly runner: ContainerRunner;
  readonly results: ResultPublisher;
  /** Where the function's definition is read: what runs is decided there, not by the message. */
  readonly functions: FunctionSource;
  /** Resolves a function's secrets at run time; absent: functions with secrets end as `error`. */
  readonly secrets?: SecretResolver;
  readonly policy: LimitPolicy;
  readonly spawnerId: string;
  /** The largest record the store and the result subject carry (NATS max_payload less headroom). */
  readonly maxRecordBytes: number;
  /** Each delivery's overall deadline is the function's timeout plus this (pull cap, answer grace, margin). */
  readonly deadlineBeyondTimeoutMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
  /**
   * How long a run may take before its record says `running` (0: marked before the run starts).
   * Fast runs go from `queued` straight to their final record.
   */
  readonly runningDelayMs?: number;
  /** How long store faults are retried when the final record is written (the run is not repeated meanwhile). */
  readonly finalWritePatienceMs?: number;
  /** Inputs and outputs; absent: executions with files end as `error`. */
  readonly files?: { readonly objects: ObjectFiles; readonly limits: FileLimits };
  /** One live run per execution (docs/reliability.md); absent: every delivery runs. */
  readonly leases?: LeaseSettings;
  /**
   * Told of the final record this delivery made, before it is published: what counts executions
   * counts them before any client can have the answer (a scrape after a sync answer sees it).
   */
  readonly onFinal?: (record: ExecutionRecord) => void;
  /** Disabled and deleted accounts, whose queued work ends as `error`; absent: nobody is refused. */
  readonly accounts?: AccountStates;
}

/** Long enough for a warm run to finish unmarked, short enough for pollers of slow runs. */
export const DEFAULT_RUNNING_DELAY_MS = 250;
/** Longer than a NATS leader election (about 5 s measured), shorter than anyone's patience. */
export const DEFAULT_FINAL_WRITE_PATIENCE_MS = 15_000;

export interface Delivery {
  /** 1 on the first delivery of the message. */
  readonly attempt: number;
  /** No redelivery will follow this one (the consumer's max_deliver). */
  readonly lastAttempt: boolean;
  /** Aborted when the delivery was handed back (shutdown grace over): its outcome is not stored. */
  readonly handedBack?: AbortSignal;
}

/**
 * `done`: the record is final and published, ack (`ran`: by this delivery, not an earlier one).
 * `retry`: a passing fault, nak with a delay. `handed-back`: already nak'ed at shutdown, nothing to do.
 */
export type RunOutcome =
  | { readonly kind: 'done'; readonly record: ExecutionRecord; readonly ran: boolean }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'handed-back' };

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs one delivery of an execution: runs the container unless another attempt already finished
 * it, marks the record running if the run is still going after `runningDelayMs`, stores the final
 * record unless another attempt already did (retrying store faults for a while), and publishes it.
 * Other store faults propagate.
 */
export async function runExecution(ports: RunExecutionPorts, request: IncomingExecution, delivery: Delivery): Promise<RunOutcome> {
  if (!ports.leases) return runLeased(ports, request, delivery, startReads(ports, request));
  const taking = await takeLeaseAndRead({ ...ports, leases: ports.leases }, request, delivery);
  if (taking.kind === 'handed-back') return taking;
  if (taking.kind === 'ended') {
    // The live run finished meanwhile: its final record is re-published, nothing runs again.
    const ended = await republishIfFinal(ports, await ports.store.get(request.id));
    return ended ?? { kind: 'retry', reason: 'the lease was released but the record is not final' };
  }
  try {
    return await runLeased(ports, request, delivery, taking.reads, taking.lease.rerun);
  } finally {
    await taking.lease.release();
  }
}

/** A run under this delivery's lease (or the re-publish of a record already final). */
async function runLeased(ports: RunExecutionPorts, message: IncomingExecution, delivery: Delivery, reads: ExecutionReads, rerun?: RerunCause): Promise<RunOutcome> {
  const now = ports.now ?? (() => new Date());
  const stored = await reads.stored;
  const ended = await republishIfFinal(ports, stored);
  if (ended) return ended;
  const resolution = await reads.resolving;
  const { request } = resolution;
  if (request.image !== message.image) {
    ports.logger.warn({ executionId: request.id, messageImage: message.image, image: request.image }, 'the message named another image than the definition: the definition\'s runs');
  }
  const base = stored?.record ?? queuedRecordFor(request, now());
  const started = runningRecord({ ...base, image: request.image }, delivery.attempt, ports.spawnerId, now(), rerun);
  const limits = resolveLimits(request.limits, ports.policy);
  // A takeover writes its running record at once, whatever the run's length: it is where its
  // cause is stored before the run, so the first run, if it still ends first, finds the cause
  // there and keeps it in the final record (store-final.ts). After a delay, a fast takeover never
  // wrote it, and an execution started twice could end with a record that did not say so.
  const delayMs = rerun ? 0 : (ports.runningDelayMs ?? DEFAULT_RUNNING_DELAY_MS);
  const marker = await markRunning({ store: ports.store, logger: ports.logger, delayMs }, started, stored?.revision);
  let final: ExecutionRecord;
  try {
    if (resolution.kind === 'gone') throw new Error(resolution.reason);
    refuseDisabledUser(ports, request);
    const runEnv = await secretsFor(ports, request);
    const files = await filesOf(ports, request);
    const job = jobFor(request, limits, runEnv, files);
    const deadlineMs = limits.timeoutMs + ports.deadlineBeyondTimeoutMs;
    const late = (result: unknown): void =>
      ports.logger.warn({ executionId: request.id, outcome: result instanceof Error ? result.message : 'finished' }, 'a run past its deadline ended');
    const outcome = await withinDeadline(deadlineMs, (onPhase) => ports.runner.run({ ...job, onPhase }), late);
    final = fitRecord(finishedRecord(started, outcome, limits, now()), ports.maxRecordBytes);
  } catch (err) {
    if (err instanceof UnavailableError && !delivery.lastAttempt) {
      await marker.settle();
      return { kind: 'retry', reason: err.message };
    }
    const reason = err instanceof UnavailableError ? `${err.message} (gave up after attempt ${delivery.attempt})` : reasonOf(err);
    final = errorRecord(started, reason, now());
  }
  if (delivery.handedBack?.aborted) {
    // Its container was removed at shutdown, not by the function: another spawner runs it again.
    await marker.settle();
    return { kind: 'handed-back' };
  }
  if (request.inputs && request.inputs.length > 0) final = { ...final, inputs: request.inputs };
  final = withHttpStatus(final);
  const patience = { logger: ports.logger, patienceMs: ports.finalWritePatienceMs ?? DEFAULT_FINAL_WRITE_PATIENCE_MS };
  const record = await storeFinalPatiently(ports.store, final, await marker.settle(), patience);
  if (record === final) ports.onFinal?.(record);
  await ports.results.publish(record);
  return { kind: 'done', record, ran: record === final };
}
