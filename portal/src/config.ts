import { envFields, parseConfig, type Env } from '@faas/common';
import { z } from 'zod';

const schema = z
  .object({ PORT: envFields.port(8085), HOST: z.string().min(1).default('0.0.0.0'), LOG_LEVEL: envFields.logLevel })
  .transform((env) => ({ port: env.PORT, host: env.HOST, logLevel: env.LOG_LEVEL }));

export type PortalConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the portal server's environment. */
export function loadPortalConfig(env: Env): PortalConfig {
  return parseConfig(schema, env);
}
