import { closeServer, connectNats, createLogger, createMetrics, listen, onShutdown } from '@faas/common';
import Docker from 'dockerode';
import { createAutoscaler } from './app.js';
import { loadAutoscalerConfig } from './config.js';
import { startCheckLoop } from './infra/check-loop.js';

const config = loadAutoscalerConfig(process.env);
const logger = createLogger('autoscaler', config.logLevel);
const nc = await connectNats({ servers: config.natsUrls, name: 'autoscaler', logger, auth: config.natsAuth });
const docker = new Docker({ socketPath: config.dockerSocket });
const autoscaler = await createAutoscaler({ config, nc, docker, logger, metrics: createMetrics() });
const server = await listen(autoscaler.app, config.port);
logger.info({ port: config.port, service: config.service, policy: config.policy, intervalMs: config.intervalMs }, 'autoscaler running');
const loop = startCheckLoop(autoscaler.check, config.intervalMs, logger);

onShutdown(logger, async () => {
  await loop.stop();
  await closeServer(server);
  await nc.drain();
});
