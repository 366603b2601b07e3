import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

type Body = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly apiKey: string | undefined;
}

/**
 * A stand-in for the APISIX Admin API (v3) that enforces the parts of its contract the
 * configurator relies on: X-API-KEY or 401, PUT by id answering 201 then 200, 400 with
 * {"error_msg"} for bodies APISIX would refuse (a route naming a missing upstream, among others).
 */
export class FakeAdminApi {
  readonly store = new Map<string, Body>();
  readonly requests: RecordedRequest[] = [];
  /** Answer this many requests with 503, as APISIX does while etcd is not reachable. */
  unavailableFor = 0;
  /** Echo the refused body in 400 messages, to prove the client scrubs secrets. */
  echoBodies = false;
  private readonly server: Server;

  constructor(private readonly apiKey: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  get(kind: string, id: string): Body | undefined {
    return this.store.get(`/apisix/admin/${kind}/${id}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const header = req.headers['x-api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    this.requests.push({ method: req.method ?? '', path, apiKey });
    const raw = await readBody(req);
    if (this.unavailableFor > 0) {
      this.unavailableFor--;
      return reply(res, 503, { error_msg: 'has no healthy etcd endpoint available' });
    }
    if (apiKey !== this.apiKey) return reply(res, 401, { error_msg: 'failed to check token' });
    const match = /^\/apisix\/admin\/(upstreams|consumers|routes)(?:\/([^/]+))?$/.exec(path);
    if (!match) return reply(res, 404, { error_msg: '404 Route Not Found' });
    const [, kind = '', id] = match;
    if (req.method === 'GET') return this.read(res, kind, id);
    if (req.method !== 'PUT' || id === undefined) return reply(res, 405, { error_msg: 'not supported' });
    let body: Body;
    try {
      body = JSON.parse(raw) as Body;
    } catch {
      return reply(res, 400, { error_msg: 'invalid request body' });
    }
    const problem = this.check(kind, id, body);
    if (problem) return reply(res, 400, { error_msg: this.echoBodies ? `${problem}: ${raw}` : problem });
    const created = !this.store.has(path);
    this.store.set(path, body);
    reply(res, created ? 201 : 200, { key: `/apisix/${kind}/${id}`, value: { ...body, id, update_time: Date.now() } });
  }

  private read(res: ServerResponse, kind: string, id: string | undefined): void {
    if (id === undefined) {
      const list = [...this.store].filter(([p]) => p.startsWith(`/apisix/admin/${kind}/`)).map(([p, value]) => ({ key: p, value }));
      return reply(res, 200, { total: list.length, list });
    }
    const value = this.get(kind, id);
    reply(res, value ? 200 : 404, value ? { key: `/apisix/${kind}/${id}`, value } : { message: 'Key not found' });
  }

  private check(kind: string, id: string, body: Body): string | undefined {
    if ('id' in body && body.id !== id) return 'wrong route id';
    if (kind === 'upstreams') {
      return Array.isArray(body.nodes) && body.nodes.length > 0 ? undefined : 'invalid configuration: nodes required';
    }
    if (kind === 'consumers') {
      if (body.username !== id) return 'wrong username';
      const extra = Object.keys(body).find((k) => !CONSUMER_FIELDS.has(k));
      if (extra) return `invalid configuration: additional properties forbidden, found ${extra}`;
      return /^[a-zA-Z0-9_]+$/.test(id) ? undefined : 'invalid configuration: property "username" validation failed';
    }
    return checkRoute(body, (upstreamId) => this.store.has(`/apisix/admin/upstreams/${upstreamId}`));
  }
}

const CONSUMER_FIELDS = new Set(['username', 'desc', 'plugins', 'labels', 'group_id']);
const KNOWN_PLUGINS = new Set(['jwt-auth', 'limit-count', 'cors', 'request-id', 'proxy-rewrite']);

function checkRoute(body: Body, upstreamExists: (id: string) => boolean): string | undefined {
  if (typeof body.uri !== 'string' && !Array.isArray(body.uris)) return 'invalid configuration: value should match only one schema, but matches none';
  if (typeof body.upstream_id !== 'string') return 'missing upstream_id';
  if (!upstreamExists(body.upstream_id)) return `failed to fetch upstream info by upstream id [${body.upstream_id}], response code: 404`;
  const plugins = (body.plugins ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(plugins).find((name) => !KNOWN_PLUGINS.has(name));
  if (unknown) return `unknown plugin [${unknown}]`;
  const limit = plugins['limit-count'] as { count?: unknown; time_window?: unknown } | undefined;
  if (limit && !(Number(limit.count) > 0 && Number(limit.time_window) > 0)) return 'failed to check the configuration of plugin limit-count';
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
