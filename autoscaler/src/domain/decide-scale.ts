/** Bounds, thresholds and cooldowns of the spawner service (AUTOSCALE_* settings). */
export interface ScalePolicy {
  readonly min: number;
  readonly max: number;
  /** Utilisation at or above which it scales up. */
  readonly upThreshold: number;
  /** Utilisation at or below which it scales down; the band between the two holds still. */
  readonly downThreshold: number;
  /** After a scale-up, the next scale-up waits this long. */
  readonly upCooldownMs: number;
  /** A scale-down waits this long after any change, and until the load has stayed low this long. */
  readonly downCooldownMs: number;
}

export interface ScaleInputs {
  readonly replicas: number;
  readonly pending: number;
  readonly ackPending: number;
  readonly busy: number;
  readonly slotsPerSpawner: number;
}

/** What the previous decisions leave behind (epoch ms). */
export interface ScaleHistory {
  readonly lastUpAt?: number;
  readonly lastChangeAt?: number;
  /** Since when utilisation has stayed at or below the down threshold. */
  readonly lowSince?: number;
}

export type ScaleReason =
  | 'below-min'
  | 'above-max'
  | 'load-high'
  | 'load-low'
  | 'in-band'
  | 'at-max'
  | 'at-min'
  | 'up-cooldown'
  | 'down-cooldown'
  | 'running-floor';

export interface ScaleDecision {
  readonly action: 'up' | 'down' | 'hold';
  readonly from: number;
  readonly to: number;
  readonly reason: ScaleReason;
  /** Executions running now: the larger of the spawners' busy slots and JetStream's ack-pending count. */
  readonly running: number;
  /** Queued plus running. */
  readonly demand: number;
  /** demand over the current replicas' slots (rounded to 3 decimals). */
  readonly utilisation: number;
  /** Replicas sized so that utilisation lands midway between the thresholds. */
  readonly target: number;
  /** Replicas the running executions need: never scaled below. */
  readonly floor: number;
}

export interface ScaleOutcome {
  readonly decision: ScaleDecision;
  readonly history: ScaleHistory;
}

interface Figures {
  readonly running: number;
  readonly demand: number;
  readonly utilisation: number;
  readonly target: number;
  readonly floor: number;
}

function figures(policy: ScalePolicy, inputs: ScaleInputs): Figures {
  const slots = Math.max(1, inputs.slotsPerSpawner);
  const running = Math.max(inputs.busy, inputs.ackPending);
  const demand = inputs.pending + running;
  const capacity = inputs.replicas * slots;
  const utilisation = capacity > 0 ? demand / capacity : demand > 0 ? Number.MAX_SAFE_INTEGER : 0;
  const aim = (policy.upThreshold + policy.downThreshold) / 2;
  return {
    running,
    demand,
    utilisation: Math.round(utilisation * 1000) / 1000,
    target: Math.ceil(demand / (slots * aim)),
    floor: Math.ceil(running / slots),
  };
}

const clamp = (n: number, low: number, high: number): number => Math.min(high, Math.max(low, n));

type Verdict = Pick<ScaleDecision, 'to' | 'reason'>;

function scaleUp(policy: ScalePolicy, inputs: ScaleInputs, f: Figures, history: ScaleHistory, now: number): Verdict {
  if (inputs.replicas >= policy.max) return { to: inputs.replicas, reason: 'at-max' };
  if (history.lastUpAt !== undefined && now - history.lastUpAt < policy.upCooldownMs) return { to: inputs.replicas, reason: 'up-cooldown' };
  return { to: clamp(Math.max(f.target, inputs.replicas + 1), policy.min, policy.max), reason: 'load-high' };
}

function scaleDown(policy: ScalePolicy, inputs: ScaleInputs, f: Figures, history: ScaleHistory, now: number): Verdict {
  if (inputs.replicas <= policy.min) return { to: inputs.replicas, reason: 'at-min' };
  const settled = (since: number | undefined): boolean => since === undefined || now - since >= policy.downCooldownMs;
  if (!settled(history.lastChangeAt) || !settled(history.lowSince ?? now)) return { to: inputs.replicas, reason: 'down-cooldown' };
  const to = Math.max(policy.min, f.target, f.floor);
  return to < inputs.replicas ? { to, reason: 'load-low' } : { to: inputs.replicas, reason: 'running-floor' };
}

function verdict(policy: ScalePolicy, inputs: ScaleInputs, f: Figures, history: ScaleHistory, now: number): Verdict {
  const { replicas } = inputs;
  if (replicas < policy.min) return { to: clamp(f.target, policy.min, policy.max), reason: 'below-min' };
  if (replicas > policy.max) {
    const to = Math.max(policy.max, f.floor);
    return to < replicas ? { to, reason: 'above-max' } : { to: replicas, reason: 'running-floor' };
  }
  if (f.utilisation >= policy.upThreshold) return scaleUp(policy, inputs, f, history, now);
  if (f.utilisation <= policy.downThreshold) return scaleDown(policy, inputs, f, history, now);
  return { to: replicas, reason: 'in-band' };
}

/**
 * One autoscaling step, pure: the replicas the spawner service should have given the queue and
 * the spawners' load now, and the history the next step needs. Scale-ups size the service so that
 * utilisation lands midway between the thresholds (at least one more replica); scale-downs wait
 * out their cooldown with the load low all along, and never go below what the running executions
 * occupy.
 */
export function decideScale(policy: ScalePolicy, inputs: ScaleInputs, history: ScaleHistory, now: number): ScaleOutcome {
  const f = figures(policy, inputs);
  const low = f.utilisation <= policy.downThreshold;
  const lowSince = low ? (history.lowSince ?? now) : undefined;
  const { to, reason } = verdict(policy, inputs, f, { ...history, lowSince }, now);
  const action = to > inputs.replicas ? 'up' : to < inputs.replicas ? 'down' : 'hold';
  const next: ScaleHistory = {
    ...(action === 'up' ? { lastUpAt: now } : history.lastUpAt !== undefined ? { lastUpAt: history.lastUpAt } : {}),
    ...(action !== 'hold' ? { lastChangeAt: now } : history.lastChangeAt !== undefined ? { lastChangeAt: history.lastChangeAt } : {}),
    // A change restarts the low-load clock: the new size must prove itself too.
    ...(lowSince !== undefined && action === 'hold' ? { lowSince } : {}),
  };
  return { decision: { action, from: inputs.replicas, to, reason, ...f }, history: next };
}
