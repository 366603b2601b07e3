import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkPlugins, checkUpstreamConf, GroupConfCache } from './apisix-checks.js';
import { APISIX_RELEASE, check, objectSchemas } from './apisix-schemas.js';

type Body = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly apiKey: string | undefined;
}

type Outcome = { status: number; body: Body };
const refuse = (error_msg: string, status = 400): Outcome => ({ status, body: { error_msg } });
const ETCD_DOWN = 'has no healthy etcd endpoint available';

/**
 * A stand-in for the APISIX Admin API of release APISIX_RELEASE, as strict as it is: the admin
 * key first (401), then every body against the route, upstream, consumer and plugin schemas
 * transcribed from that release (test/apisix-<release>/), with APISIX's status codes and
 * {"error_msg"} bodies, the admin-side checks of apisix/admin/*.lua, limit-count's group conf
 * cache, and etcd faults answered as that release answers them.
 */
export class FakeAdminApi {
  readonly release = APISIX_RELEASE;
  readonly store = new Map<string, Body>();
  readonly requests: RecordedRequest[] = [];
  /** etcd unreachable for this many authenticated requests: 503, or 400 on a route's upstream lookup. */
  unavailableFor = 0;
  /** Echo the refused body in 400 messages, to prove the client scrubs secrets. */
  echoBodies = false;
  /** Added to the clock of limit-count's group cache (to step past its 5-minute TTL). */
  clockOffsetMs = 0;
  readonly groups = new GroupConfCache(() => Date.now() + this.clockOffsetMs);
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

  /** What APISIX would answer to a PUT of `body` at /apisix/admin/<kind>/<id>, without storing it. */
  validate(kind: string, id: string, body: unknown): Outcome | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse('invalid configuration: object expected');
    const conf = body as Body;
    if (kind === 'consumers') return this.checkConsumer(id, conf);
    if ('id' in conf && String(conf.id) !== id) return refuse(`wrong ${kind === 'routes' ? 'route' : 'upstream'} id`);
    if ('create_time' in conf || 'update_time' in conf) return refuse('the property is forbidden:  create_time');
    if (kind === 'upstreams') {
      const problem = checkUpstreamConf({ ...conf, id });
      return problem ? refuse(problem) : undefined;
    }
    return this.checkRoute({ ...conf, id });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const header = req.headers['x-api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    this.requests.push({ method: req.method ?? '', path, apiKey });
    const raw = await readBody(req);
    // apisix/admin/init.lua: the key is checked before anything else, etcd included.
    if (apiKey !== this.apiKey) {
      return reply(res, { status: 401, body: { error_msg: 'failed to check token', description: apiKey ? 'wrong apikey' : 'missing apikey' } });
    }
    const etcdDown = this.unavailableFor > 0;
    if (etcdDown) this.unavailableFor--;
    const match = /^\/apisix\/admin\/([a-z_]+)(?:\/([^/]+))?$/.exec(path);
    const [, kind = '', id] = match ?? [];
    if (!['upstreams', 'consumers', 'routes'].includes(kind)) return reply(res, refuse(`Unsupported resource type: ${kind}`, 404));
    if (req.method === 'GET') return reply(res, etcdDown ? refuse(ETCD_DOWN, 503) : this.read(kind, id));
    if (req.method !== 'PUT') return reply(res, refuse('not found', 404));
    if (id === undefined) return reply(res, refuse(`missing ${kind.slice(0, -1)} id`));
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      return reply(res, refuse(`invalid request body: ${(err as Error).message}`));
    }
    const refused = etcdDown ? this.etcdFault(kind, body) : this.validate(kind, id, body);
    if (refused) {
      const echoed = this.echoBodies && refused.status === 400 ? `${String(refused.body.error_msg)}: ${raw}` : refused.body.error_msg;
      return reply(res, { status: refused.status, body: { ...refused.body, error_msg: echoed } });
    }
    const created = !this.store.has(path);
    this.store.set(path, body as Body);
    reply(res, { status: created ? 201 : 200, body: { key: `/apisix/${kind}/${id}`, value: { ...(body as Body), id, update_time: Math.floor(Date.now() / 1000) } } });
  }

  /** routes.lua looks the upstream up in etcd inside its checker: that failure is a 400. Other PUTs fail with 503. */
  private etcdFault(kind: string, body: unknown): Outcome {
    const upstreamId = kind === 'routes' && typeof body === 'object' && body !== null ? (body as Body).upstream_id : undefined;
    if (upstreamId !== undefined) return refuse(`failed to fetch upstream info by upstream id [${String(upstreamId)}]: ${ETCD_DOWN}`);
    return refuse(ETCD_DOWN, 503);
  }

  private read(kind: string, id: string | undefined): Outcome {
    if (id === undefined) {
      const list = [...this.store].filter(([p]) => p.startsWith(`/apisix/admin/${kind}/`)).map(([p, value]) => ({ key: p, value }));
      return { status: 200, body: { total: list.length, list } };
    }
    const value = this.get(kind, id);
    return value ? { status: 200, body: { key: `/apisix/${kind}/${id}`, value } } : { status: 404, body: { message: 'Key not found' } };
  }

  /** apisix/admin/consumers.lua check_conf. */
  private checkConsumer(id: string, conf: Body): Outcome | undefined {
    const checked = check(objectSchemas.consumer, conf);
    if (!checked.ok) return refuse(`invalid configuration: ${checked.error}`);
    if (id !== conf.username) return refuse('wrong username');
    const problem = checkPlugins(conf.plugins, true, this.groups);
    return problem ? refuse(`invalid plugins configuration: ${problem}`) : undefined;
  }

  /** apisix/admin/routes.lua check_conf, in its order. */
  private checkRoute(conf: Body): Outcome | undefined {
    if (conf.host !== undefined && conf.hosts !== undefined) return refuse('only one of host or hosts is allowed');
    if (conf.remote_addr !== undefined && conf.remote_addrs !== undefined) return refuse('only one of remote_addr or remote_addrs is allowed');
    const checked = check(objectSchemas.route, conf);
    if (!checked.ok) return refuse(`invalid configuration: ${checked.error}`);
    const inline = conf.upstream === undefined ? undefined : checkUpstreamConf(conf.upstream);
    if (inline) return refuse(inline);
    if (conf.upstream_id !== undefined && !this.store.has(`/apisix/admin/upstreams/${String(conf.upstream_id)}`)) {
      return refuse(`failed to fetch upstream info by upstream id [${String(conf.upstream_id)}], response code: 404`);
    }
    const problem = checkPlugins(conf.plugins, false, this.groups);
    return problem ? refuse(problem) : undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, outcome: Outcome): void {
  res.writeHead(outcome.status, { 'content-type': 'application/json', 'x-api-version': 'v3' }).end(JSON.stringify(outcome.body));
}
