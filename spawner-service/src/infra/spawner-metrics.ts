import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SpawnerMetrics {
  readonly executions: Counter<'status'>;
  readonly runSeconds: Histogram<'status'>;
  readonly busySlots: Gauge;
  readonly rejected: Counter<'reason'>;
  /** Warm-eligible runs: `hit` took an idle container, `new` started one. */
  readonly warmStarts: Counter<'kind'>;
  /** Deliveries that found another live run's lease and waited instead of starting a second run. */
  readonly leaseWaits: Counter;
  /** Leases taken from a spawner presumed dead: its execution runs again. */
  readonly leaseTakeovers: Counter;
}

export function createSpawnerMetrics(registry: Registry, maxContainers: number): SpawnerMetrics {
  const registers = [registry];
  const slots = new Gauge({ name: 'faas_spawner_slots', help: 'Container slots of this spawner (MAX_CONTAINERS)', registers });
  slots.set(maxContainers);
  return {
    executions: new Counter({
      name: 'faas_spawner_executions_total',
      help: 'Executions finished by this spawner, by final status',
      labelNames: ['status'] as const,
      registers,
    }),
    runSeconds: new Histogram({
      name: 'faas_spawner_run_duration_seconds',
      help: 'Container run time, by final status',
      labelNames: ['status'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    busySlots: new Gauge({ name: 'faas_spawner_busy_slots', help: 'Executions this spawner is running now', registers }),
    warmStarts: new Counter({
      name: 'faas_spawner_warm_starts_total',
      help: 'Runs that asked for a warm container: hit (an idle one was reused) or new (one was started)',
      labelNames: ['kind'] as const,
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
  };
}
