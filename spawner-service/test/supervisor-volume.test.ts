import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUCKETS, openBucket } from '@faas/common';
import { TEST_LABEL, buildFunctionImage, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { loadSpawnerConfig } from '../src/config.js';
import { IMAGES, buildImages, connectTestClient, docker, execute, executionRequest, startTestSpawner, testSpawnerEnv } from './helpers.js';

const run = promisify(execFile);

/** Images that ship their own "supervisor" where the old filler copied an image's files from. */
const HOSTILE = {
  file: [
    'RUN ["/bin/sh", "-c", "mkdir -p /faas-fill && printf \'#!/bin/sh\\\\necho PWNED\\\\n\' > /faas-fill/faas-supervisor && chmod 755 /faas-fill/faas-supervisor && echo x > /faas-fill/.complete"]',
  ],
  directory: ['RUN ["/bin/sh", "-c", "mkdir -p /faas-fill/faas-supervisor && echo x > /faas-fill/.complete"]'],
  link: ['RUN ["/bin/sh", "-c", "mkdir -p /faas-fill && ln -s /bin/busybox /faas-fill/faas-supervisor && echo x > /faas-fill/.complete"]'],
} as const;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** What the named volume holds at faas-supervisor, read by a container of the test's own (NoCopy, read-only). */
async function digestInVolume(volume: string): Promise<string> {
  const { stdout } = await run('docker', [
    'run', '--rm', '--network', 'none', '--label', `${TEST_LABEL}=1`,
    '--mount', `type=volume,src=${volume},dst=/v,readonly,volume-nocopy`,
    '--entrypoint', '/bin/sha256sum', IMAGES.echo, '/v/faas-supervisor',
  ]);
  return stdout.split(' ')[0] ?? '';
}

/**
 * The supervisor volume is filled by the platform only. Each case uses a supervisor build of its
 * own (the platform's binary with a unique tail: an ELF runs the same), so its volume is new, as
 * on a fresh engine or after a supervisor rebuild, and the hostile image is the first to run.
 */
describe('spawner: the supervisor volume is filled by the platform only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faas-supervisor-'));
  let platform: Buffer;
  const volumes: string[] = [];

  before(async function () {
    this.timeout(180_000);
    platform = readFileSync(loadSpawnerConfig(testSpawnerEnv()).warm.supervisorBinary);
    await buildImages({ [IMAGES.echo]: 'printf "%s" "$1"\n' });
    await Promise.all(Object.entries(HOSTILE).map(([kind, lines]) => buildFunctionImage(`faas-test-sp-hostile-${kind}:latest`, 'printf "%s" "$1"\n', lines)));
    const client = await connectTestClient();
    await openBucket(client.nc, BUCKETS.functions, { replicas: 3 });
    await client.close();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all(volumes.map((v) => docker.getVolume(v).remove().catch(() => undefined)));
  });

  /** A supervisor build no engine has seen; returns its path and digest. */
  function freshBuild(): { path: string; digest: string } {
    const binary = Buffer.concat([platform, Buffer.from(`\n${uniqueName('build')}\n`)]);
    const path = join(dir, uniqueName('faas-supervisor'));
    writeFileSync(path, binary, { mode: 0o755 });
    volumes.push(`faas-supervisor-${sha256(binary).slice(0, 16)}`);
    return { path, digest: sha256(binary) };
  }

  async function warmRuns(build: { path: string }, firstImage: string): Promise<void> {
    const sut = await startTestSpawner({ SUPERVISOR_BINARY: build.path, WARM_DEFAULT: 'true', MAX_WARM_CONTAINERS: '4' });
    try {
      const attacker = await execute(sut, executionRequest(firstImage, 'mine', { userId: uniqueName('attacker') }), 30_000);
      expect(attacker, attacker.error ?? attacker.logs ?? '').to.include({ status: 'succeeded', result: 'mine' });
      const victim = await execute(sut, executionRequest(IMAGES.echo, 'theirs', { userId: uniqueName('victim') }), 30_000);
      expect(victim, victim.error ?? victim.logs ?? '').to.include({ status: 'succeeded', result: 'theirs' });
      expect(victim.result).to.not.include('PWNED');
    } finally {
      await sut.close();
    }
  }

  for (const kind of Object.keys(HOSTILE)) {
    it(`keeps the platform's binary when an image that ships a ${kind} at /faas-fill/faas-supervisor runs first`, async function () {
      this.timeout(90_000);
      const build = freshBuild();
      await warmRuns(build, `faas-test-sp-hostile-${kind}:latest`);
      expect(await digestInVolume(volumes.at(-1) ?? '')).to.equal(build.digest);
    });
  }

  it('rewrites a volume that an image poisoned before (the old copy-up) instead of trusting its marker', async function () {
    this.timeout(90_000);
    const build = freshBuild();
    const volume = volumes.at(-1) ?? '';
    // The old attack, done by hand: a container of the hostile image mounts the empty volume without NoCopy.
    await run('docker', ['create', '--label', `${TEST_LABEL}=1`, '--name', uniqueName('poison'), '--mount', `type=volume,src=${volume},dst=/faas-fill`, 'faas-test-sp-hostile-file:latest'])
      .then(({ stdout }) => run('docker', ['rm', stdout.trim()]));
    expect(await digestInVolume(volume)).to.not.equal(build.digest);
    await warmRuns(build, IMAGES.echo);
    expect(await digestInVolume(volume)).to.equal(build.digest);
  });
});
