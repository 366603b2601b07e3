import { Counter, Gauge, type Registry } from 'prom-client';
import type { ScaleDecision } from '../domain/decide-scale.js';

/** Prometheus view of the decisions: how many of each kind, and the replicas last aimed at. */
export function recordDecisions(registry: Registry): (decision: ScaleDecision) => void {
  const registers = [registry];
  const decisions = new Counter({
    name: 'faas_autoscaler_decisions_total',
    help: 'Autoscaling decisions by action (up, down, hold) and reason',
    labelNames: ['action', 'reason'] as const,
    registers,
  });
  const replicas = new Gauge({ name: 'faas_autoscaler_replicas', help: 'Spawner replicas after the last decision', registers });
  const utilisation = new Gauge({ name: 'faas_autoscaler_utilisation', help: 'Queued plus running executions over the spawners\' slots', registers });
  return (decision) => {
    decisions.inc({ action: decision.action, reason: decision.reason });
    replicas.set(decision.to);
    utilisation.set(decision.utilisation);
  };
}
