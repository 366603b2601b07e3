import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Perm {
  readonly permType: string;
  readonly key: string;
  readonly range_end: string;
}

/**
 * etcd 3.5's v3 JSON gateway for the auth calls, as strict as etcd: grpc-gateway error bodies
 * (`{error, code, message}`, FailedPrecondition as 400), auth calls need root's token once auth
 * is on, and auth enable needs a root user holding the root role.
 */
export class FakeEtcd {
  enabled = false;
  readonly users = new Map<string, { password: string; roles: Set<string> }>();
  readonly roles = new Map<string, Perm[]>();
  private readonly tokens = new Map<string, string>();
  private server: Server | undefined;
  /** Requests answered 503 first (etcd still starting). */
  unavailableFor = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const fail = (code: number, message: string): void => reply(code === 9 || code === 3 ? 400 : 401, { error: message, code, message });
    if (this.unavailableFor > 0) {
      this.unavailableFor -= 1;
      reply(503, { error: 'etcdserver: not capable', code: 14, message: 'etcdserver: not capable' });
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const path = req.url ?? '';
    if (req.method !== 'POST' || !path.startsWith('/v3/auth/')) return fail(12, `unknown ${req.method} ${path}`);
    if (path === '/v3/auth/authenticate') {
      if (!this.enabled) return fail(9, 'etcdserver: authentication is not enabled');
      const user = this.users.get(String(body.name));
      if (!user || user.password !== body.password) return fail(3, 'etcdserver: authentication failed, invalid user ID or password');
      const token = `tok-${this.tokens.size + 1}`;
      this.tokens.set(token, String(body.name));
      return reply(200, { header: {}, token });
    }
    if (this.enabled && this.tokens.get(req.headers.authorization ?? '') !== 'root') return fail(7, 'etcdserver: permission denied');
    const answer = this.auth(path, body);
    if (typeof answer === 'string') return fail(9, answer);
    reply(200, { header: {} });
  }

  /** The auth operation, or the FailedPrecondition message etcd gives. */
  private auth(path: string, body: Record<string, unknown>): string | undefined {
    const name = String(body.name ?? body.user ?? '');
    switch (path) {
      case '/v3/auth/user/add':
        if (this.users.has(name)) return 'etcdserver: user name already exists';
        if (!body.password) return 'etcdserver: password must not be empty';
        this.users.set(name, { password: String(body.password), roles: new Set() });
        return undefined;
      case '/v3/auth/user/changepw': {
        const user = this.users.get(name);
        if (!user) return 'etcdserver: user name not found';
        user.password = String(body.password);
        return undefined;
      }
      case '/v3/auth/user/grant': {
        const user = this.users.get(name);
        if (!user) return 'etcdserver: user name not found';
        if (body.role !== 'root' && !this.roles.has(String(body.role))) return 'etcdserver: role name not found';
        user.roles.add(String(body.role));
        return undefined;
      }
      case '/v3/auth/role/add':
        if (this.roles.has(name)) return 'etcdserver: role name already exists';
        this.roles.set(name, []);
        return undefined;
      case '/v3/auth/role/grant': {
        const perms = this.roles.get(name);
        if (!perms) return 'etcdserver: role name not found';
        const perm = body.perm as Perm;
        if (!perms.some((p) => p.key === perm.key && p.range_end === perm.range_end)) perms.push(perm);
        return undefined;
      }
      case '/v3/auth/enable':
        if (!this.users.get('root')?.roles.has('root')) return 'etcdserver: root user does not have root role';
        this.enabled = true;
        return undefined;
      default:
        return `unknown auth call ${path}`;
    }
  }
}
