export { loadAutoscalerConfig, type AutoscalerConfig } from './config.js';
export { createAutoscaler, type Autoscaler, type AutoscalerDeps } from './app.js';
export { decideScale, type ScaleDecision, type ScaleHistory, type ScaleInputs, type ScalePolicy } from './domain/decide-scale.js';
export { createAutoscaleCheck, type AutoscaleCheck } from './domain/autoscale-check.js';
export type { QueueMetrics, ServiceScaler, SpawnerMetrics } from './domain/ports.js';
