import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { eventually } from '@faas/testing';

const run = promisify(execFile);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A node process that starts `sleep 60` (through reapOnExit or not), prints its pid and exits. */
async function orphanPid(reap: boolean): Promise<number> {
  const testing = import.meta.resolve('@faas/testing');
  const script = `import { spawn } from 'node:child_process'; import { reapOnExit } from '${testing}';
    const c = spawn('sleep', ['60'], { stdio: 'ignore' }); ${reap ? 'reapOnExit(c);' : ''}
    console.log(c.pid); setTimeout(() => process.exit(0), 100);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return Number(stdout.trim());
}

/** A test file run alone skips the proof suite's root hooks: its five services outlived mocha (stop 35). */
describe('reapOnExit: no child outlives the test process', () => {
  it('kills a child still running when the process exits; one not handed to it lives on', async () => {
    const reaped = await orphanPid(true);
    const kept = await orphanPid(false);
    try {
      expect(alive(kept), 'the control: a child not handed to reapOnExit').to.equal(true);
      await eventually(() => (alive(reaped) ? undefined : true), 5_000, 20);
    } finally {
      if (alive(kept)) process.kill(kept, 'SIGKILL');
    }
  });
});
