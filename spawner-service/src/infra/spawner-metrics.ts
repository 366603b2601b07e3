import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SpawnerMetrics {
  /** Labelled by final status and function (see functionLabel): never by user. */
  readonly executions: Counter<'status' | 'function'>;
  readonly runSeconds: Histogram<'status' | 'function'>;
  /** From the request's arrival on the stream to its first delivery to a spawner. */
  readonly queueWaitSeconds: Histogram<'function'>;
  readonly busySlots: Gauge;
  readonly rejected: Counter<'reason'>;
  /** Warm-eligible runs: `hit` took an idle container, `new` started one. */
  readonly warmStarts: Counter<'kind'>;
  /** Idle warm containers removed to make room for another run's (the pool was over its cap). */
  readonly warmEvictions: Counter;
  /** Containers started for a key that had one evicted for room since its last start: what evictions cost. */
  readonly warmStartsAfterEviction: Counter;
  /** Runs that waited for a busy container of their key: `served`, or `started` one after the wait. */
  readonly warmWaits: Counter<'outcome'>;
  /** Deliveries that found another live run's lease and waited instead of starting a second run. */
  readonly leaseWaits: Counter;
  /** Leases taken from a spawner presumed dead: its execution runs again. */
  readonly leaseTakeovers: Counter;
  /** A function's label value: its name for the first `functionLabels` names seen (a few per user), then "other". */
  functionLabel(name: string, userId: string): string;
}

/** Past the cap every function name shares this label value, so the series count stays bounded. */
export const OTHER_FUNCTIONS = 'other';

/**
 * The first `limit` names keep their own label (for the life of the process); every later one is
 * "other". One user claims at most `perUser` of them: one tenant cannot take every label.
 */
export function cappedLabels(limit: number, perUser = limit): (name: string, userId: string) => string {
  const named = new Set<string>();
  const claims = new Map<string, number>();
  return (name, userId) => {
    if (named.has(name)) return name;
    const claimed = claims.get(userId) ?? 0;
    if (named.size >= limit || claimed >= perUser) return OTHER_FUNCTIONS;
    named.add(name);
    claims.set(userId, claimed + 1);
    return name;
  };
}

export function createSpawnerMetrics(registry: Registry, maxContainers: number, functionLabels = 50, labelsPerUser = 5): SpawnerMetrics {
  const registers = [registry];
  const slots = new Gauge({ name: 'faas_spawner_slots', help: 'Container slots of this spawner (MAX_CONTAINERS)', registers });
  slots.set(maxContainers);
  return {
    executions: new Counter({
      name: 'faas_spawner_executions_total',
      help: 'Executions finished by this spawner, by final status and function (capped, then "other")',
      labelNames: ['status', 'function'] as const,
      registers,
    }),
    runSeconds: new Histogram({
      name: 'faas_spawner_run_duration_seconds',
      help: 'Container run time, by final status and function (capped, then "other")',
      labelNames: ['status', 'function'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    queueWaitSeconds: new Histogram({
      name: 'faas_spawner_queue_wait_seconds',
      help: 'Time from the request reaching the EXECUTIONS stream to its first delivery, by function (capped, then "other")',
      labelNames: ['function'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    }),
    busySlots: new Gauge({ name: 'faas_spawner_busy_slots', help: 'Executions this spawner is running now', registers }),
    warmStarts: new Counter({
      name: 'faas_spawner_warm_starts_total',
      help: 'Runs that asked for a warm container: hit (an idle one was reused) or new (one was started)',
      labelNames: ['kind'] as const,
      registers,
    }),
    warmEvictions: new Counter({
      name: 'faas_spawner_warm_evictions_total',
      help: 'Idle warm containers removed to make room (the pool was over MAX_WARM_CONTAINERS)',
      registers,
    }),
    warmStartsAfterEviction: new Counter({
      name: 'faas_spawner_warm_starts_after_eviction_total',
      help: 'Warm containers started for a key that had one evicted for room since: the cold starts evictions caused',
      registers,
    }),
    warmWaits: new Counter({
      name: 'faas_spawner_warm_waits_total',
      help: 'Runs that waited for a busy container of their own key: served (got it) or started (started one after the wait)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    leaseWaits: new Counter({
      name: 'faas_spawner_lease_waits_total',
      help: 'Deliveries that found a live run of the same execution and waited for it instead of starting it again',
      registers,
    }),
    leaseTakeovers: new Counter({
      name: 'faas_spawner_lease_takeovers_total',
      help: 'Executions run again because the lease of the spawner running them lapsed (or it restarted)',
      registers,
    }),
    rejected: new Counter({
      name: 'faas_spawner_messages_rejected_total',
      help: 'Stream messages terminated (malformed) or retried later (passing faults)',
      labelNames: ['reason'] as const,
      registers,
    }),
    functionLabel: cappedLabels(functionLabels, labelsPerUser),
  };
}
