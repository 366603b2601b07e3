import { expect } from 'chai';
import { eventually } from '@faas/testing';
import { CONTROL_CHARS, CliUser, IMAGES, buildImages, startPlatformProcess, type PlatformProcess } from './support.js';

interface Record_ {
  id: string;
  function: string;
  status: string;
  result: string | null;
  logs: string | null;
  exitCode: number | null;
}

/** Each function, its argument, and what every mode must give back. */
const CASES = [
  { name: 'echo', argument: 'Hola, Mundo!', stdout: 'Hola, Mundo!', stderr: '', code: 0, status: 'succeeded' },
  { name: 'upper', argument: 'hola mundo', stdout: 'HOLA MUNDO', stderr: '', code: 0, status: 'succeeded' },
  { name: 'fail', argument: 'x', stdout: 'partial output\n', stderr: 'something broke\n', code: 3, status: 'failed' },
] as const;

const STACK = `functions:
  echo:
    image: ${IMAGES.echo}
  upper:
    image: ${IMAGES.upper}
  fail:
    image: ${IMAGES.fail}
`;

describe('faas invoke and executions', function () {
  this.timeout(120_000);
  let platform: PlatformProcess;
  let user: CliUser;

  before(async () => {
    await buildImages();
    platform = await startPlatformProcess();
    user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
  });
  after(() => platform.process.stop());

  for (const c of CASES) {
    it(`runs ${c.name} synchronously: result on stdout, logs on stderr, exit code ${c.code}`, async () => {
      const run = await user.run(['invoke', c.name, c.argument]);
      expect(run.code, run.stderr).to.equal(c.code);
      expect(run.stdout).to.equal(c.stdout);
      if (c.status === 'succeeded') expect(run.stderr).to.equal('');
      else expect(run.stderr, run.stderr).to.match(new RegExp(`^${c.stderr}faas: execution \\S+ failed: exited with code 3\\n$`));
    });

    it(`queues ${c.name} with --async, printing only the id, and the execution ends ${c.status}`, async () => {
      const run = await user.ok(['invoke', c.name, c.argument, '--async']);
      const id = run.stdout.trim();
      expect(run.stdout).to.match(/^\S+\n$/);
      const record = await eventually(async () => {
        const r = await user.json<Record_>(['execution', id]);
        return r.status === 'queued' || r.status === 'running' ? undefined : r;
      }, 30_000, 200);
      expect(record).to.include({ id, function: c.name, status: c.status, result: c.stdout });
    });

    it(`runs ${c.name} with --async --wait: polls to the end and prints it as a sync call does`, async () => {
      const run = await user.run(['invoke', c.name, c.argument, '--async', '--wait']);
      expect(run.code, run.stderr).to.equal(c.code);
      expect(run.stdout).to.equal(c.stdout);
      expect(run.stderr.startsWith(c.stderr)).to.equal(true);
      expect(run.stderr).not.to.match(CONTROL_CHARS);
    });
  }

  it('shows a spinner on a terminal, and only the result once it is done', async () => {
    const screen = await user.runOnTerminal(['invoke', 'echo', 'on a terminal'], []);
    expect(screen.code, screen.output).to.equal(0);
    expect(screen.output).to.match(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏].{0,12}Running echo/);
    expect(screen.output).to.include('on a terminal');
  });

  it('reads the argument from stdin when none is given', async () => {
    const run = await user.ok(['invoke', 'upper'], 'from a pipe\n');
    expect(run.stdout).to.equal('FROM A PIPE\n');
  });

  it('prints the whole record with --json, and still exits with the execution status', async () => {
    const run = await user.run(['--json', 'invoke', 'fail', 'x']);
    expect(run.code).to.equal(3);
    const record = JSON.parse(run.stdout) as Record_;
    expect(record).to.include({ function: 'fail', status: 'failed', exitCode: 3, result: 'partial output\n', logs: 'something broke\n' });
  });

  it('exits non-zero with the server message for an unknown function, sync and async', async () => {
    for (const args of [['invoke', 'nosuch', 'x'], ['invoke', 'nosuch', 'x', '--async']]) {
      const run = await user.run(args);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(/^faas: function nosuch not found \(HTTP 404 NOT_FOUND, request id [0-9a-f-]{36}\)\n$/);
    }
  });

  it('lists executions newest first, filtered by function and limited', async () => {
    const ids: string[] = [];
    for (const arg of ['one', 'two', 'three']) ids.push((await user.ok(['invoke', 'echo', arg, '--async'])).stdout.trim());
    const listed = await user.json<Record_[]>(['executions', '--function', 'echo', '--limit', '2']);
    expect(listed.map((e) => e.id)).to.deep.equal([ids[2], ids[1]]);
    expect(listed.every((e) => e.function === 'echo')).to.equal(true);

    const table = await user.ok(['executions', '--function', 'echo', '--limit', '2']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^ID\s+FUNCTION\s+STATUS\s+EXIT\s+DURATION\s+QUEUED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).to.deep.equal([ids[2], ids[1]]);
  });

  it('shows one execution with its result and logs, and 404s an unknown id with the server message', async () => {
    const run = await user.run(['invoke', 'fail', 'x']);
    const id = /execution (\S+) failed/.exec(run.stderr)?.[1] ?? '';
    const shown = await user.ok(['execution', id]);
    expect(shown.stdout).to.include(`id:         ${id}`);
    expect(shown.stdout).to.include('status:     failed');
    expect(shown.stdout).to.include('result:\n  partial output\nlogs:\n  something broke\n');
    const missing = await user.run(['execution', 'no-such-id']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('execution no-such-id not found');
  });

  it('refuses a --limit outside 1-200 before any request', async () => {
    const run = await user.run(['executions', '--limit', '0']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('--limit must be a whole number from 1 to 200');
  });
});
