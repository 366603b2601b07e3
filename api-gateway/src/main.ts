import { ConfigError, createLogger } from '@faas/common';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { configureGateway } from './configure-gateway.js';

const SERVICE = 'api-gateway';

/** A one-shot run: 0 when APISIX holds the whole configuration, 1 with a clear reason otherwise. */
async function main(): Promise<number> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger(SERVICE).error({ problems: err.problems }, 'invalid configuration');
    return 1;
  }
  const logger = createLogger(SERVICE, config.logLevel);
  try {
    const summary = await configureGateway(config, { log: logger });
    logger.info(summary, 'APISIX configured');
    return 0;
  } catch (err) {
    // Message and code only: the messages are scrubbed of the key and secret, a cause might not be.
    const reason = err instanceof Error ? err.message : String(err);
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
    logger.error({ code, reason }, 'APISIX configuration failed');
    return 1;
  }
}

// Exit explicitly: idle keep-alive sockets must not hold a finished one-shot job open.
process.exit(await main());
