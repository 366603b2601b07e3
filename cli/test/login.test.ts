import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'chai';
import { CONTROL_CHARS, CliUser, startPlatformProcess, type PlatformProcess } from './support.js';

describe('faas register, login and the saved token', function () {
  this.timeout(60_000);
  let platform: PlatformProcess;

  before(async () => {
    platform = await startPlatformProcess();
  });
  after(() => platform.process.stop());

  it('logs in with --password-stdin and saves the token in a 0600 file under $XDG_CONFIG_HOME/faas', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    expect(statSync(user.configFile).mode & 0o777).to.equal(0o600);
    expect(statSync(dirname(user.configFile)).mode & 0o777).to.equal(0o700);
    const saved = JSON.parse(readFileSync(user.configFile, 'utf8')) as Record<string, string>;
    expect(saved).to.include({ gateway: platform.url, username: user.username });
    expect(saved.token).to.match(/^eyJ/);
    const me = await user.json<{ username: string }>(['whoami']);
    expect(me.username).to.equal(user.username);
  });

  it('makes the file 0600 again when a later login rewrites one that others could read', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    chmodSync(user.configFile, 0o644);
    await user.ok(['login', '-u', user.username, '--password-stdin'], user.password);
    expect(statSync(user.configFile).mode & 0o777).to.equal(0o600);
  });

  it('registers on a terminal, asking for the password twice and echoing neither', async () => {
    const user = new CliUser(platform.url);
    const typed = `${user.password}\r`;
    const screen = await user.runOnTerminal(['register', '-u', user.username], [
      { after: 'Password:', type: typed },
      { after: 'Password again:', type: typed },
    ]);
    expect(screen.code, screen.output).to.equal(0);
    expect(screen.output).to.include(`Registered ${user.username}`);
    expect(screen.output).not.to.include(user.password);
    await user.ok(['login', '-u', user.username, '--password-stdin'], user.password);
  });

  it('refuses to register when the two passwords differ, and creates no account', async () => {
    const user = new CliUser(platform.url);
    const screen = await user.runOnTerminal(['register', '-u', user.username], [
      { after: 'Password:', type: `${user.password}\r` },
      { after: 'Password again:', type: 'something-else\r' },
    ]);
    expect(screen.code).to.equal(1);
    expect(screen.output).to.include('the passwords do not match');
    const login = await user.run(['login', '-u', user.username, '--password-stdin'], user.password);
    expect(login.stderr).to.include('invalid username or password');
  });

  it('prompts on a terminal without echoing the password (a pseudo-terminal made by script(1))', async () => {
    const user = new CliUser(platform.url);
    await user.ok(['register', '-u', user.username, '--password-stdin'], user.password);
    const screen = await user.runOnTerminal(['login', '-u', user.username], [{ after: 'Password:', type: `${user.password}\r` }]);
    expect(screen.code, screen.output).to.equal(0);
    expect(screen.output).to.include(`as ${user.username}`);
    expect(screen.output).not.to.include(user.password);
    expect(statSync(user.configFile).mode & 0o777).to.equal(0o600);
  });

  it('refuses a wrong password with exit 1, the server message and its request id, and saves nothing', async () => {
    const user = new CliUser(platform.url);
    await user.ok(['register', '-u', user.username, '--password-stdin'], user.password);
    const run = await user.run(['login', '-u', user.username, '--password-stdin'], 'not-the-password\n');
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.match(/^faas: invalid username or password \(HTTP 401 UNAUTHENTICATED, request id [0-9a-f-]{36}\)/);
    expect(() => statSync(user.configFile)).to.throw(/ENOENT/);
  });

  it('gives the error as JSON on stderr with --json', async () => {
    const user = new CliUser(platform.url);
    const run = await user.run(['--json', 'login', '-u', user.username, '--password-stdin'], 'whatever-password');
    expect(run.code).to.equal(1);
    const body = JSON.parse(run.stderr) as { error: Record<string, unknown> };
    expect(body.error).to.include({ status: 401, code: 'UNAUTHENTICATED', message: 'invalid username or password' });
    expect(body.error.requestId).to.be.a('string');
  });

  it('passes the server validation message through for a registration it refuses', async () => {
    const user = new CliUser(platform.url);
    const run = await user.run(['register', '-u', 'x', '--password-stdin'], 'short');
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('username must be 3-32 characters');
    expect(run.stderr).to.include('HTTP 400 VALIDATION_FAILED, request id');
  });

  it('does not prompt without a terminal: it asks for --password-stdin and never hangs', async () => {
    const user = new CliUser(platform.url);
    const run = await user.run(['login', '-u', user.username]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('--password-stdin');
    expect(run.stderr).not.to.match(CONTROL_CHARS);
  });

  it('tells a user who never logged in to run faas login, before any request', async () => {
    const user = new CliUser('http://127.0.0.1:9');
    const run = await user.run(['list']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('faas: not logged in: run `faas login` first\n');
  });
});
