export { loadSpawnerConfig, type SandboxConfig, type SpawnerConfig } from './config.js';
export { startSpawner, type Spawner, type SpawnerDeps } from './spawner.js';
export { LABELS as CONTAINER_LABELS } from './infra/container-spec.js';
export type { ContainerJob, ContainerOutcome, ContainerRunner, ResolvedLimits } from './domain/ports.js';
export { createSpawnerMetrics, type SpawnerMetrics } from './infra/spawner-metrics.js';
