import type { Logger } from '@faas/common';
import { decideScale, type ScaleDecision, type ScaleHistory, type ScaleInputs, type ScalePolicy } from './decide-scale.js';
import type { QueueMetrics, ServiceScaler, SpawnerMetrics } from './ports.js';

export interface AutoscaleDeps {
  readonly policy: ScalePolicy;
  readonly queue: QueueMetrics;
  readonly spawners: SpawnerMetrics;
  readonly scaler: ServiceScaler;
  readonly logger: Logger;
  /** Slots of one spawner when none answers with its own figure. */
  readonly defaultSlots: number;
  readonly now?: () => number;
  /** Called with every decision taken (metrics). */
  readonly onDecision?: (decision: ScaleDecision) => void;
}

export interface AutoscaleCheck {
  /** Reads the metrics, decides, logs the decision with its inputs and applies it; undefined when blind. */
  (): Promise<ScaleDecision | undefined>;
}

/**
 * One check per call. Without the queue's figures or the service's replica count it does nothing
 * (never scales blind); a spawner that does not answer counts as idle, which is safe because the
 * running count is also taken from JetStream's ack-pending figure.
 */
export function createAutoscaleCheck(deps: AutoscaleDeps): AutoscaleCheck {
  const now = deps.now ?? Date.now;
  let history: ScaleHistory = {};
  let seq = 0;
  return async () => {
    seq += 1;
    const [depth, load, replicas] = await Promise.allSettled([deps.queue.depth(), deps.spawners.load(), deps.scaler.replicas()]);
    if (depth.status === 'rejected' || replicas.status === 'rejected') {
      const err: unknown = depth.status === 'rejected' ? depth.reason : replicas.status === 'rejected' ? replicas.reason : undefined;
      deps.logger.warn({ check: seq, err }, 'autoscale check skipped: queue metrics or service unavailable');
      return undefined;
    }
    const spawners = load.status === 'fulfilled' ? load.value : { answered: 0, unreachable: 0, busy: 0, slotsPerSpawner: undefined };
    const inputs: ScaleInputs = {
      replicas: replicas.value,
      pending: depth.value.pending,
      ackPending: depth.value.ackPending,
      busy: spawners.busy,
      slotsPerSpawner: spawners.slotsPerSpawner ?? deps.defaultSlots,
    };
    const outcome = decideScale(deps.policy, inputs, history, now());
    const { decision } = outcome;
    const fields = { check: seq, inputs, spawners: { answered: spawners.answered, unreachable: spawners.unreachable }, decision };
    if (decision.action === 'hold') {
      history = outcome.history;
      deps.logger.info(fields, 'autoscale decision');
    } else {
      try {
        await deps.scaler.scaleTo(decision.to);
        history = outcome.history;
        deps.logger.info(fields, 'autoscale decision');
      } catch (err) {
        // History unchanged: the next check decides afresh.
        deps.logger.error({ ...fields, err }, 'autoscale decision not applied');
        return undefined;
      }
    }
    deps.onDecision?.(decision);
    return decision;
  };
}
