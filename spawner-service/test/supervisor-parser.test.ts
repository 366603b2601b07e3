import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const SUPERVISOR_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'supervisor');

/** The supervisor's frame parser, compiled with AddressSanitizer and fed lengths near 2^32. */
describe('supervisor: request frame parser (C, under AddressSanitizer)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'faas-parser-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an argument length whose sum with 4 wraps, and still parses well-formed requests', async function () {
    this.timeout(60_000);
    const binary = join(dir, 'parse-request-test');
    const sources = ['test/parse-request-test.c', 'scratch.c', 'pid1-state.c', 'process.c', 'runtime-api.c'].map((f) => join(SUPERVISOR_SRC, f));
    await run('cc', ['-fsanitize=address', '-g', '-Wall', '-o', binary, ...sources]);
    const { stdout } = await run(binary, [], { env: { ASAN_OPTIONS: 'detect_leaks=0' } }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`parser test failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    const lines = stdout.trim().split('\n');
    expect(lines).to.have.length(6);
    expect(lines.filter((l) => !l.startsWith('ok ')), stdout).to.deep.equal([]);
  });
});
