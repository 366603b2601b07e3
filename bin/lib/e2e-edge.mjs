// The e2e stand-in for APISIX: one port, routed by path prefix to the stack's services
// (/auth -> auth-service:8081, /registry -> registry-service:8082, /publisher -> publisher-service:8083).
// Runs in a container on the stack's network; Swarm DNS answers with the services' tasks.
// It checks no token, so POST /publisher/hooks/<token> (webhook triggers, no JWT) and
// /publisher/fn/<user>/<function>/… (HTTP functions, any method) pass as APISIX's
// faas-publisher-hooks and faas-publisher-fn routes let them.
import http from 'node:http';

// EDGE_ROUTES (`auth=host:port,...`) and EDGE_PORT point it elsewhere (the bench's process stack).
const routes = Object.fromEntries(
  (process.env.EDGE_ROUTES ?? 'auth=auth-service:8081,registry=registry-service:8082,publisher=publisher-service:8083')
    .split(',')
    .map((route) => route.split(/[=:]/))
    .map(([prefix, host, port]) => [prefix, { host, port: Number(port) }]),
);
// Upstream connections are reused (no TCP connect, no DNS lookup per request) and closed by us
// after 4 s idle, before the services' own 65 s, so no request goes out on a closing one.
const upstreamAgent = new http.Agent({ keepAlive: true, timeout: 4_000 });
const KEEP_ALIVE_TIMEOUT_MS = 65_000; // as the services: past any client's own (issue 26)
// Hop-by-hop: each side of the edge keeps (or closes) its own connection.
const hopByHop = (headers) => {
  const { connection: _c, 'keep-alive': _k, ...rest } = headers;
  return rest;
};

const server = http
  .createServer((req, res) => {
    const prefix = (req.url ?? '/').split('/')[1] ?? '';
    const upstreamOf = Object.hasOwn(routes, prefix) ? routes[prefix] : undefined;
    if (!upstreamOf) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"no route"}}');
      return;
    }
    const upstream = http.request(
      { host: upstreamOf.host, port: upstreamOf.port, path: req.url, method: req.method, headers: hopByHop(req.headers), agent: upstreamAgent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, hopByHop(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: err.message } }));
    });
    req.pipe(upstream);
  })
  .listen(Number(process.env.EDGE_PORT ?? 8080), process.env.EDGE_HOST ?? '0.0.0.0');
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
