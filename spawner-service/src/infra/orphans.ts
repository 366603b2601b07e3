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

/**
 * Which managed containers on this engine no live spawner owns: this spawner id's own (a
 * previous run under the same id), long-stopped ones, and ones running past every timeout.
 */
export function isOrphan(container: Docker.ContainerInfo, policy: OrphanPolicy, nowMs: number, atStart: boolean): boolean {
  if (container.Labels[LABELS.managed] !== 'true') return false;
  if (atStart && container.Labels[LABELS.spawner] === policy.spawnerId) return true;
  const ageMs = nowMs - container.Created * 1000;
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
