import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createSpawnerMetrics } from '@faas/spawner-service';
import { dnsTargets, sampleSum, scrapedSpawnerMetrics } from '../src/infra/spawner-metrics.js';

/** A real HTTP server exposing a registry as the spawner's /metrics does, with the spawner's own metric definitions. */
async function metricsServer(registry: Registry): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('spawner metrics scrape (real HTTP, the spawner\'s metric definitions)', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  async function spawner(slots: number, busy: number): Promise<string> {
    const registry = new Registry();
    createSpawnerMetrics(registry, slots).busySlots.set(busy);
    const { server, url } = await metricsServer(registry);
    servers.push(server);
    return url;
  }

  it('sums busy slots over every spawner that answers and reads their slot count', async () => {
    const targets = [await spawner(5, 3), await spawner(5, 5), await spawner(5, 0)];
    const load = await scrapedSpawnerMetrics(async () => targets, 2_000).load();
    expect(load).to.deep.equal({ answered: 3, unreachable: 0, busy: 8, slotsPerSpawner: 5 });
  });

  it('counts a spawner that does not answer, or answers without the metric, apart', async () => {
    const closed = await spawner(4, 4);
    servers.pop()?.close();
    const plain = await metricsServer(new Registry());
    servers.push(plain.server);
    const targets = [await spawner(4, 2), closed, plain.url];
    const load = await scrapedSpawnerMetrics(async () => targets, 2_000).load();
    expect(load).to.deep.equal({ answered: 1, unreachable: 2, busy: 2, slotsPerSpawner: 4 });
  });

  it('resolves a name to every address it has, and a name that does not resolve to none', async () => {
    const found = await dnsTargets('localhost', 8084)();
    expect(found).to.include('http://127.0.0.1:8084');
    expect(await dnsTargets('tasks.no-such-service.invalid', 8084)()).to.deep.equal([]);
  });

  it('reads a metric\'s samples whatever their labels, and no other metric with the same prefix', () => {
    const text = [
      '# HELP faas_spawner_busy_slots x',
      'faas_spawner_busy_slots 2',
      'faas_spawner_busy_slots_total 100',
      'faas_spawner_busy_slots{pool="a"} 3',
    ].join('\n');
    expect(sampleSum(text, 'faas_spawner_busy_slots')).to.equal(5);
    expect(sampleSum(text, 'faas_spawner_slots')).to.equal(undefined);
  });
});
