import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, onShutdown } from '@faas/common';
import { prepareLocalEnv } from './local-env.js';
import { logOutput } from './log-output.js';
import { startPlatform } from './platform.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const logger = createLogger('standalone', process.env.LOG_LEVEL ?? 'info', logOutput(process.env.LOG_FORMAT, process.stdout.isTTY === true));
const local = await prepareLocalEnv(process.env, process.env.FAAS_DATA_DIR ?? join(repoRoot, '.data'), logger);
const port = Number(process.env.PORT ?? 9080);
const platform = await startPlatform(local.env, logger, port).catch(async (err: unknown) => {
  await local.stop();
  throw err;
});
logger.info({ baseUrl: platform.baseUrl }, 'platform ready');
process.stdout.write(`\nFaaS platform listening on ${platform.baseUrl}\n\n`);

onShutdown(logger, async () => {
  await platform.stop();
  await local.stop();
});
