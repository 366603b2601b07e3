/** An error answer of the platform: `{"error": {"code", "message", "requestId"}}` and its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The gateway did not answer at all (refused, reset, DNS). */
export class GatewayUnreachableError extends Error {
  constructor(gateway: string, cause: unknown) {
    super(`cannot reach the gateway at ${gateway}: ${causeText(cause)}`, { cause });
    this.name = 'GatewayUnreachableError';
  }
}

/** A usage problem found by the CLI itself (not logged in, bad faas.yml, no password). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

function causeText(err: unknown): string {
  if (err instanceof Error) {
    const inner = err.cause instanceof Error ? err.cause.message : '';
    return inner ? `${err.message} (${inner})` : err.message;
  }
  return String(err);
}

export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
}

/** `localhost`, 127.0.0.0/8 and ::1: plain http there never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Plain http carries the password and the token in clear: only to this machine, unless the user
 * says `--insecure`. Anything but http and https is refused.
 */
export function checkTransport(gateway: string, insecure: boolean): void {
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new CliError(`the gateway ${gateway} is not a URL (e.g. https://faas.example.com)`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') throw new CliError(`the gateway ${gateway} is neither http:// nor https://`);
  if (!insecure && !isLoopback(url.hostname)) {
    throw new CliError(`refusing plain http:// to ${url.host}: your password and token would cross the network in clear; use https://, or add --insecure if you mean it`);
  }
}

/** The platform's HTTP API, the same one the README's curl examples use. */
export class ApiClient {
  constructor(
    readonly gateway: string,
    private readonly token?: string,
    options: { insecure?: boolean } = {},
  ) {
    checkTransport(gateway, options.insecure === true);
  }

  async call<T>(path: string, request: ApiRequest = {}): Promise<T> {
    return (await this.send(path, request)).body as T;
  }

  /** The status too, for callers that branch on it (a sync publish answers 200 or 202); errors throw. */
  async send(path: string, request: ApiRequest = {}): Promise<{ status: number; body: unknown }> {
    const url = new URL(this.gateway + path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // A redirect would re-send the body (a password) and the token wherever it points.
        redirect: 'manual',
      });
    } catch (err) {
      throw new GatewayUnreachableError(this.gateway, err);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const to = res.headers.get('location') ?? 'nowhere';
      throw new CliError(`the gateway answered ${res.status} (a redirect to ${to}); faas follows no redirects: if you trust the new address, use it as --gateway`);
    }
    const body = parseBody(await res.text());
    if (res.status >= 400) throw errorOf(res.status, body, res.headers.get('x-request-id') ?? undefined);
    return { status: res.status, body };
  }
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorOf(status: number, body: unknown, headerRequestId: string | undefined): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
  if (error && typeof error === 'object') {
    const requestId = typeof error.requestId === 'string' ? error.requestId : headerRequestId;
    return new ApiError(status, String(error.code ?? 'ERROR'), String(error.message ?? `HTTP ${status}`), requestId);
  }
  // Not the platform's error shape (a proxy's page): say what came back, briefly.
  const text = typeof body === 'string' ? body.slice(0, 200) : `HTTP ${status}`;
  return new ApiError(status, `HTTP_${status}`, text || `HTTP ${status}`, headerRequestId);
}
