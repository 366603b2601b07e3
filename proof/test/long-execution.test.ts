import { expect } from 'chai';
import { newFunction, newUser, submitAsync, waitAllFinal, type Submitted } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { ContainerStarts, ResultWatcher } from './support/observers.js';
import { ACK_WAIT_MS, proofPlatform } from './support/platform.js';

const RUN_SECONDS = 10;
const COUNT = 3;

describe('proof: executions running longer than the consumer ack wait', function () {
  this.timeout(120_000);
  const row = ledgerRow(`long executions (${RUN_SECONDS} s, ack wait ${ACK_WAIT_MS / 1000} s)`);

  it('run once each: attempt 1, one container, one final result', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    const results = new ResultWatcher(p.nc);
    const starts = await ContainerStarts.watch(p.runId);
    try {
      const user = await newUser(p);
      const name = await newFunction(p, user, PROOF_IMAGES.sleep, { timeoutSeconds: 60 });
      const publisher = p.publishers[0]!;
      const submitted: Submitted[] = await Promise.all(
        Array.from({ length: COUNT }, async () => ({ id: await submitAsync(publisher.url, user, name, String(RUN_SECONDS)), user })),
      );
      row.submitted = submitted.length;
      const records = await waitAllFinal(() => publisher.url, submitted, 60_000);
      const ids = submitted.map((s) => s.id);
      const list = ids.map((id) => records.get(id));
      row.final = list.filter((r) => r?.status === 'succeeded').length;
      row.lost = COUNT - list.filter((r) => r && ['succeeded', 'failed', 'timed_out', 'error'].includes(r.status)).length;
      row.duplicate = results.duplicates(ids).length;
      const reruns = starts.rerun(ids).length;
      const attempts = list.map((r) => r?.attempt);
      const durations = list.map((r) => Math.round(Number(r?.durationMs ?? 0) / 1000));
      row.notes = `attempts ${attempts.join(',')}; containers started ${ids.map((id) => starts.count(id)).join(',')}; ran ${durations.join(',')} s`;

      expect(list.map((r) => r?.status)).to.deep.equal(Array(COUNT).fill('succeeded'));
      expect(attempts, 'no redelivery while the spawner sent in-progress acks').to.deep.equal(Array(COUNT).fill(1));
      expect(reruns, 'executions whose function was started twice').to.equal(0);
      expect(ids.map((id) => starts.count(id))).to.deep.equal(Array(COUNT).fill(1));
      expect(row.duplicate).to.equal(0);
      for (const d of durations) expect(d).to.be.at.least(RUN_SECONDS - 1);
    } finally {
      results.stop();
      starts.stop();
    }
  });
});
