import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, onShutdown } from '@faas/common';
import { DataDirLockedError, lockDataDir, type DataDirLock } from './data-lock.js';
import { prepareLocalEnv } from './local-env.js';
import { logOutput } from './log-output.js';
import { startPlatform } from './platform.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const logger = createLogger('standalone', process.env.LOG_LEVEL ?? 'info', logOutput(process.env.LOG_FORMAT, process.stdout.isTTY === true));
const dataDir = process.env.FAAS_DATA_DIR ?? join(repoRoot, '.data');
let lock: DataDirLock;
try {
  lock = lockDataDir(dataDir);
} catch (err) {
  if (!(err instanceof DataDirLockedError)) throw err;
  logger.error({ dataDir, holderPid: err.holderPid }, 'data directory in use');
  process.stderr.write(`\nERROR: ${err.message}\n\n`);
  process.exit(1);
}
const local = await prepareLocalEnv(process.env, dataDir, logger);
const port = Number(process.env.PORT ?? 9080);
const platform = await startPlatform(local.env, logger, port).catch(async (err: unknown) => {
  await local.stop();
  lock.release();
  throw err;
});
logger.info({ baseUrl: platform.baseUrl }, 'platform ready');
process.stdout.write(`\nFaaS platform listening on ${platform.baseUrl}\n\n`);

onShutdown(logger, async () => {
  await platform.stop();
  await local.stop();
  lock.release();
});
