import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_EXEMPT, FUNCTION_SCRIPTS, TEST_LABEL, buildFunctionImage, startProcess, tempSecretFile, testNatsUrls, uniqueName, type RunningProcess } from '@faas/testing';
import { expect } from 'chai';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const faasBin = join(repoRoot, 'cli/bin/faas.js');

export interface PlatformProcess {
  readonly url: string;
  readonly process: RunningProcess;
}

/** `npm start` as its own OS process (the standalone platform), on a free port, against the test cluster. */
export async function startPlatformProcess(): Promise<PlatformProcess> {
  const { process: running, match } = await startProcess(process.execPath, [join(repoRoot, 'standalone/dist/src/main.js')], {
    env: {
      PATH: process.env.PATH,
      NATS_URL: testNatsUrls().join(','),
      NATS_REPLICAS: '3',
      JWT_SECRET_FILE: tempSecretFile(),
      FAAS_DATA_DIR: mkdtempSync(join(tmpdir(), 'faas-cli-platform-')),
      BCRYPT_COST: '4',
      ...LOOPBACK_EXEMPT,
      PORT: '0',
      HOST: '127.0.0.1',
      CONTAINER_LABELS: `${TEST_LABEL}=1`,
      LOG_LEVEL: 'warn',
    },
    ready: /FaaS platform listening on http:\/\/localhost:(\d+)/,
  });
  return { url: `http://127.0.0.1:${match[1]}`, process: running };
}

export const IMAGES = Object.freeze({
  echo: 'faas-test/echo:latest',
  upper: 'faas-test/upper:latest',
  fail: 'faas-test/fail:latest',
});

let built: Promise<void> | undefined;
export function buildImages(): Promise<void> {
  built ??= (async () => {
    await buildFunctionImage(IMAGES.echo, FUNCTION_SCRIPTS.echo);
    await buildFunctionImage(IMAGES.upper, FUNCTION_SCRIPTS.upper);
    await buildFunctionImage(IMAGES.fail, FUNCTION_SCRIPTS.fail);
  })();
  return built;
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One user of the CLI: their own config directory (XDG_CONFIG_HOME) and the gateway in
 * FAAS_GATEWAY, running `cli/bin/faas.js` as a real child process with pipes (never a terminal).
 */
export class CliUser {
  readonly username = uniqueName('cli');
  readonly password = `pw-${uniqueName()}`;
  readonly configHome = mkdtempSync(join(tmpdir(), 'faas-cli-config-'));
  readonly workDir = mkdtempSync(join(tmpdir(), 'faas-cli-work-'));

  constructor(readonly gateway: string) {}

  get configFile(): string {
    return join(this.configHome, 'faas', 'config.json');
  }

  run(args: readonly string[], input?: string): Promise<Run> {
    const child = spawn(process.execPath, [faasBin, ...args], {
      cwd: this.workDir,
      env: { PATH: process.env.PATH, HOME: this.workDir, XDG_CONFIG_HOME: this.configHome, FAAS_GATEWAY: this.gateway },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Runs and expects exit 0, showing stderr when not. */
  async ok(args: readonly string[], input?: string): Promise<Run> {
    const run = await this.run(args, input);
    expect(run.code, `faas ${args.join(' ')}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).to.equal(0);
    return run;
  }

  async json<T>(args: readonly string[], input?: string): Promise<T> {
    return JSON.parse((await this.ok(['--json', ...args], input)).stdout) as T;
  }

  async registerAndLogin(): Promise<void> {
    await this.ok(['register', '-u', this.username, '--password-stdin'], `${this.password}\n`);
    await this.ok(['login', '-u', this.username, '--password-stdin'], `${this.password}\n`);
  }

  /**
   * Runs on a pseudo-terminal (script(1)), typing each answer once the screen shows its prompt:
   * what a person at a terminal sees, echo included.
   */
  runOnTerminal(args: readonly string[], answers: ReadonlyArray<{ after: string; type: string }>): Promise<{ code: number | null; output: string }> {
    const command = [process.execPath, faasBin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: this.workDir,
      env: { PATH: process.env.PATH, HOME: this.workDir, XDG_CONFIG_HOME: this.configHome, FAAS_GATEWAY: this.gateway, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let next = 0;
    let answeredAt = 0;
    const onData = (c: Buffer): void => {
      output += c.toString('utf8');
      const answer = answers[next];
      // Each prompt must appear after the previous answer was typed.
      if (answer && output.indexOf(answer.after, answeredAt) !== -1) {
        next += 1;
        answeredAt = output.length;
        child.stdin.write(answer.type);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, output }));
    });
  }

  /** Writes a stack file into the user's working directory and returns its path. */
  writeStack(yaml: string, file = 'faas.yml'): string {
    const path = join(this.workDir, file);
    writeFileSync(path, yaml);
    return path;
  }
}

/** Terminal control characters: what a spinner or prompt would leave in a pipe. */
// eslint-disable-next-line no-control-regex -- these characters are what the assertion looks for
export const CONTROL_CHARS = /[\r\u001b]/;

/** The air-gapped bases the templates build on (bin/build-base-images.sh; it skips those present). */
export const BASE_IMAGES = ['faas-base/node:24-bookworm-slim', 'faas-base/python:3.11-bookworm'] as const;

export const imagePresent = (image: string): boolean => spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0;

export function ensureBaseImages(): void {
  if (BASE_IMAGES.every(imagePresent)) return;
  const run = spawnSync('bash', [join(repoRoot, 'bin/build-base-images.sh'), 'node', 'python'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bin/build-base-images.sh failed:\n${run.stdout}${run.stderr}`);
}

/** Removes every tag of these repositories (the images a test built). */
export function removeImages(repositories: readonly string[]): void {
  for (const repo of repositories) {
    const tags = spawnSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repo], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    if (tags.length > 0) spawnSync('docker', ['image', 'rm', '-f', ...tags], { stdio: 'ignore' });
  }
}
