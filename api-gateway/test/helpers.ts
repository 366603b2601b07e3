import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayLog } from '../src/index.js';
import { FakeAdminApi } from './fake-admin-api.js';

/** Keeps every log call as a JSON line, to assert on what would reach stdout. */
export class RecordingLog implements GatewayLog {
  readonly lines: string[] = [];
  debug(fields: object, msg: string): void {
    this.record('debug', fields, msg);
  }
  info(fields: object, msg: string): void {
    this.record('info', fields, msg);
  }
  warn(fields: object, msg: string): void {
    this.record('warn', fields, msg);
  }
  error(fields: object, msg: string): void {
    this.record('error', fields, msg);
  }
  get text(): string {
    return this.lines.join('\n');
  }
  private record(level: string, fields: object, msg: string): void {
    this.lines.push(JSON.stringify({ level, ...fields, msg }));
  }
}

export function randomSecret(prefix: string): string {
  return `${prefix}-${randomBytes(16).toString('hex')}`;
}

/** Writes a value to a temp file, as a Docker secret would be mounted. */
export function secretFile(value: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'faas-gw-')), 'secret');
  writeFileSync(file, `${value}\n`);
  return file;
}

export interface TestSecrets {
  readonly apiKey: string;
  readonly jwtSecret: string;
}

export function newSecrets(): TestSecrets {
  return { apiKey: randomSecret('admin-key'), jwtSecret: randomSecret('jwt-secret') };
}

/** A complete configurator environment pointing at `adminUrl`. */
export function gatewayEnv(adminUrl: string, secrets: TestSecrets, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    APISIX_ADMIN_URL: adminUrl,
    APISIX_ADMIN_KEY_FILE: secretFile(secrets.apiKey),
    JWT_SECRET_FILE: secretFile(secrets.jwtSecret),
    WAIT_TIMEOUT_SECONDS: '10',
    ...overrides,
  };
}

/** Fresh secrets and a fake Admin API listening on loopback, keyed by those secrets. */
export async function startFakeAdminApi(): Promise<{ secrets: TestSecrets; fake: FakeAdminApi; url: string }> {
  const secrets = newSecrets();
  const fake = new FakeAdminApi(secrets.apiKey);
  return { secrets, fake, url: await fake.listen() };
}
