import { call } from './http-client.js';
import { elapsedMs, summarize, type Summary } from './stats.js';

export interface HttpLoadResult {
  readonly name: string;
  readonly perSec: number;
  readonly latency: Summary;
}

/**
 * `concurrency` clients repeat one request for `seconds` (after a short warm-up); every answer
 * must have the expected status.
 */
export async function httpLoad(
  name: string,
  request: () => Promise<{ status: number; ms: number }>,
  expected: number,
  opts: { concurrency: number; seconds: number; warmupSeconds: number },
): Promise<HttpLoadResult> {
  const drive = async (seconds: number, samples: number[] | undefined): Promise<number> => {
    const started = process.hrtime.bigint();
    const until = Date.now() + seconds * 1000;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        const r = await request();
        if (r.status !== expected) throw new Error(`${name} answered ${r.status}, expected ${expected}`);
        samples?.push(r.ms);
        done++;
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    return done / (elapsedMs(started) / 1000);
  };
  await drive(opts.warmupSeconds, undefined);
  const samples: number[] = [];
  const perSec = await drive(opts.seconds, samples);
  return { name, perSec, latency: summarize(samples) };
}

export function authRegistryRequests(baseUrl: string, user: { username: string; password: string; token: string }, functionName: string) {
  return {
    login: () => call(`${baseUrl}/auth/login`, { body: { username: user.username, password: user.password } }),
    validate: () => call(`${baseUrl}/auth/validate`, { token: user.token }),
    functionGet: () => call(`${baseUrl}/registry/functions/${functionName}`, { token: user.token }),
  };
}

/** Section 4: login, validate and a function read, each by `concurrency` clients for `seconds`. */
export async function authRegistrySection(baseUrl: string, user: { username: string; password: string; token: string }, functionName: string, o: { concurrency: number; seconds: number }): Promise<HttpLoadResult[]> {
  const reqs = authRegistryRequests(baseUrl, user, functionName);
  const opts = { ...o, warmupSeconds: 1 };
  return [
    await httpLoad('`POST /auth/login` (bcrypt cost 10)', reqs.login, 200, opts),
    await httpLoad('`GET /auth/validate`', reqs.validate, 200, opts),
    await httpLoad('`GET /registry/functions/:name`', reqs.functionGet, 200, opts),
  ];
}
