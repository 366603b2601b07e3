import type { Server } from 'node:http';
import { AUTH_PREFIX, authRouter, connectAuthDeps, loadAuthConfig } from '@faas/auth-service';
import { boundPort, closeServer, connectNats, createHttpApp, createMetrics, listen, type Env, type Logger } from '@faas/common';

export interface Platform {
  readonly port: number;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** Every service's router on one port, sharing one NATS connection: the same code as the stack. */
export async function startPlatform(env: Env, logger: Logger, port: number): Promise<Platform> {
  const authConfig = loadAuthConfig({ ...env, PORT: String(port) });
  const nc = await connectNats({ servers: authConfig.natsUrls, name: 'standalone', logger });
  const auth = await connectAuthDeps(nc, authConfig);
  const app = createHttpApp({
    logger,
    metrics: createMetrics(),
    mounts: [{ prefix: AUTH_PREFIX, router: authRouter(auth) }],
  });
  const server: Server = await listen(app, port);
  const bound = boundPort(server);
  return {
    port: bound,
    baseUrl: `http://localhost:${bound}`,
    async stop() {
      await closeServer(server);
      await nc.drain();
    },
  };
}
