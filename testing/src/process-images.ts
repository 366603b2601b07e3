import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TEST_LABEL } from './function-images.js';

const run = promisify(execFile);

/** The templates users get from `faas new` (a Dockerfile and a Lambda-style bootstrap each). */
const TEMPLATES = {
  node: { bootstrap: 'bootstrap.mjs', handler: 'handler.js' },
  python: { bootstrap: 'bootstrap.py', handler: 'handler.py' },
} as const;

/**
 * Builds `tag` from templates/<lang> with `handlerSource` as the handler (function/handler.js or
 * handler.py, with `handler`): the bootstrap users get serves the Runtime API in process mode and
 * runs the handler once on the argument in exec mode, so one image serves both.
 */
export async function buildHandlerImage(lang: keyof typeof TEMPLATES, tag: string, handlerSource: string, label = `${TEST_LABEL}=1`): Promise<string> {
  const template = fileURLToPath(new URL(`../../../templates/${lang}`, import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), `faas-${lang}-fn-`));
  try {
    for (const file of ['Dockerfile', TEMPLATES[lang].bootstrap]) copyFileSync(join(template, file), join(dir, file));
    mkdirSync(join(dir, 'function'));
    writeFileSync(join(dir, 'function', TEMPLATES[lang].handler), handlerSource);
    await run('docker', ['build', '-q', '--label', label, '-t', tag, dir], { maxBuffer: 16 << 20 });
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const buildNodeHandlerImage = (tag: string, handlerSource: string, label?: string): Promise<string> => buildHandlerImage('node', tag, handlerSource, label);

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
