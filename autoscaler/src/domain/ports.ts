/** The EXECUTIONS consumer's backlog, as JetStream counts it. */
export interface QueueDepth {
  /** Requests no spawner has taken yet (num_pending). */
  readonly pending: number;
  /** Requests delivered to a spawner and not acked yet: running, or about to be redelivered (num_ack_pending). */
  readonly ackPending: number;
}

export interface QueueMetrics {
  depth(): Promise<QueueDepth>;
}

/** What the spawners that answered say about themselves. */
export interface SpawnerLoad {
  /** Spawners whose /metrics answered. */
  readonly answered: number;
  /** Addresses that did not answer (a task starting or stopping). */
  readonly unreachable: number;
  /** Sum of faas_spawner_busy_slots: executions running now. */
  readonly busy: number;
  /** faas_spawner_slots of the spawners (the largest seen); undefined when none answered. */
  readonly slotsPerSpawner: number | undefined;
}

export interface SpawnerMetrics {
  load(): Promise<SpawnerLoad>;
}

export interface ServiceScaler {
  /** The replica count the service's spec asks for now. */
  replicas(): Promise<number>;
  /** Sets the spec's replica count; Swarm starts or stops (SIGTERM) tasks to match. */
  scaleTo(replicas: number): Promise<void>;
}
