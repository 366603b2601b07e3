import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startProcess, tempSecretFile, testNatsUrls, type RunningProcess } from '@faas/testing';
import { expect } from 'chai';
import { repoRoot } from './helpers.js';

const main = join(repoRoot, 'standalone/dist/src/main.js');
const READY = /FaaS platform listening on (http:\/\/\S+)/;

/** `npm start` as a developer runs it: its own process, on a free port, against the test cluster. */
function standaloneEnv(dataDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NATS_URL: testNatsUrls().join(','),
    NATS_REPLICAS: '3',
    JWT_SECRET_FILE: tempSecretFile(),
    FAAS_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    STANDALONE_SPAWNER: 'false',
    LOG_LEVEL: 'info',
  };
}

const logLines = (output: string): string[] =>
  output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !READY.test(line));

describe('standalone logs: pretty on a terminal, JSON otherwise', function () {
  this.timeout(60_000);
  let dataDir: string;
  let running: RunningProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'faas-devlogs-'));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes one JSON object per line when stdout is a pipe', async () => {
    const started = await startProcess(process.execPath, [main], { env: standaloneEnv(dataDir), ready: READY });
    const proc = (running = started.process);
    const lines = await eventually(() => {
      const found = logLines(proc.output());
      return found.some((l) => l.includes('platform ready')) ? found : undefined;
    });
    for (const line of lines) expect(() => JSON.parse(line), line).not.to.throw();
    expect(lines.map((l) => (JSON.parse(l) as { msg?: string }).msg)).to.include.members(['nats connected', 'platform ready']);
  });

  it('writes pino-pretty lines on a terminal (a pseudo-terminal made by script(1))', async () => {
    const command = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(main)}`;
    const started = await startProcess('script', ['-qfec', command, '/dev/null'], { env: standaloneEnv(dataDir), ready: READY });
    const proc = (running = started.process);
    const lines = await eventually(() => {
      const found = logLines(proc.output());
      return found.some((l) => /INFO.*\(standalone\): .*platform ready/.test(l)) ? found : undefined;
    });
    expect(lines.filter((l) => l.startsWith('{')), 'no JSON line on a terminal').to.deep.equal([]);
  });

  it('refuses a LOG_FORMAT it does not know, naming the choices', async () => {
    const env = { ...standaloneEnv(dataDir), LOG_FORMAT: 'xml' };
    const err = await startProcess(process.execPath, [main], { env, ready: READY, timeoutMs: 20_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/LOG_FORMAT must be "pretty" or "json", not "xml"/);
  });
});
