import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { parse } from 'yaml';
import { CliUser, ensureBaseImages, removeImages, startPlatformProcess, type PlatformProcess } from './support.js';

interface Fn {
  name: string;
  image: string;
  runtime?: string;
  revision: number;
}

/** What `faas new` must leave for each language: the handler, its package file, the stack entry. */
const LANG_FILES = { node: ['handler.js', 'package.json'], python: ['handler.py', 'requirements.txt'] } as const;

describe('faas new, build, up, logs, remove: the author loop from templates/', function () {
  this.timeout(240_000);
  let platform: PlatformProcess;
  const images: string[] = [];

  before(async function () {
    // First run on a fresh machine: the air-gapped bases are built once (debootstrap), then cached.
    this.timeout(1_200_000);
    ensureBaseImages();
    platform = await startPlatformProcess();
  });
  after(async () => {
    await platform.process.stop();
    removeImages(images);
  });

  for (const lang of ['node', 'python'] as const) {
    it(`new --lang ${lang} writes the handler, its package file and a faas.yml entry, using no network`, async () => {
      const user = new CliUser('http://127.0.0.1:1');
      const name = uniqueName('runtimes');
      const run = await user.ok(['new', name, '--lang', lang]);
      expect(run.stdout).to.include(`added ${name} to faas.yml`);
      for (const file of LANG_FILES[lang]) expect(existsSync(join(user.workDir, name, file)), file).to.equal(true);
      const stack = parse(readFileSync(join(user.workDir, 'faas.yml'), 'utf8')) as { functions: Record<string, unknown> };
      expect(stack.functions[name]).to.deep.equal({ lang, handler: `./${name}`, image: `faas-fn/${name}:latest`, runtime: 'process' });
    });
  }

  it('new adds to an existing faas.yml, keeping its comments and functions, and refuses a name it has', async () => {
    const user = new CliUser('http://127.0.0.1:1');
    user.writeStack('# my stack\nfunctions:\n  echo:\n    image: faas-test/echo:latest # ready-made\n');
    await user.ok(['new', 'hello', '--lang', 'node']);
    const text = readFileSync(join(user.workDir, 'faas.yml'), 'utf8');
    expect(text).to.include('# my stack').and.include('# ready-made');
    expect(Object.keys((parse(text) as { functions: object }).functions)).to.deep.equal(['echo', 'hello']);
    const again = await user.run(['new', 'echo', '--lang', 'python']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('faas.yml already has a function named echo');
    expect(existsSync(join(user.workDir, 'echo'))).to.equal(false);
  });

  it('new refuses an invalid name, an unknown language and an existing folder, writing nothing', async () => {
    const user = new CliUser('http://127.0.0.1:1');
    const bad = await user.run(['new', '-bad', '--lang', 'node']);
    expect(bad.code).to.equal(1);
    const badName = await user.run(['new', 'a.b', '--lang', 'node']);
    expect(badName.stderr).to.include('invalid function name a.b');
    const badLang = await user.run(['new', 'ok', '--lang', 'cobol']);
    expect(badLang.code).to.not.equal(0);
    expect(badLang.stderr).to.include("Allowed choices are node, python");
    await user.ok(['new', 'twice', '--lang', 'node']);
    const twice = await user.run(['new', 'twice', '--lang', 'python', '-f', 'other.yml']);
    expect(twice.stderr).to.include('already exists');
    expect(existsSync(join(user.workDir, 'faas.yml'))).to.equal(true);
    expect(existsSync(join(user.workDir, 'other.yml'))).to.equal(false);
  });

  for (const lang of ['node', 'python'] as const) {
    it(`new -> up -> invoke runs a ${lang} Lambda handler in one warm process; logs shows what it printed; remove deletes it`, async () => {
      const user = new CliUser(platform.url);
      await user.registerAndLogin();
      const name = uniqueName('runtimes');
      images.push(`faas-fn/${name}`);
      await user.ok(['new', name, '--lang', lang]);
      const up = await user.ok(['up']);
      expect(up.stdout).to.match(new RegExp(`^created\\s+${name}\\n$`));
      const fn = await user.json<Fn>(['describe', name]);
      expect(fn.image).to.match(new RegExp(`^faas-fn/${name}:[0-9a-f]{12}$`));
      expect(fn.runtime).to.equal('process');

      expect((await user.ok(['invoke', name, '{"name":"Ann"}'])).stdout).to.equal('Hello, Ann!');
      expect((await user.ok(['invoke', name, 'plain text'])).stdout).to.equal('Hello, plain text!');
      const logs = await user.ok(['logs', name]);
      expect(logs.stdout.match(/^==> \S+ \S+ succeeded$/gm)).to.have.length(2);
      // The module variable survived between the two invocations: the same process served both.
      expect(logs.stdout).to.match(/: invocation 1 of this process\n==> .*\n.*: invocation 2 of this process/);

      await user.ok(['remove', name]);
      expect((await user.run(['describe', name])).code).to.equal(1);
    });
  }

  /** Lambda handlers written for Lambda, not for these templates: each must run as it is. */
  const LAMBDA_HANDLERS = {
    node: {
      file: 'handler.js',
      // CommonJS (no "type": "module") and Lambda's callback as the third parameter.
      package: '{"name": "cjs", "version": "1.0.0"}',
      code: 'exports.handler = function (event, context, callback) {\n  if (event.fail) return callback(new Error(`bad ${event.fail}`));\n  callback(null, { got: event, hasId: typeof context.awsRequestId === "string" });\n};\n',
    },
    python: {
      file: 'handler.py',
      package: '',
      code: 'def handler(event, context):\n    if "fail" in event:\n        raise ValueError("bad " + event["fail"])\n    return {"got": event, "hasId": isinstance(context.aws_request_id, str)}\n',
    },
  } as const;

  for (const lang of ['node', 'python'] as const) {
    it(`runs a ${lang} Lambda handler unchanged: JSON result, and a thrown error is a failed execution with the error in its logs`, async () => {
      const user = new CliUser(platform.url);
      await user.registerAndLogin();
      const name = uniqueName('runtimes');
      images.push(`faas-fn/${name}`);
      await user.ok(['new', name, '--lang', lang]);
      const lambda = LAMBDA_HANDLERS[lang];
      writeFileSync(join(user.workDir, name, lambda.file), lambda.code);
      if (lambda.package) writeFileSync(join(user.workDir, name, 'package.json'), lambda.package);
      await user.ok(['up']);
      const ok = await user.ok(['invoke', name, '{"a":[1,2]}']);
      expect(JSON.parse(ok.stdout)).to.deep.equal({ got: { a: [1, 2] }, hasId: true });
      const failed = await user.run(['--json', 'invoke', name, '{"fail":"input"}']);
      expect(failed.code).to.equal(1);
      const record = JSON.parse(failed.stdout) as { status: string; logs: string };
      expect(record.status).to.equal('failed');
      expect(record.logs).to.include('bad input');
      expect(JSON.parse((await user.ok(['invoke', name, '{"b":true}'])).stdout)).to.deep.equal({ got: { b: true }, hasId: true });
    });
  }

  it('up after an edit deploys the new code (a new image reference), and an unchanged handler stays unchanged', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    const name = uniqueName('runtimes');
    images.push(`faas-fn/${name}`);
    await user.ok(['new', name, '--lang', 'node']);
    await user.ok(['up']);
    expect((await user.ok(['invoke', name, 'x'])).stdout).to.equal('Hello, x!');
    const handler = join(user.workDir, name, 'handler.js');
    writeFileSync(handler, readFileSync(handler, 'utf8').replace('`Hello, ${name}!`', '`Bye, ${name}!`'));
    expect((await user.ok(['up'])).stdout).to.match(new RegExp(`^updated\\s+${name} \\(image\\)\\n$`));
    expect((await user.ok(['invoke', name, 'x'])).stdout).to.equal('Bye, x!');
    expect((await user.ok(['up'])).stdout).to.match(new RegExp(`^unchanged\\s+${name}\\n$`));
  });

  it('build says why it cannot build: no lang in the file, an unknown name, a missing handler folder', async () => {
    const user = new CliUser(platform.url);
    user.writeStack('functions:\n  ready:\n    image: faas-test/echo:latest\n  gone:\n    lang: node\n    handler: ./nowhere\n');
    const none = await user.run(['build', 'ready']);
    expect(none.stderr).to.include('ready: no lang in the stack file');
    const unknown = await user.run(['build', 'nosuch']);
    expect(unknown.stderr).to.include('no function named nosuch');
    const missing = await user.run(['build']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('handler folder');
  });

  it('logs of an unknown function is the server 404, not an empty list', async () => {
    const user = new CliUser(platform.url);
    await user.registerAndLogin();
    const run = await user.run(['logs', 'nosuch']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('function nosuch not found');
  });
});

