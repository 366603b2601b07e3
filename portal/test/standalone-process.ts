import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_EXEMPT, eventually, reapOnExit, tempSecretFile, testNatsUrls } from '@faas/testing';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface StandaloneProcess {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** `npm start`'s process on a free port, against the test cluster; its URL from its own banner. */
export async function startStandalone(): Promise<StandaloneProcess> {
  const child: ChildProcess = reapOnExit(spawn(process.execPath, [join(repoRoot, 'standalone/dist/src/main.js')], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      NATS_URL: testNatsUrls().join(','),
      NATS_REPLICAS: '3',
      JWT_SECRET_FILE: tempSecretFile(),
      BCRYPT_COST: '4',
      ...LOOPBACK_EXEMPT,
      // The test cluster's work queue is shared by the whole run: executions other suites left
      // behind may land on this spawner too; room for them keeps ours from waiting.
      MAX_CONTAINERS: '10',
      FAAS_DATA_DIR: mkdtempSync(join(tmpdir(), 'faas-portal-')),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  }));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = await eventually(() => {
    if (child.exitCode !== null) throw new Error(`standalone exited with ${child.exitCode}: ${output}`);
    return /listening on (http:\/\/\S+)/.exec(output)?.[1];
  }, 60_000, 50);
  return {
    baseUrl,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
