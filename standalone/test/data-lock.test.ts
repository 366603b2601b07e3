import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../src/data-lock.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startMain(dataDir: string): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, FAAS_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', STANDALONE_SPAWNER: 'false', LOG_LEVEL: 'warn' };
  delete env.NATS_URL;
  delete env.JWT_SECRET_FILE;
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until(what: string, check: () => boolean, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('standalone: one platform per data directory', function () {
  this.timeout(60_000);
  const tempDir = () => mkdtempSync(join(tmpdir(), 'faas-lock-'));

  it('refuses a second lock while the holder lives, with its pid in the message', () => {
    const dir = tempDir();
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir, process.pid + 1)).to.throw(DataDirLockedError, `pid ${process.pid}`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).to.equal(false);
    lockDataDir(dir, process.pid + 1).release();
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir, process.pid + 1)).to.throw(DataDirLockedError);
    lock.release();
  });

  it('a second npm start on the same .data/ exits 1 with a clear message and leaves the first running', async () => {
    const dir = tempDir();
    const first = startMain(dir);
    try {
      await until('the first platform', () => first.output().includes('FaaS platform listening on'));
      const second = startMain(dir);
      expect(await second.exited, second.output()).to.equal(1);
      expect(second.output()).to.include(`in use by another standalone platform (pid ${first.child.pid})`).and.include('FAAS_DATA_DIR');
      expect(second.output()).not.to.include('started a local nats-server');
      expect(first.child.exitCode).to.equal(null);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    expect(readdirSync(dir)).not.to.include(LOCK_FILE);
  });
});
