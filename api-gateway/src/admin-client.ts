import { AppError, UnauthenticatedError, UnavailableError, ValidationError } from '@faas/common';
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';

/** The few logger methods used here; a pino Logger fits. */
export interface GatewayLog {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface AdminClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly log: GatewayLog;
  /** How long to keep retrying while APISIX (or its etcd) is not up, per request. */
  readonly retryWindowMs: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly requestTimeoutMs?: number;
  /** Values scrubbed from every error message (the admin key always is). */
  readonly secrets?: readonly string[];
}

/** A refusal worth retrying: APISIX or etcd still starting, or the service name not yet in DNS. */
class TransientFailure {
  constructor(readonly reason: string) {}
}

const READY_PATH = '/apisix/admin/routes';

/**
 * APISIX 3.11 (apisix/admin/routes.lua) answers 400, not 503, when etcd fails while it looks up
 * a route's upstream: "failed to fetch upstream info by upstream id [x]: <etcd error>". A missing
 * upstream reads "..., response code: 404" instead, and is a real refusal.
 */
const ETCD_LOOKUP_FAILED = /^failed to fetch [a-z ]+ info by [a-z ]+ id \[[^\]]*\]: /;

/** The APISIX Admin API over axios: sends X-API-KEY, retries while it is not up, fails clearly otherwise. */
export class AdminClient {
  private readonly http: AxiosInstance;
  private readonly secrets: readonly string[];

  constructor(private readonly options: AdminClientOptions) {
    this.secrets = [options.apiKey, ...(options.secrets ?? [])].filter((s) => s.length > 0);
    this.http = axios.create({
      baseURL: options.baseUrl,
      timeout: options.requestTimeoutMs ?? 10_000,
      headers: { 'X-API-KEY': options.apiKey, 'content-type': 'application/json' },
      validateStatus: () => true,
      proxy: false,
      maxRedirects: 0,
    });
  }

  /** Resolves once the Admin API answers an authenticated request. */
  async waitUntilReady(): Promise<void> {
    await this.send('GET', READY_PATH);
    this.options.log.info({ adminUrl: this.options.baseUrl }, 'APISIX Admin API is up');
  }

  /** PUT by id: creates or replaces. Resolves with APISIX's status (201 created, 200 updated). */
  put(path: string, body: unknown): Promise<number> {
    return this.send('PUT', path, body);
  }

  private async send(method: Method, path: string, body?: unknown): Promise<number> {
    const deadline = Date.now() + this.options.retryWindowMs;
    let delay = this.options.initialDelayMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(method, path, body);
      if (typeof outcome === 'number') return outcome;
      if (Date.now() + delay > deadline) {
        throw new UnavailableError(
          this.scrub(`APISIX Admin API at ${this.options.baseUrl} not available for ${method} ${path} ` +
            `after ${attempt} attempts over ${Math.round(this.options.retryWindowMs / 1000)} s: ${outcome.reason}`),
        );
      }
      this.options.log.warn({ method, path, attempt, reason: this.scrub(outcome.reason), retryInMs: delay }, 'APISIX Admin API not ready, retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.options.maxDelayMs ?? 5_000);
    }
  }

  private async attempt(method: Method, path: string, body: unknown): Promise<number | TransientFailure> {
    let res: AxiosResponse<unknown>;
    try {
      res = await this.http.request({ method, url: path, data: body });
    } catch (err) {
      // Only the code and message: an AxiosError carries the request headers, key included.
      if (axios.isAxiosError(err)) return new TransientFailure(`${err.code ?? 'network error'}: ${err.message}`);
      throw err;
    }
    const { status } = res;
    this.options.log.debug({ method, path, status }, 'APISIX Admin API answered');
    if (status >= 200 && status < 300) return status;
    if (status >= 500 || status === 429) return new TransientFailure(`HTTP ${status} ${apisixMessage(res.data)}`.trim());
    if (status === 400 && ETCD_LOOKUP_FAILED.test(apisixMessage(res.data))) return new TransientFailure(`HTTP 400 ${apisixMessage(res.data)}`);
    throw this.refusal(method, path, status, apisixMessage(res.data));
  }

  private refusal(method: Method, path: string, status: number, detail: string): AppError {
    const what = `APISIX Admin API refused ${method} ${path} with ${status}`;
    const details = { status, method, path };
    if (status === 401 || status === 403) {
      return new UnauthenticatedError(this.scrub(`${what}: the admin key was not accepted (check APISIX_ADMIN_KEY_FILE)`), { details });
    }
    if (status === 400) return new ValidationError(this.scrub(`${what}: ${detail || 'invalid configuration'}`), { details });
    return new AppError('ADMIN_API_REFUSED', this.scrub(`${what}${detail ? `: ${detail}` : ''}`), { details });
  }

  private scrub(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

/** APISIX answers errors as {"error_msg": "..."} (sometimes {"message": "..."}). */
function apisixMessage(data: unknown): string {
  if (typeof data === 'object' && data !== null) {
    const record = data as Record<string, unknown>;
    const message = record.error_msg ?? record.message;
    if (typeof message === 'string') return message.slice(0, 500);
  }
  return typeof data === 'string' ? data.slice(0, 500) : '';
}
