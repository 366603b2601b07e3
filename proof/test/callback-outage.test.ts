import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUCKETS, FINAL_STATUSES, createExecutionStore, openBucket, type ExecutionRecord } from '@faas/common';
import { expect } from 'chai';
import { newFunction, newUser, submitAsync, waitUntil } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform } from './support/platform.js';

const LOAD = 10;

describe('proof: every publisher down while results arrive (durable callbacks, issue 17)', function () {
  this.timeout(180_000);
  const row = ledgerRow('callbacks, no publisher at result time');

  it('delivers every callback exactly once when a publisher comes back', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    /** Execution id -> POSTs received (a loopback receiver of the test's own). */
    const hits = new Map<string, number>();
    const receiver = createServer((req, res) => {
      const id = String(req.headers['x-faas-execution-id']);
      hits.set(id, (hits.get(id) ?? 0) + 1);
      req.resume().on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Only this publisher may deliver to a loopback address: the others wait, stopped, until the end.
    const others = p.publishers.filter((s) => s.running);
    await Promise.all(others.map((s) => s.stop('SIGTERM')));
    const publisher = await p.addPublisher({ CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_BACKOFF_MS: '100' });
    try {
      const user = await newUser(p);
      const name = await newFunction(p, user, PROOF_IMAGES.sleep, { timeoutSeconds: 30 });
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const ids: string[] = [];
      for (let i = 0; i < LOAD; i++) ids.push(await submitAsync(publisher.url, user, name, '3', url));
      await publisher.stop('SIGKILL');

      const store = createExecutionStore(await openBucket(p.nc, BUCKETS.executions, { replicas: 3, leaderReads: true }));
      const records = async (): Promise<ExecutionRecord[]> => (await Promise.all(ids.map((id) => store.get(id)))).flatMap((s) => (s ? [s.record] : []));
      await waitUntil(async () => (await records()).filter((r) => FINAL_STATUSES.has(r.status)).length === LOAD, 90_000);
      const whileDown = [...hits.values()].reduce((a, b) => a + b, 0);

      await publisher.start();
      await waitUntil(async () => (await records()).filter((r) => r.callback?.status === 'delivered').length === LOAD, 60_000);
      const final = await records();
      row.submitted = LOAD;
      row.final = final.filter((r) => FINAL_STATUSES.has(r.status)).length;
      row.lost = LOAD - row.final;
      row.duplicate = ids.filter((id) => (hits.get(id) ?? 0) > 1).length;
      row.fiveXx = 0;
      row.notes = `every publisher down while ${LOAD} results arrived (${whileDown} callbacks sent meanwhile); after a restart ${ids.filter((id) => hits.get(id) === 1).length} delivered once, ${row.duplicate} twice`;

      expect(whileDown, 'callbacks sent with no publisher').to.equal(0);
      expect(row.lost).to.equal(0);
      expect(ids.map((id) => hits.get(id) ?? 0), 'POSTs per execution').to.deep.equal(Array(LOAD).fill(1));
      expect(final.map((r) => r.callback?.status)).to.deep.equal(Array(LOAD).fill('delivered'));
    } finally {
      await publisher.stop('SIGTERM');
      await Promise.all(others.map((s) => s.start()));
      receiver.close();
    }
  });
});
