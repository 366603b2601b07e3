export { AdminClient, type AdminClientOptions, type GatewayLog } from './admin-client.js';
export { applyGatewayConfig, summarize, type AdminApi, type AppliedResource } from './apply-config.js';
export { loadGatewayConfig, type GatewayConfig } from './config.js';
export { configureGateway, type ConfigureOptions } from './configure-gateway.js';
export {
  APPLY_ORDER,
  RESOURCE_IDS,
  buildGatewayConfig,
  resourcePath,
  type AdminResource,
  type GatewaySettings,
  type HostPort,
  type RateLimitKey,
  type ResourceKind,
} from './gateway-config.js';
