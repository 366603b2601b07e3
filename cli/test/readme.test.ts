import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { CliUser, ensureBaseImages, faasBin, removeImages, repoRoot, startPlatformProcess, type PlatformProcess } from './support.js';

/** The README's `faas new` block: the sh code block that follows the paragraph introducing it. */
function readmeBlock(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('Write a function of your own in Node.js');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  expect(start, 'the README introduces faas new').to.be.greaterThan(-1);
  return (block?.[1] ?? '').trimEnd().split('\n');
}

describe('README: faas new -> faas up -> faas invoke, replayed as written', function () {
  this.timeout(300_000);
  let platform: PlatformProcess;

  before(async function () {
    this.timeout(1_200_000);
    ensureBaseImages();
    platform = await startPlatformProcess();
  });
  after(() => platform.process.stop());

  it('runs every line of the block from the repository root; each "# -> X" line prints X', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    // Unique on the shared engine and NATS cluster: the function (and so its image and folder).
    const name = uniqueName('runtimes');
    const lines = readmeBlock().map((line) => line.replaceAll('hello', name));
    expect(lines.some((l) => l.startsWith('npx faas new '))).to.equal(true);
    expect(lines.some((l) => l.startsWith('npx faas up'))).to.equal(true);
    // Each line runs verbatim (npx faas is this build's bin/faas.js), after a marker to split the output by.
    const script = lines.map((line, i) => `printf '\\n@@@ ${i}\\n'\n${line.replace(/^npx faas /, `node ${faasBin} `)}`).join('\n');
    try {
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: user.workDir, XDG_CONFIG_HOME: user.configHome, FAAS_GATEWAY: platform.url },
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).to.equal(0);
      const outputs = run.stdout.split(/\n@@@ \d+\n/).slice(1);
      lines.forEach((line, i) => {
        const expected = /#\s*->\s*(.*)$/.exec(line)?.[1];
        if (expected !== undefined) expect(outputs[i]?.trimEnd(), line).to.equal(expected.trimEnd());
      });
      expect(outputs.at(-1), 'faas logs shows the handler output').to.match(/invocation 1 of this process/);
    } finally {
      rmSync(join(repoRoot, '.data', `${name}-app`), { recursive: true, force: true });
      removeImages([`faas-fn/${name}`]);
    }
  });
});
