// The e2e stand-in for APISIX: one port, routed by path prefix to the stack's services
// (/auth -> auth-service:8081, /registry -> registry-service:8082, /publisher -> publisher-service:8083).
// Runs in a container on the stack's network; Swarm DNS answers with the services' tasks.
// It checks no token, so POST /publisher/hooks/<token> (webhook triggers, no JWT) passes as
// APISIX's faas-publisher-hooks route lets it.
import http from 'node:http';

const routes = { auth: 8081, registry: 8082, publisher: 8083 };

http
  .createServer((req, res) => {
    const prefix = (req.url ?? '/').split('/')[1] ?? '';
    const port = routes[prefix];
    if (!port) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"no route"}}');
      return;
    }
    const upstream = http.request(
      { host: `${prefix}-service`, port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: err.message } }));
    });
    req.pipe(upstream);
  })
  .listen(8080, '0.0.0.0');
