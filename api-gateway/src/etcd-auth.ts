import { AppError, UnavailableError } from '@faas/common';
import axios, { type AxiosInstance } from 'axios';
import type { GatewayLog } from './admin-client.js';

export interface EtcdAuthSettings {
  /** etcd's client URL; its v3 JSON gateway answers under /v3/. */
  readonly url: string;
  readonly rootPassword: string;
  /** The user APISIX connects as (apisix-config.yaml, deployment.etcd.user). */
  readonly apisixUser: string;
  readonly apisixPassword: string;
  /** The only key prefix that user may read and write (deployment.etcd.prefix). */
  readonly prefix: string;
}

export interface EtcdAuthOptions {
  readonly log: GatewayLog;
  /** How long etcd may take to answer at all. */
  readonly retryWindowMs: number;
  readonly retryDelayMs?: number;
}

/** etcd answered, with an error (grpc-gateway's `{error, code, message}` body). */
class EtcdRefusal extends Error {}

const b64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');

/** The end of a prefix range: the prefix with its last byte incremented (etcdctl's --prefix). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) + 1;
  return bytes.toString('base64');
}

/**
 * Turns etcd auth on, idempotently, through etcd's v3 JSON gateway (no init script needed in the
 * etcd image): the root user (role root), and a user for APISIX whose role may read and write the
 * APISIX prefix only. On a later run, auth is already on: root logs in, and the APISIX user and
 * role are made to match the secrets again (a changed password is applied; an unchanged one is
 * left alone, so APISIX's token stays valid). Tested against a real etcd 3.5.
 */
export async function ensureEtcdAuth(settings: EtcdAuthSettings, options: EtcdAuthOptions): Promise<'enabled' | 'kept'> {
  const http = axios.create({ baseURL: settings.url.replace(/\/+$/, ''), timeout: 10_000, validateStatus: () => true, proxy: false, maxRedirects: 0 });
  const secrets = [settings.rootPassword, settings.apisixPassword];
  const call = (path: string, body: object, token?: string) => post(http, path, body, token, secrets);
  const token = await waitForEtcd(() => login(call, settings.rootPassword), options);
  if (token === undefined) {
    // A root left by an earlier attempt (auth never enabled) may hold another password: the secret's wins.
    const rootAdded = await call('/v3/auth/user/add', { name: 'root', password: settings.rootPassword }).then(() => true, tolerate(/already exists/, false));
    if (!rootAdded) await call('/v3/auth/user/changepw', { name: 'root', password: settings.rootPassword });
    await call('/v3/auth/user/grant', { user: 'root', role: 'root' }).catch(tolerate(/already/));
    await ensureApisixUser(call, settings);
    await call('/v3/auth/enable', {});
    options.log.info({ etcd: settings.url, user: settings.apisixUser, prefix: settings.prefix }, 'etcd auth enabled');
    return 'enabled';
  }
  await ensureApisixUser((path, body) => call(path, body, token), settings);
  options.log.info({ etcd: settings.url, user: settings.apisixUser, prefix: settings.prefix }, 'etcd auth already on: APISIX user checked');
  return 'kept';
}

type Call = (path: string, body: object, token?: string) => Promise<Record<string, unknown>>;

async function ensureApisixUser(call: Call, settings: EtcdAuthSettings): Promise<void> {
  const role = settings.apisixUser;
  await call('/v3/auth/role/add', { name: role }).catch(tolerate(/already exists/));
  await call('/v3/auth/role/grant', { name: role, perm: { permType: 'READWRITE', key: b64(settings.prefix), range_end: prefixEnd(settings.prefix) } });
  const added = await call('/v3/auth/user/add', { name: settings.apisixUser, password: settings.apisixPassword }).then(
    () => true,
    tolerate(/already exists/, false),
  );
  // changepw drops every token of the user, so APISIX would be logged out on every re-run: only
  // when the secret's password no longer logs in.
  if (!added && !(await logsIn(call, settings.apisixUser, settings.apisixPassword))) {
    await call('/v3/auth/user/changepw', { name: settings.apisixUser, password: settings.apisixPassword });
  }
  await call('/v3/auth/user/grant', { user: settings.apisixUser, role }).catch(tolerate(/already/));
}

/** Whether the user's password logs in (with auth off, etcd answers every login with an error). */
async function logsIn(call: Call, name: string, password: string): Promise<boolean> {
  const answer = await call('/v3/auth/authenticate', { name, password }).then(() => true, tolerate(/invalid user ID or password|authentication is not enabled/, false));
  return answer === true;
}

/** root's token, or undefined while auth is not enabled yet. */
async function login(call: Call, rootPassword: string): Promise<string | undefined> {
  try {
    const answer = await call('/v3/auth/authenticate', { name: 'root', password: rootPassword });
    return String(answer.token);
  } catch (err) {
    if (err instanceof EtcdRefusal && /authentication is not enabled/.test(err.message)) return undefined;
    if (err instanceof EtcdRefusal) throw new AppError('ETCD_AUTH', `etcd refused the root login: ${err.message} (was the etcd_root_password secret changed?)`);
    throw err;
  }
}

function tolerate<T>(pattern: RegExp, value?: T): (err: unknown) => T | undefined {
  return (err) => {
    if (err instanceof EtcdRefusal && pattern.test(err.message)) return value;
    throw err;
  };
}

async function post(http: AxiosInstance, path: string, body: object, token: string | undefined, secrets: readonly string[]): Promise<Record<string, unknown>> {
  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text);
  let res;
  try {
    res = await http.post(path, body, token ? { headers: { Authorization: token } } : {});
  } catch (err) {
    throw new UnavailableError(`etcd does not answer at ${path}: ${scrub(err instanceof Error ? err.message : String(err))}`);
  }
  const data = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as Record<string, unknown>;
  if (res.status >= 500) throw new UnavailableError(`etcd answered ${res.status} at ${path}`);
  if (res.status >= 400) throw new EtcdRefusal(scrub(String(data.message ?? data.error ?? `HTTP ${res.status}`)));
  return data;
}

async function waitForEtcd<T>(attempt: () => Promise<T>, options: EtcdAuthOptions): Promise<T> {
  const deadline = Date.now() + options.retryWindowMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof UnavailableError) || Date.now() > deadline) throw err;
      options.log.debug({ reason: err.message }, 'etcd not up yet');
      await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1_000));
    }
  }
}
