// The Node.js template's runtime: runs a Lambda handler unchanged.
//
// Process mode (AWS_LAMBDA_RUNTIME_API set, by the warm container's supervisor): the AWS Lambda
// Runtime API, one invocation at a time, for as long as the process lives:
//   GET  /2018-06-01/runtime/invocation/next           -> the event (body) and its request id,
//                                                          deadline and ARN (Lambda-Runtime-* headers)
//   POST /2018-06-01/runtime/invocation/{id}/response  <- the handler's result, JSON
//   POST /2018-06-01/runtime/invocation/{id}/error     <- {errorMessage, errorType, stackTrace}
//   POST /2018-06-01/runtime/init/error                <- the same, when the handler cannot load
// Exec mode (no AWS_LAMBDA_RUNTIME_API: the platform's default contract): the argument is the
// last argv element; the result goes to stdout (a string as-is, anything else as JSON), an error
// to stderr with exit code 1.
//
// The handler is _HANDLER ("file.export", Lambda's convention) in LAMBDA_TASK_ROOT; it may be
// async, return a promise, or take Lambda's callback as its third parameter; CommonJS or ESM.
import { existsSync, writeSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT ?? '/var/task';
const HANDLER = process.env._HANDLER ?? 'handler.handler';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** "dir/file.a.b" -> the module dir/file.{js,mjs,cjs} and its export a.b. */
async function loadHandler() {
  const slash = HANDLER.lastIndexOf('/');
  const dot = HANDLER.indexOf('.', slash + 1);
  if (dot === -1) throw Object.assign(new Error(`Bad handler ${HANDLER}: expected file.export`), { name: 'Runtime.MalformedHandlerName' });
  const base = join(TASK_ROOT, HANDLER.slice(0, dot));
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw Object.assign(new Error(`Cannot find module ${base}.js (.mjs, .cjs)`), { name: 'Runtime.ImportModuleError' });
  const mod = await import(pathToFileURL(file).href);
  const path = HANDLER.slice(dot + 1).split('.');
  const pick = (root) => path.reduce((value, key) => (value === null || value === undefined ? undefined : value[key]), root);
  const fn = pick(mod) ?? pick(mod.default);
  if (typeof fn !== 'function') throw Object.assign(new Error(`${HANDLER} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  return fn;
}

/** Calls the handler the way Lambda does: its promise, else its callback. */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    Object.assign(context, { done: callback, succeed: (r) => resolve(r), fail: (e) => reject(e) });
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (err) {
      reject(err);
    }
  });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: e.name || 'Error', errorMessage: e.message, stackTrace: String(e.stack ?? '').split('\n').slice(1).map((l) => l.trim()) };
}

function parseEvent(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function request(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`http://${API}${path}`, { method, agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function contextOf(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] ?? Date.now() + 60_000);
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? HANDLER,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function serve(handler) {
  for (;;) {
    const next = await request('GET', '/2018-06-01/runtime/invocation/next');
    if (next.status !== 200) throw new Error(`runtime API: /next answered ${next.status}`);
    const context = contextOf(next.headers);
    const base = `/2018-06-01/runtime/invocation/${context.awsRequestId}`;
    try {
      const result = await callHandler(handler, parseEvent(next.body), context);
      await request('POST', `${base}/response`, JSON.stringify(result) ?? 'null');
    } catch (err) {
      process.stderr.write(`Invoke Error ${err instanceof Error ? err.stack : String(err)}\n`);
      await request('POST', `${base}/error`, JSON.stringify(errorBody(err)), { 'lambda-runtime-function-error-type': 'Unhandled' });
    }
  }
}

/** stdout is the result here, so what the handler logs there goes to stderr, as in process mode it goes to the logs. */
async function runOnce(handler) {
  const argument = process.argv.length > 2 ? process.argv[process.argv.length - 1] : '';
  process.stdout.write = process.stderr.write.bind(process.stderr);
  const result = await callHandler(handler, parseEvent(argument), contextOf({}));
  if (result !== undefined) writeSync(1, typeof result === 'string' ? result : JSON.stringify(result));
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    process.stderr.write(`Init Error ${err instanceof Error ? err.stack : String(err)}\n`);
    if (API) await request('POST', '/2018-06-01/runtime/init/error', JSON.stringify(errorBody(err)), { 'lambda-runtime-function-error-type': 'Runtime.Unknown' });
    process.exit(1);
  }
  if (API) return serve(handler);
  try {
    await runOnce(handler);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  }
}

await main();
