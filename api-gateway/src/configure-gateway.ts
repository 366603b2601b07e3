import { AdminClient, type GatewayLog } from './admin-client.js';
import { applyGatewayConfig, summarize } from './apply-config.js';
import type { GatewayConfig } from './config.js';
import { ensureEtcdAuth } from './etcd-auth.js';
import { buildGatewayConfig } from './gateway-config.js';

export interface ConfigureOptions {
  readonly log: GatewayLog;
  /** Backoff between retries; the defaults suit a real deployment, tests shorten them. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * One run: etcd auth first (APISIX connects as its etcd user, which this makes), then wait for
 * the Admin API, apply every resource, return a loggable summary.
 */
export async function configureGateway(config: GatewayConfig, options: ConfigureOptions): Promise<Record<string, unknown>> {
  const etcdAuth = config.etcd
    ? await ensureEtcdAuth(config.etcd, { log: options.log, retryWindowMs: config.admin.waitTimeoutMs, retryDelayMs: options.initialDelayMs })
    : 'not managed';
  const client = new AdminClient({
    baseUrl: config.admin.url,
    apiKey: config.admin.apiKey,
    log: options.log,
    retryWindowMs: config.admin.waitTimeoutMs,
    initialDelayMs: options.initialDelayMs,
    maxDelayMs: options.maxDelayMs,
    secrets: [config.gateway.jwt.secret],
  });
  options.log.info({ adminUrl: config.admin.url }, 'waiting for the APISIX Admin API');
  await client.waitUntilReady();
  const applied = await applyGatewayConfig(client, buildGatewayConfig(config.gateway));
  return { ...summarize(applied), etcdAuth };
}
