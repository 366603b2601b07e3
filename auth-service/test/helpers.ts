import { connectNats, createLogger, createMetrics } from '@faas/common';
import { LOOPBACK_EXEMPT, serveApp, tempSecretFile, testNatsServiceEnv, testNatsUrls } from '@faas/testing';
import type { NatsConnection } from 'nats';
import { connectAuthDeps, createApp } from '../src/app.js';
import { loadAuthConfig, type AuthConfig } from '../src/config.js';

export interface AuthUnderTest {
  readonly url: string;
  readonly nc: NatsConnection;
  readonly config: AuthConfig;
  close(): Promise<void>;
}

/** A real auth-service app on a free port against the given NATS servers (the test cluster by default). */
export async function startAuth(env: Record<string, string> = {}): Promise<AuthUnderTest> {
  const config = loadAuthConfig({
    NATS_URL: testNatsUrls().join(','),
    // The service's own NATS user: its tests run with the stack's permissions.
    ...testNatsServiceEnv('auth'),
    JWT_SECRET_FILE: tempSecretFile(),
    BCRYPT_COST: '4',
    ...LOOPBACK_EXEMPT,
    ...env,
  });
  const logger = createLogger('auth-test', 'silent');
  const nc = await connectNats({ servers: config.natsUrls, name: 'auth-test', logger, auth: config.natsAuth });
  const deps = await connectAuthDeps(nc, config, logger);
  const app = await serveApp(createApp({ ...deps, logger, metrics: createMetrics({ defaultMetrics: false }) }));
  return {
    url: `${app.url}/auth`,
    nc,
    config,
    async close() {
      await app.close();
      await nc.close();
    },
  };
}
