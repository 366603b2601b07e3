import { createHttpApp, healthRouter, natsReadiness, type Logger, type Metrics } from '@faas/common';
import type Docker from 'dockerode';
import type { Express } from 'express';
import type { NatsConnection } from 'nats';
import type { AutoscalerConfig } from './config.js';
import { createAutoscaleCheck, type AutoscaleCheck } from './domain/autoscale-check.js';
import { recordDecisions } from './infra/autoscaler-metrics.js';
import { jetStreamQueueMetrics } from './infra/queue-metrics.js';
import { dockerServiceScaler } from './infra/service-scaler.js';
import { dnsTargets, scrapedSpawnerMetrics } from './infra/spawner-metrics.js';

export interface AutoscalerDeps {
  readonly config: AutoscalerConfig;
  readonly nc: NatsConnection;
  readonly docker: Docker;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface Autoscaler {
  readonly check: AutoscaleCheck;
  /** `/health`, `/ready` (NATS and the engine answer) and `/metrics`. */
  readonly app: Express;
}

/** Wiring only: the check over its three adapters, and the HTTP shell. */
export async function createAutoscaler(deps: AutoscalerDeps): Promise<Autoscaler> {
  const { config, nc, docker, logger, metrics } = deps;
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  const check = createAutoscaleCheck({
    policy: config.policy,
    queue: jetStreamQueueMetrics(jsm),
    spawners: scrapedSpawnerMetrics(dnsTargets(config.spawners.host, config.spawners.port), config.spawners.timeoutMs),
    scaler: dockerServiceScaler(docker, config.service),
    defaultSlots: config.spawners.defaultSlots,
    logger,
    onDecision: recordDecisions(metrics.registry),
  });
  const natsReady = natsReadiness(nc, []);
  const ready = async (): Promise<void> => {
    await natsReady();
    await docker.ping();
  };
  return { check, app: createHttpApp({ logger, metrics, mounts: [{ prefix: '/', router: healthRouter(ready) }] }) };
}
