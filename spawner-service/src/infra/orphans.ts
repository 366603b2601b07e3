import type Docker from 'dockerode';
import { LABELS } from './container-spec.js';
import { WARM_LABELS } from './warm/warm-spec.js';

export interface OrphanPolicy {
  readonly spawnerId: string;
  /** A stopped container older than this has no spawner waiting for it (live ones remove theirs at once). */
  readonly stoppedGraceMs: number;
  /** No live spawner lets a container run past the timeout ceiling: older running ones are orphans. */
  readonly runningMaxMs: number;
}

/** What one sweep knows beyond the policy. */
export interface SweepMoment {
  readonly nowMs: number;
  /** The spawner's own start: containers under its own id are a previous run's. */
  readonly atStart: boolean;
  /** Spawners known dead (spawner-liveness.ts): nothing of theirs is waited for. */
  readonly deadSpawners?: ReadonlySet<string>;
}

/** No spawner can be reading this container: its owner is this spawner's previous run, or known dead. */
export function ownerGone(container: Docker.ContainerInfo, policy: OrphanPolicy, moment: SweepMoment): boolean {
  const owner = container.Labels[LABELS.spawner];
  if (owner === undefined) return false;
  return (moment.atStart && owner === policy.spawnerId) || (moment.deadSpawners?.has(owner) ?? false);
}

/**
 * Which managed containers on this engine no live spawner owns: this spawner id's own (a
 * previous run under the same id), a known-dead spawner's, long-stopped ones, and ones running
 * past every timeout.
 */
export function isOrphan(container: Docker.ContainerInfo, policy: OrphanPolicy, moment: SweepMoment): boolean {
  if (container.Labels[LABELS.managed] !== 'true') return false;
  if (ownerGone(container, policy, moment)) return true;
  const ageMs = moment.nowMs - container.Created * 1000;
  const running = container.State === 'running' || container.State === 'paused';
  // A running warm container outlives every timeout by design; it ends by itself once its
  // spawner's attach goes away (stdin closes) or after its idle backstop, and is swept stopped.
  if (running && container.Labels[WARM_LABELS.warm] === 'true') return false;
  if (running) return ageMs > policy.runningMaxMs;
  return ageMs > policy.stoppedGraceMs;
}

/** Stopped ones count from when they stopped, not from creation: their spawner may be reading them right now. */
export function stoppedLongEnough(info: Docker.ContainerInspectInfo, policy: OrphanPolicy, nowMs: number): boolean {
  if (info.State.Running || info.State.Paused) return true;
  const finished = Date.parse(info.State.FinishedAt);
  const since = Number.isFinite(finished) && finished > 0 ? finished : Date.parse(info.Created);
  return nowMs - since > policy.stoppedGraceMs;
}
