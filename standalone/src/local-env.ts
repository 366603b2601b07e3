import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NATS_SERVICES, NatsPortTakenError, NatsServerProcess, freePort, natsAuthorizationConfig, type Env, type Logger, type NatsService } from '@faas/common';

export interface LocalEnv {
  readonly env: Env;
  stop(): Promise<void>;
}

/**
 * Fills in what a developer's machine lacks: a JetStream-enabled nats-server from PATH when
 * NATS_URL is unset (one node, so one replica, with the stack's NATS users and permissions), and a random JWT secret, secrets key and first
 * admin's password (user `admin`) kept under the data dir.
 */
export async function prepareLocalEnv(base: Env, dataDir: string, logger: Logger): Promise<LocalEnv> {
  mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string | undefined> = { ...base };
  let nats: NatsServerProcess | undefined;

  // One id per data dir (one instance each, by its lock): a restart removes what it left, and two
  // platforms on one engine never remove each other's containers as "their own" at start.
  env.SPAWNER_ID ??= `${hostname()}-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 8)}`;
  env.JWT_SECRET_FILE ??= keptSecret(join(dataDir, 'jwt-secret'), () => randomBytes(48).toString('base64url'));
  env.SECRETS_KEY_FILE ??= keptSecret(join(dataDir, 'secrets-key'), () => `local-1:${randomBytes(32).toString('base64')}\n`);
  if (!env.ADMIN_USERNAME && !env.ADMIN_PASSWORD_FILE) {
    env.ADMIN_USERNAME = 'admin';
    env.ADMIN_PASSWORD_FILE = keptSecret(join(dataDir, 'admin-password'), () => randomBytes(18).toString('base64url'));
  }
  if (!env.NATS_URL) {
    const authorization = natsAuthorization(dataDir);
    env.NATS_CREDENTIALS_DIR = authorization.credentialsDir;
    // A free port can be taken by another process before nats-server binds it: then another one.
    for (let attempt = 1; ; attempt++) {
      const port = env.NATS_PORT ? Number(env.NATS_PORT) : await freePort();
      nats = new NatsServerProcess({ port, storeDir: join(dataDir, 'nats'), serverName: 'standalone', configFile: authorization.configFile });
      try {
        await nats.start();
        break;
      } catch (err) {
        if (env.NATS_PORT || !(err instanceof NatsPortTakenError) || attempt === 3) throw err;
      }
    }
    env.NATS_URL = nats.url;
    env.NATS_REPLICAS ??= '1';
    logger.info({ url: nats.url }, 'started a local nats-server');
  }
  return {
    env,
    stop: async () => {
      await nats?.stop();
    },
  };
}

/**
 * The stack's NATS users and permissions (common/src/nats-permissions.ts) for the local server:
 * a password per service, kept under the data dir like the other secrets, and the configuration
 * written afresh from the table at every start.
 */
function natsAuthorization(dataDir: string): { configFile: string; credentialsDir: string } {
  const credentialsDir = join(dataDir, 'nats-credentials');
  mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
  const passwords = Object.fromEntries(
    NATS_SERVICES.map((s) => [s, readFileSync(keptSecret(join(credentialsDir, s), () => randomBytes(24).toString('hex')), 'utf8').trim()]),
  ) as Record<NatsService, string>;
  const configFile = join(dataDir, 'nats-authorization.conf');
  writeFileSync(configFile, natsAuthorizationConfig({ passwords: (s) => ({ literal: passwords[s] }) }), { mode: 0o600 });
  return { configFile, credentialsDir };
}

/** A file made once with a fresh random value (owner-only), then kept across restarts. */
function keptSecret(file: string, make: () => string): string {
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return file;
}
