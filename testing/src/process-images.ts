import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_LABEL } from './function-images.js';

const run = promisify(execFile);

/** The air-gapped Node base (bin/build-base-images.sh). */
export const NODE_BASE_IMAGE = 'faas-base/node:24-bookworm-slim';

/**
 * A small Lambda-style Node bootstrap: with AWS_LAMBDA_RUNTIME_API set (process mode) it asks
 * the Runtime API for invocations over one keep-alive connection and calls
 * `handler(event, context)` from /var/task/index.js; without it (exec mode) it runs the handler
 * once on the argument and prints the result, so one image serves both modes.
 */
const BOOTSTRAP = String.raw`'use strict';
const http = require('node:http');
const { handler } = require('/var/task/index.js');
const toResult = (value) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
if (!api) {
  let event; try { event = JSON.parse(process.argv[2] ?? ''); } catch { event = process.argv[2] ?? ''; }
  Promise.resolve(handler(event, { awsRequestId: 'exec', getRemainingTimeInMillis: () => 0 }))
    .then((r) => process.stdout.write(toResult(r)), (e) => { console.error(e); process.exitCode = 1; });
} else {
  const [hostname, port] = api.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method, path, body) => new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ hostname, port, method, path: '/2018-06-01/runtime' + path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
  (async () => {
    for (;;) {
      const next = await call('GET', '/invocation/next');
      const id = next.headers['lambda-runtime-aws-request-id'];
      const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
      const context = { awsRequestId: id, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => deadline - Date.now() };
      try {
        const result = await handler(JSON.parse(next.body), context);
        await call('POST', '/invocation/' + id + '/response', JSON.stringify(result === undefined ? null : result));
      } catch (err) {
        const body = JSON.stringify({ errorType: err && err.name ? err.name : 'Error', errorMessage: err && err.message ? err.message : String(err) });
        await call('POST', '/invocation/' + id + '/error', body);
      }
    }
  })().catch((err) => { console.error(err); process.exit(1); });
}
`;

/** Builds `tag` from the Node base: the bootstrap above and `handlerSource` as /var/task/index.js. */
export async function buildNodeHandlerImage(tag: string, handlerSource: string, label = `${TEST_LABEL}=1`): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'faas-node-fn-'));
  try {
    writeFileSync(join(dir, 'bootstrap.js'), BOOTSTRAP);
    writeFileSync(join(dir, 'index.js'), handlerSource);
    writeFileSync(
      join(dir, 'Dockerfile'),
      [`FROM ${NODE_BASE_IMAGE}`, 'COPY bootstrap.js /opt/bootstrap.js', 'COPY index.js /var/task/index.js', 'ENTRYPOINT ["node", "/opt/bootstrap.js"]', 'CMD []', ''].join('\n'),
    );
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
