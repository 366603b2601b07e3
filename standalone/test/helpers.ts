import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger, type Logger } from '@faas/common';
import { LOOPBACK_EXEMPT, FUNCTION_SCRIPTS, buildFunctionImage, eventually, request, tempSecretFile, tempSecretsKeyFile, testNatsCredentialsDir, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { startPlatform, type Platform } from '../src/platform.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const secretFile = tempSecretFile();
/** As `npm start` makes one under .data/: the secrets API works on every test platform. */
const secretsKeyFile = tempSecretsKeyFile();

/** The whole platform in this process against the test cluster; one JWT secret for every instance. */
export function startTestPlatform(env: Record<string, string> = {}, logger?: Logger, port = 0): Promise<Platform> {
  return startPlatform(
    {
      NATS_URL: testNatsUrls().join(','),
      // Each part as its own NATS user: the tests run with the stack's permissions.
      NATS_CREDENTIALS_DIR: testNatsCredentialsDir(),
      NATS_REPLICAS: '3',
      JWT_SECRET_FILE: secretFile,
      SECRETS_KEY_FILE: secretsKeyFile,
      BCRYPT_COST: '4',
      ...LOOPBACK_EXEMPT,
      HOST: '127.0.0.1',
      // Its own: a spawner removes every container of its id at start.
      SPAWNER_ID: uniqueName('standalone-test'),
      ...env,
    },
    logger ?? createLogger('platform-test', process.env.TEST_LOG_LEVEL ?? 'silent'),
    port,
  );
}

export const IMAGES = Object.freeze({
  echo: 'faas-test/echo:latest',
  sleep: 'faas-test/sleep:latest',
  wordcount: 'faas-example/wordcount:latest',
  multiply: 'faas-example/multiply:latest',
  uppercase: 'faas-example/uppercase:latest',
  csvlines: 'faas-example/csvlines:latest',
});

/** Builds the example functions (the README's way) and the test functions, locally. */
let built: Promise<void> | undefined;
export function buildImages(): Promise<void> {
  built ??= (async () => {
    await promisify(execFile)(join(repoRoot, 'examples/functions/build.sh'), ['--local-base']);
    await buildFunctionImage(IMAGES.echo, FUNCTION_SCRIPTS.echo);
    await buildFunctionImage(IMAGES.sleep, FUNCTION_SCRIPTS.sleep);
  })();
  return built;
}

export interface TestUser {
  readonly username: string;
  readonly token: string;
}

export async function newUser(base: string): Promise<TestUser> {
  const username = uniqueName('user');
  const reg = await request(`${base}/auth/register`, { body: { username, password: 'correct-horse' } });
  expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
  const login = await request<{ token: string }>(`${base}/auth/login`, { body: { username, password: 'correct-horse' } });
  expect(login.status).to.equal(200);
  return { username, token: login.body.token };
}

export async function newFunction(base: string, user: TestUser, image: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('fn');
  const res = await request(`${base}/registry/functions`, { token: user.token, body: { name, image, ...extra } });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return name;
}

export type Execution = Record<string, unknown> & { id: string; status: string; result: string | null };
const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'error']);

/** Polls GET /publisher/executions/:id until the record is final. */
export function finalExecution(base: string, user: TestUser, id: string, timeoutMs = 30_000): Promise<Execution> {
  return eventually(async () => {
    const res = await request<Execution>(`${base}/publisher/executions/${id}`, { token: user.token });
    return res.status === 200 && FINAL.has(res.body.status) ? res.body : undefined;
  }, timeoutMs, 100);
}

/** A platform logger at trace level whose every line lands in `lines`, for tests that read the logs. */
export function capturingLogger(lines: string[]): Logger {
  return createLogger('platform-test', 'trace', { write: (line: string) => void lines.push(line) });
}

/** The caller's user id, as auth knows it. */
export async function userIdOf(base: string, user: TestUser): Promise<string> {
  const me = await request<{ id: string }>(`${base}/auth/validate`, { token: user.token });
  expect(me.status).to.equal(200);
  return me.body.id;
}
