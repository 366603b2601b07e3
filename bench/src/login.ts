import { loadavg } from 'node:os';
import { call } from './http-client.js';
import { statCpuMs, threadCpuMs } from './platform-process.js';
import type { Row } from './report.js';
import { elapsedMs, fmtMs, fmtRatio, summarize, type Summary } from './stats.js';

/** The figure the issue starts from: logins per second with bcrypt on the event loop, 2 cores. */
export const OLD_LOGINS_PER_SEC = 16;

export interface LoginUser {
  readonly username: string;
  readonly password: string;
  readonly token: string;
}

export interface LoginSectionOptions {
  readonly seconds: number;
  /** Closed-loop login clients: enough to keep every pool thread busy. */
  readonly loginConcurrency: number;
  /** The `GET /auth/validate` probe: requests per second, sent on a fixed schedule (open loop). */
  readonly validateRate: number;
  /** The platform process, for its CPU (main thread apart from the others) and nats-server's. */
  readonly platformPid: number | undefined;
  readonly natsPid: number | undefined;
}

/** CPU ms spent meanwhile, per login. */
export interface CpuPerLogin {
  readonly platformMain: number;
  readonly platformOtherThreads: number;
  readonly nats: number;
  readonly benchClient: number;
}

export interface LoginFigures {
  readonly validateAlone: Summary;
  readonly validateUnderLogins: Summary;
  readonly loginsPerSec: number;
  readonly loginLatency: Summary;
  readonly cpuPerLogin: CpuPerLogin;
  /** 1-minute load average before and after the section: the machine is shared. */
  readonly loadAverage: readonly [number, number];
}

/** Sends `rate` requests per second on a fixed schedule until `until`, whatever answers are pending. */
async function validateProbe(baseUrl: string, token: string, rate: number, until: number): Promise<number[]> {
  const samples: number[] = [];
  const pending: Array<Promise<void>> = [];
  const interval = 1000 / rate;
  const start = Date.now();
  for (let i = 0; start + i * interval < until; i++) {
    const wait = start + i * interval - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      call(`${baseUrl}/auth/validate`, { token }).then((r) => {
        if (r.status !== 200) throw new Error(`GET /auth/validate answered ${r.status}`);
        samples.push(r.ms);
      }),
    );
  }
  await Promise.all(pending);
  return samples;
}

async function loginLoad(baseUrl: string, user: LoginUser, concurrency: number, until: number, samples: number[] | undefined): Promise<number> {
  let done = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const r = await call(`${baseUrl}/auth/login`, { body: { username: user.username, password: user.password } });
      if (r.status !== 200) throw new Error(`POST /auth/login answered ${r.status}`);
      samples?.push(r.ms);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

/**
 * Section 7: `GET /auth/validate` latency at a fixed rate with no other load (the baseline);
 * closed-loop clients saturating `POST /auth/login` (the rate, and where the CPU of a login
 * goes); then both at once: the same validate probe while logins saturate.
 */
export async function loginSection(baseUrl: string, user: LoginUser, opts: LoginSectionOptions): Promise<LoginFigures> {
  const load0 = loadavg()[0] ?? Number.NaN;
  const alone = await validateProbe(baseUrl, user.token, opts.validateRate, Date.now() + opts.seconds * 1000);
  // Warm-up: the pool's threads start (and JIT-compile bcrypt) on the first logins.
  await loginLoad(baseUrl, user, opts.loginConcurrency, Date.now() + 1_000, undefined);

  // Logins alone: the rate, and where the CPU of one login goes.
  const threads0 = threadCpuMs(opts.platformPid);
  const nats0 = statCpuMs(`/proc/${opts.natsPid ?? 0}/stat`);
  const client0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  const loginSamples: number[] = [];
  const logins = await loginLoad(baseUrl, user, opts.loginConcurrency, Date.now() + opts.seconds * 1000, loginSamples);
  const seconds = elapsedMs(started) / 1000;
  const threads1 = threadCpuMs(opts.platformPid);
  const client = process.cpuUsage(client0);
  const per = (ms: number): number => ms / logins;
  const cpuPerLogin = {
    platformMain: per(threads1.main - threads0.main),
    platformOtherThreads: per(threads1.others - threads0.others),
    nats: per(statCpuMs(`/proc/${opts.natsPid ?? 0}/stat`) - nats0),
    benchClient: per((client.user + client.system) / 1000),
  };

  // The same saturation with the validate probe alongside.
  const until = Date.now() + opts.seconds * 1000;
  const [, underLoad] = await Promise.all([loginLoad(baseUrl, user, opts.loginConcurrency, until, undefined), validateProbe(baseUrl, user.token, opts.validateRate, until)]);
  return {
    validateAlone: summarize(alone),
    validateUnderLogins: summarize(underLoad),
    loginsPerSec: logins / seconds,
    loginLatency: summarize(loginSamples),
    cpuPerLogin,
    loadAverage: [load0, loadavg()[0] ?? Number.NaN],
  };
}

const dist = (s: Summary): string => `p50 ${fmtMs(s.p50)} · p90 ${fmtMs(s.p90)} · p99 ${fmtMs(s.p99)} · max ${fmtMs(s.max)} ms (${s.n} requests)`;

export function loginRows(f: LoginFigures, opts: Pick<LoginSectionOptions, 'loginConcurrency' | 'validateRate'>): Row[] {
  const ratio = f.loginsPerSec / OLD_LOGINS_PER_SEC;
  const c = f.cpuPerLogin;
  const load = `load average ${f.loadAverage[0].toFixed(1)} → ${f.loadAverage[1].toFixed(1)}`;
  return [
    { section: '7 login', figure: `\`GET /auth/validate\` at ${opts.validateRate}/s, no other load (baseline)`, value: dist(f.validateAlone), target: '', met: '' },
    {
      section: '7 login',
      figure: `\`POST /auth/login\` (bcrypt cost 10), ${opts.loginConcurrency} clients`,
      value: `${f.loginsPerSec.toFixed(1)}/s = ${fmtRatio(ratio)} of ${OLD_LOGINS_PER_SEC}/s · p50 ${fmtMs(f.loginLatency.p50)} · p99 ${fmtMs(f.loginLatency.p99)} ms (${load})`,
      target: '≥ 1.80x',
      met: ratio >= 1.8 ? 'yes' : 'no',
    },
    {
      section: '7 login',
      figure: `\`GET /auth/validate\` at ${opts.validateRate}/s while logins saturate`,
      value: dist(f.validateUnderLogins),
      target: 'p99 < 20 ms',
      met: f.validateUnderLogins.p99 < 20 ? 'yes' : 'no',
    },
    {
      section: '7 login (CPU)',
      figure: 'CPU per login: platform main thread · platform other threads (bcrypt pool) · nats-server · bench client',
      value: `${[c.platformMain, c.platformOtherThreads, c.nats, c.benchClient].map(fmtMs).join(' · ')} ms`,
      target: '',
      met: '',
    },
  ];
}
