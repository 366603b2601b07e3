import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@faas/common';
import { eventually, freePort, request, tempSecretFile, testNatsUrls } from '@faas/testing';
import { expect } from 'chai';
import { loadRegistryConfig } from '../src/config.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('registry: the process', () => {
  it('reports every configuration problem at once', () => {
    let error: unknown;
    try {
      loadRegistryConfig({ MAX_CPUS: 'lots', MAX_TIMEOUT_SECONDS: '3601', ALLOW_NETWORK: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const variable of ['JWT_SECRET_FILE', 'MAX_CPUS', 'MAX_TIMEOUT_SECONDS', 'ALLOW_NETWORK']) expect(problems).to.include(variable);
  });

  it('runs alone on its port, answers ready, and exits 0 on SIGTERM', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: String(port), NATS_URL: testNatsUrls().join(','), JWT_SECRET_FILE: tempSecretFile(), LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(async () => ((await request(`${url}/registry/ready`)).status === 200 ? true : undefined), 20_000, 100);
      expect((await request(`${url}/registry/functions`)).status).to.equal(401);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
