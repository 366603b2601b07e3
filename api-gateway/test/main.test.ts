import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { FakeAdminApi } from './fake-admin-api.js';
import { gatewayEnv, newSecrets, startFakeAdminApi, type TestSecrets } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs the compiled configurator as the container would, with only the given environment. */
function runMain(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('api-gateway: the compiled configurator as a one-shot process', () => {
  let secrets: TestSecrets;
  let fake: FakeAdminApi;
  let url: string;

  beforeEach(async () => ({ secrets, fake, url } = await startFakeAdminApi()));
  afterEach(() => fake.close());

  it('configures APISIX, logs a summary and exits 0; a second run also exits 0', async () => {
    fake.unavailableFor = 1;
    const env = gatewayEnv(url, secrets, { LOG_LEVEL: 'debug' });
    const first = await runMain(env);
    expect(first.code, first.output).to.equal(0);
    expect(fake.store.size).to.equal(15);
    expect(first.output).to.include('APISIX configured').and.include('"created":15');
    const second = await runMain(env);
    expect(second.code, second.output).to.equal(0);
    expect(second.output).to.include('"updated":15');
    for (const out of [first.output, second.output]) {
      expect(out).not.to.include(secrets.apiKey);
      expect(out).not.to.include(secrets.jwtSecret);
    }
  });

  it('exits 1 with a clear reason on a wrong admin key, without printing any key', async () => {
    const wrong = newSecrets();
    const run = await runMain(gatewayEnv(url, { apiKey: wrong.apiKey, jwtSecret: secrets.jwtSecret }));
    expect(run.code, run.output).to.equal(1);
    expect(run.output).to.include('APISIX configuration failed').and.include('401');
    expect(run.output).not.to.include(wrong.apiKey);
    expect(run.output).not.to.include(secrets.jwtSecret);
    expect(fake.store.size).to.equal(0);
  });

  it('exits 1 listing every configuration problem, before contacting APISIX', async () => {
    const run = await runMain({ APISIX_ADMIN_URL: url, RATE_LIMIT_COUNT: 'many' });
    expect(run.code, run.output).to.equal(1);
    expect(run.output).to.include('invalid configuration');
    for (const name of ['APISIX_ADMIN_KEY_FILE', 'JWT_SECRET_FILE', 'RATE_LIMIT_COUNT']) expect(run.output).to.include(name);
    expect(fake.requests).to.have.length(0);
  });
});
