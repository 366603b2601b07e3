import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsService } from '@faas/common';

export { countGets, type GetCounts } from './bucket-gets.js';
export { natsHealthcheck } from './nats-health.js';
export { LEADERLESS_MS, MetaGroupStuckError, metaGroup, waitForFullMetaGroup } from './meta-group.js';
export { startPlatformCluster } from './platform-buckets.js';
export { FIXTURE_NATS_USER, startClusterServers, startNatsCluster, waitForJetStream, writeAuthorization, type NatsCluster } from './nats-cluster.js';
export { NatsPortTakenError, NatsServerProcess, freePort, waitForPort } from '@faas/common';

/** NATS URLs of the cluster the mocha global fixture started for this test run. */
export function testNatsUrls(): string[] {
  const urls = process.env.FAAS_TEST_NATS_URLS;
  if (!urls) throw new Error('FAAS_TEST_NATS_URLS is not set: run tests through mocha with the root .mocharc.cjs');
  return urls.split(',');
}

/**
 * The env a service reads to connect as its own NATS user on the test cluster (its permissions
 * from common/src/nats-permissions.ts). Without it a client is the harness's fixture user.
 */
export function testNatsServiceEnv(service: NatsService): { NATS_USER: string; NATS_PASSWORD_FILE: string } {
  const dir = process.env.FAAS_TEST_NATS_CREDENTIALS;
  if (!dir) throw new Error('FAAS_TEST_NATS_CREDENTIALS is not set: run tests through mocha with the root .mocharc.cjs');
  return { NATS_USER: service, NATS_PASSWORD_FILE: join(dir, service) };
}

/** The directory of the test cluster's per-service password files (standalone's NATS_CREDENTIALS_DIR). */
export function testNatsCredentialsDir(): string {
  const dir = process.env.FAAS_TEST_NATS_CREDENTIALS;
  if (!dir) throw new Error('FAAS_TEST_NATS_CREDENTIALS is not set: run tests through mocha with the root .mocharc.cjs');
  return dir;
}

/** A name no other test (or test run) uses, valid as a username, function name and KV key. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Polls `check` until it returns a value other than undefined, or fails at the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`, { cause: lastError });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
export { serveApp, request, type RunningApp, type JsonResponse } from './http.js';

/** Writes a random secret to a temp file, as Docker secrets would mount it. */
export function tempSecretFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'faas-secret-')), 'jwt-secret');
  writeFileSync(file, randomBytes(32).toString('base64url'));
  return file;
}
/** A secrets key line as SECRETS_KEY_FILE holds it: `<id>:<32 random bytes, base64>`. */
export function newSecretsKeyLine(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Writes a SECRETS_KEY_FILE (first line: the active key) to a temp file. */
export function tempSecretsKeyFile(lines: readonly string[] = [newSecretsKeyLine('test-1')]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'faas-secret-')), 'secrets-key');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
export { buildFunctionImage, buildStateLeakingImage, FUNCTION_SCRIPTS, TEST_LABEL } from './function-images.js';
export { buildHandlerImage, buildNodeHandlerImage, busyboxRuntimeClient } from './process-images.js';
export { silentRegistry, type FakeRegistry } from './silent-registry.js';
export { registeredRoutes, type RegisteredRoute } from './routes.js';

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the promise to reject, but it resolved');
}
export { reapOnExit, startProcess, type RunningProcess } from './child-process.js';
export { captured } from './log-capture.js';
export { etcdVersion, startEtcd, type EtcdServer } from './etcd-process.js';

/**
 * The auth service exempts no address from its address limits by default (issue 28); test
 * platforms, where every client is this machine, exempt loopback as `npm start` once did.
 */
export const LOOPBACK_EXEMPT = { AUTH_LIMIT_EXEMPT_ADDRESSES: '127.0.0.1,::1,::ffff:127.0.0.1' } as const;
