import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';

export interface FakeRegistry {
  /** host:port on loopback. */
  readonly host: string;
  /** Requests it received. */
  requests(): number;
  close(): Promise<void>;
}

/** A registry on loopback that answers the API check and then never answers a manifest request. */
export async function silentRegistry(): Promise<FakeRegistry> {
  let requests = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    requests += 1;
    if (req.url === '/v2/' || req.url === '/v2') {
      res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Type': 'application/json' }).end('{}');
    }
    // Anything else: held until the test closes the registry.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    requests: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
