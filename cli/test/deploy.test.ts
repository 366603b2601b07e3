import { expect } from 'chai';
import { CONTROL_CHARS, CliUser, IMAGES, buildImages, startPlatformProcess, type PlatformProcess } from './support.js';

interface Change {
  name: string;
  action: string;
  fields: string[];
}
interface Fn {
  name: string;
  image: string;
  description: string;
  env: Record<string, string>;
  memoryMb: number;
  timeoutSeconds: number;
  revision: number;
}

const STACK = `# three functions, as a user writes them
version: 1
functions:
  echo:
    image: ${IMAGES.echo}
    description: prints its argument
  upper:
    image: ${IMAGES.upper}
    description: upper-cases its argument
    limits:
      timeoutSeconds: 10
      memoryMb: 128
    env:
      LANG: C
      RETRIES: 3
  fail:
    image: ${IMAGES.fail}
`;

const actions = (changes: Change[]): Record<string, string> => Object.fromEntries(changes.map((c) => [c.name, c.action]));

async function revisions(user: CliUser): Promise<Record<string, number>> {
  const items = await user.json<Fn[]>(['list']);
  return Object.fromEntries(items.map((f) => [f.name, f.revision]));
}

describe('faas deploy -f faas.yml', function () {
  this.timeout(90_000);
  let platform: PlatformProcess;

  before(async () => {
    await buildImages();
    platform = await startPlatformProcess();
  });
  after(() => platform.process.stop());

  it('creates every function of the file with its description, limits and env', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    const file = user.writeStack(STACK);
    const result = await user.json<{ changes: Change[] }>(['deploy', '-f', file]);
    expect(actions(result.changes)).to.deep.equal({ echo: 'created', upper: 'created', fail: 'created' });

    const upper = await user.json<Fn>(['describe', 'upper']);
    expect(upper).to.include({ image: IMAGES.upper, description: 'upper-cases its argument', timeoutSeconds: 10, memoryMb: 128, revision: 1 });
    expect(upper.env).to.deep.equal({ LANG: 'C', RETRIES: '3' });
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'fail', 'upper']);
  });

  it('is idempotent: a second deploy of the same file changes nothing', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
    const before = await revisions(user);
    const run = await user.ok(['deploy']);
    expect(run.stdout).to.equal('unchanged   echo\nunchanged   upper\nunchanged   fail\n');
    expect(run.stderr).not.to.match(CONTROL_CHARS);
    expect(await revisions(user)).to.deep.equal(before);
  });

  it('updates only the function whose definition changed, naming the changed fields', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
    const before = await revisions(user);

    user.writeStack(STACK.replace('memoryMb: 128', 'memoryMb: 64'));
    const run = await user.ok(['deploy']);
    expect(run.stdout).to.equal('unchanged   echo\nupdated     upper (memoryMb)\nunchanged   fail\n');
    expect(await revisions(user)).to.deep.equal({ ...before, upper: (before.upper ?? 0) + 1 });
    const upper = await user.json<Fn>(['describe', 'upper']);
    // The fields the file still names keep their values; only memory moved.
    expect(upper).to.include({ memoryMb: 64, timeoutSeconds: 10, description: 'upper-cases its argument' });
    expect(upper.env).to.deep.equal({ LANG: 'C', RETRIES: '3' });
  });

  it('reports functions the file no longer names, and removes them with --prune', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
    const withoutFail = STACK.slice(0, STACK.indexOf('  fail:'));
    user.writeStack(withoutFail);

    const kept = await user.ok(['deploy']);
    expect(kept.stdout).to.include('not in file fail (kept; --prune removes it)');
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'fail', 'upper']);

    const pruned = await user.json<{ changes: Change[] }>(['deploy', '--prune', '--yes']);
    expect(actions(pruned.changes)).to.deep.equal({ echo: 'unchanged', upper: 'unchanged', fail: 'removed' });
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'upper']);
    const gone = await user.run(['describe', 'fail']);
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.match(/function fail not found \(HTTP 404 NOT_FOUND, request id /);
  });

  it('refuses --prune with a file that names no functions, and removes nothing', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
    user.writeStack('version: 1\nfunctions: {}\n');
    const run = await user.run(['deploy', '--prune', '--yes']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('refusing --prune: faas.yml names no functions, so it would remove all 3 of yours');
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'fail', 'upper']);
  });

  it('asks before --prune removes anything: a script without --yes is refused, a terminal is asked', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
    user.writeStack(STACK.slice(0, STACK.indexOf('  fail:')));
    const script = await user.run(['deploy', '--prune']);
    expect(script.code).to.equal(1);
    expect(script.stderr).to.include('--prune would remove 1 function (fail): add --yes to confirm');
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'fail', 'upper']);

    const declined = await user.runOnTerminal(['deploy', '--prune'], [{ after: 'Go on? [y/N]', type: 'n\r' }]);
    expect(declined.code, declined.output).to.equal(1);
    expect(declined.output).to.include('--prune will remove 1 function (fail)');
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'fail', 'upper']);
    const accepted = await user.runOnTerminal(['deploy', '--prune'], [{ after: 'Go on? [y/N]', type: 'y\r' }]);
    expect(accepted.code, accepted.output).to.equal(0);
    expect(accepted.output).to.include('removed     fail');
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['echo', 'upper']);
  });

  it('changes nothing with --dry-run and says what it would do', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    const run = await user.ok(['deploy', '--dry-run']);
    expect(run.stdout).to.equal('created     echo\ncreated     upper\ncreated     fail\n(dry run: nothing was changed)\n');
    expect(await user.json<Fn[]>(['list'])).to.deep.equal([]);
  });

  it('refuses a stack file with a mistake before any request, naming the field', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(`functions:\n  echo:\n    imgae: ${IMAGES.echo}\n`);
    const run = await user.run(['deploy']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('faas.yml: functions.echo.image: image is required');
    expect(run.stderr).to.include('imgae');
    expect(await user.json<Fn[]>(['list'])).to.deep.equal([]);
  });

  it("stops at the registry's refusal with its message, the function's name and the request id", async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(`functions:\n  good:\n    image: ${IMAGES.echo}\n  slow:\n    image: ${IMAGES.echo}\n    limits:\n      timeoutSeconds: 601\n`);
    const run = await user.run(['deploy']);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('created     good\n');
    expect(run.stderr).to.match(/^faas: slow: timeoutSeconds: timeoutSeconds must be at most 600 \(MAX_TIMEOUT_SECONDS\) \(HTTP 400 VALIDATION_FAILED, request id /);
  });

  it('creates the triggers a function names (object kind too) after the functions, leaves them unchanged, and updates or replaces them', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    const stack = (trigger: string): string => `functions:\n  echo:\n    image: ${IMAGES.echo}\n    triggers:\n      on-upload:\n${trigger}`;
    type Deployed = { changes: Change[]; triggers?: Array<Change & { function: string; url?: string }> };
    const deploy = async (trigger: string): Promise<Deployed> => {
      user.writeStack(stack(trigger));
      return user.json<Deployed>(['deploy']);
    };
    const object = '        kind: object\n        events: [created, deleted]\n        prefix: incoming/\n';
    const first = await deploy(object);
    expect(actions(first.changes)).to.deep.equal({ echo: 'created' });
    expect(first.triggers).to.deep.equal([{ name: 'on-upload', function: 'echo', action: 'created', fields: [] }]);
    expect((await deploy(object)).triggers?.[0]?.action).to.equal('unchanged');
    const moved = await deploy(object.replace('incoming/', 'uploads/'));
    expect(moved.triggers?.[0]).to.include({ action: 'updated' });
    expect(moved.triggers?.[0]?.fields).to.deep.equal(['prefix']);
    const hook = await deploy('        kind: webhook\n');
    expect(hook.triggers?.[0]).to.include({ action: 'replaced' });
    expect(hook.triggers?.[0]?.url).to.match(/^\/publisher\/hooks\//);
    user.writeStack(stack('        kind: object\n        prefix: ../up\n'));
    const refused = await user.run(['deploy']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('trigger on-upload: prefix');
    user.writeStack(stack('        kind: upload\n'));
    const typo = await user.run(['deploy']);
    expect(typo.stderr).to.include('functions.echo.triggers.on-upload.kind: kind must be one of schedule, webhook, function-finished, object');
  });

  it('removes one function with faas remove', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(STACK);
    await user.ok(['deploy']);
    expect((await user.ok(['remove', 'echo'])).stdout).to.equal('removed echo\n');
    expect((await user.json<Fn[]>(['list'])).map((f) => f.name)).to.deep.equal(['fail', 'upper']);
    const again = await user.run(['remove', 'echo']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('function echo not found');
  });

  it('deploys http and public from the file, and shows an HTTP function’s URL in deploy, list and describe', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    user.writeStack(`functions:\n  site:\n    image: ${IMAGES.echo}\n    http: true\n    public: true\n  plain:\n    image: ${IMAGES.echo}\n`);
    const url = `${platform.url}/publisher/fn/${user.username}/site/`;
    expect((await user.ok(['deploy'])).stdout).to.equal(`created     site\n            ${url}\ncreated     plain\n`);
    const listed = (await user.ok(['list'])).stdout.split('\n');
    expect(listed[0]).to.match(/^NAME +IMAGE +REVISION +UPDATED +DESCRIPTION +URL$/);
    expect(listed.find((l) => l.startsWith('site '))).to.match(new RegExp(`${url}$`));
    expect(listed.find((l) => l.startsWith('plain '))).to.not.include('/publisher/fn/');
    expect((await user.ok(['describe', 'site'])).stdout).to.include(`url:            ${url}`);
    // The URL answers without a token: the echo image prints its event.
    const res = await fetch(`${url}hello?x=1`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.include({ rawPath: '/hello', rawQueryString: 'x=1' });
    // Unchanged on a second deploy; the URL is still shown. Dropping `http` makes it an ordinary function.
    expect((await user.ok(['deploy'])).stdout).to.equal(`unchanged   site\n            ${url}\nunchanged   plain\n`);
    user.writeStack(`functions:\n  site:\n    image: ${IMAGES.echo}\n    http: false\n  plain:\n    image: ${IMAGES.echo}\n`);
    expect((await user.ok(['deploy'])).stdout).to.equal('updated     site (http)\nunchanged   plain\n');
    expect((await fetch(url)).status).to.equal(404);
  });
});
