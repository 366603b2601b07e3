import { randomUUID } from 'node:crypto';
import { connectNats, createLogger, createMetrics, issueToken, type FunctionDefinition } from '@faas/common';
import { request, serveApp, tempSecretFile, testNatsServiceEnv, testNatsUrls, uniqueName, type JsonResponse } from '@faas/testing';
import type { NatsConnection } from 'nats';
import { connectRegistryDeps, createApp } from '../src/app.js';
import { loadRegistryConfig, type RegistryConfig } from '../src/config.js';

export interface RegistryUnderTest {
  /** The service's `/registry` base URL. */
  readonly url: string;
  readonly nc: NatsConnection;
  readonly config: RegistryConfig;
  /** A token for a fresh user, signed with the registry's own secret as auth-service would sign it. */
  newUser(): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  readonly id: string;
  readonly token: string;
  readonly username: string;
}

export type ErrorBody = { error: { code: string; message: string; requestId: string } };

/** A real registry app on a free port against the test NATS cluster (or the given env; '' unsets a variable). */
export async function startRegistry(env: Record<string, string> = {}): Promise<RegistryUnderTest> {
  const merged = { NATS_URL: testNatsUrls().join(','), ...testNatsServiceEnv('registry'), JWT_SECRET_FILE: tempSecretFile(), ...env };
  const config = loadRegistryConfig(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== '')));
  const logger = createLogger('registry-test', 'silent');
  const nc = await connectNats({ servers: config.natsUrls, name: 'registry-test', logger, auth: config.natsAuth });
  const deps = await connectRegistryDeps(nc, config, logger);
  const app = await serveApp(createApp({ ...deps, logger, metrics: createMetrics({ defaultMetrics: false }) }));
  return {
    url: `${app.url}/registry`,
    nc,
    config,
    async newUser() {
      const id = randomUUID();
      const username = uniqueName('u');
      const { token } = await issueToken(config.token, { id, username, role: 'user' });
      return { id, token, username };
    },
    async close() {
      await app.close();
      await nc.close();
    },
  };
}

/** A valid function body with a unique name; fields can be overridden. */
export function functionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: uniqueName('fn'), image: 'faas-example/wordcount:latest', description: 'counts words', ...overrides };
}

export async function createFunction(
  registry: RegistryUnderTest,
  user: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<FunctionDefinition> {
  const res = await request<FunctionDefinition>(`${registry.url}/functions`, { body: functionBody(overrides), token: user.token });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export function errorOf(res: Pick<JsonResponse<unknown>, 'body'>): ErrorBody['error'] {
  return (res.body as ErrorBody).error;
}

/** A registry and one user of it, for a describe block's `before` hook. */
export async function registryWithUser(env: Record<string, string> = {}): Promise<{ registry: RegistryUnderTest; user: TestUser }> {
  const registry = await startRegistry(env);
  return { registry, user: await registry.newUser() };
}

/** GET and PUT of one of the user's functions by name, as that user. */
export function functionCalls(registry: RegistryUnderTest, user: TestUser) {
  return {
    read: (name: string) => request<FunctionDefinition>(`${registry.url}/functions/${name}`, { token: user.token }),
    put: (name: string, body: Record<string, unknown>) =>
      request<FunctionDefinition>(`${registry.url}/functions/${name}`, { method: 'PUT', body, token: user.token }),
  };
}
