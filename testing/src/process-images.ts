import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TEST_LABEL } from './function-images.js';

const run = promisify(execFile);

/** The Node template users get from `faas new` (its Dockerfile and Lambda-style bootstrap). */
const NODE_TEMPLATE = fileURLToPath(new URL('../../../templates/node', import.meta.url));

/**
 * Builds `tag` from templates/node with `handlerSource` as the handler (function/handler.js,
 * exporting `handler`): the bootstrap users get serves the Runtime API in process mode and runs
 * the handler once on the argument in exec mode, so one image serves both.
 */
export async function buildNodeHandlerImage(tag: string, handlerSource: string, label = `${TEST_LABEL}=1`): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'faas-node-fn-'));
  try {
    for (const file of ['Dockerfile', 'bootstrap.mjs']) copyFileSync(join(NODE_TEMPLATE, file), join(dir, file));
    mkdirSync(join(dir, 'function'));
    writeFileSync(join(dir, 'function', 'handler.js'), handlerSource);
    await run('docker', ['build', '-q', '--label', label, '-t', tag, dir], { maxBuffer: 16 << 20 });
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A busybox sh Runtime API client (wget) around `handlerBody`, run for each invocation in a
 * subshell with the event (JSON quotes stripped) as $1; its output is the invocation's logs and
 * the result is "done". For images that must behave like an exec-mode script, in process mode.
 */
export function busyboxRuntimeClient(handlerBody: string): string {
  return [
    `handle() {\n${handlerBody}\n}`,
    'api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"',
    'while :; do',
    '  wget -q -S -O /tmp/event "$api/invocation/next" 2>/tmp/headers || exit 1',
    '  id=$(sed -n "s/^ *Lambda-Runtime-Aws-Request-Id: *//p" /tmp/headers | tr -d "\\r")',
    '  ( handle "$(sed "s/^\\"//; s/\\"$//" /tmp/event)" )',
    '  wget -q -O /dev/null --post-data=\'"done"\' "$api/invocation/$id/response"',
    'done',
    '',
  ].join('\n');
}
