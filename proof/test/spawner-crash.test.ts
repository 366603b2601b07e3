import { expect } from 'chai';
import { countFinal, inParallel, newFunction, newUser, submitAsync, waitAllFinal, waitUntil, type Submitted } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { ContainerStarts, ResultWatcher, leftoverContainers } from './support/observers.js';
import { MAX_CONTAINERS, proofPlatform } from './support/platform.js';

const LOAD = 60;

describe('proof: a spawner killed with SIGKILL mid-load and restarted', function () {
  this.timeout(240_000);
  const row = ledgerRow('spawner crash (SIGKILL + restart)');

  it('loses no execution, stores no second final result and leaves no container behind', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    const results = new ResultWatcher(p.nc);
    const starts = await ContainerStarts.watch(p.runId);
    try {
      const users = [await newUser(p), await newUser(p)];
      const names = await Promise.all(users.map((u) => newFunction(p, u, PROOF_IMAGES.work, { timeoutSeconds: 30 })));
      const publisher = p.publishers[0]!;
      const victim = p.spawners[0]!;
      const victimId = `${p.runId}-s1`;

      const submitted: Submitted[] = await inParallel(
        Array.from({ length: LOAD }, (_, i) => async () => {
          const user = users[i % 2]!;
          return { id: await submitAsync(publisher.url, user, names[i % 2]!, `nonce-${i}`), user };
        }),
        8,
      );
      row.submitted = submitted.length;

      // Mid-way: the victim is running containers and others have finished already.
      await waitUntil(async () => (await leftoverContainers(p.runId, victimId)).some((c) => c.State === 'running'), 60_000);
      await victim.stop('SIGKILL');
      // Its containers outlive it (the restarted spawner removes them): what it had in hand, and its idle warm ones.
      const orphans = (await leftoverContainers(p.runId, victimId)).map((c) => c.Id);
      const inFlight = orphans.length;
      await victim.start();

      const records = await waitAllFinal(() => publisher.url, submitted, 120_000);
      const ids = submitted.map((s) => s.id);
      row.final = countFinal(records);
      row.lost = LOAD - row.final;
      row.duplicate = results.duplicates(ids).length;
      const reruns = starts.rerun(ids).length;
      const retried = [...records.values()].filter((r) => (r?.attempt ?? 0) > 1).length;
      const wrongOutput = submitted.filter((s, i) => records.get(s.id)?.result !== `nonce-${i}`).length;
      const saidSo = [...records.values()].filter((r) => r?.rerun?.previousSpawner === victimId).length;
      const unexplained = starts.rerun(ids).filter((id) => records.get(id)?.rerun?.previousSpawner !== victimId);
      row.notes = `killed spawner had ${inFlight} containers (warm ones included); ${retried} redelivered (attempt>1), ${reruns} started twice, ${saidSo} records say they re-ran the killed spawner's run; ${wrongOutput} with wrong output`;

      // The live spawners (the restarted one too) keep their warm containers; none of those the
      // killed one left may remain.
      await waitUntil(async () => (await leftoverContainers(p.runId, victimId)).every((c) => !orphans.includes(c.Id)), 20_000);
      row.notes += '; 0 of its containers left';
      expect(row.lost, 'executions not final').to.equal(0);
      expect(row.duplicate, 'executions with two different final results').to.equal(0);
      expect(wrongOutput, 'executions whose result is not their own nonce').to.equal(0);
      // Its containers include idle warm ones; at most MAX_CONTAINERS of them were running an execution.
      expect(reruns, 'started twice: only the ones the killed spawner had started').to.be.at.most(Math.min(inFlight, MAX_CONTAINERS));
      // Leases: each second start took over the killed spawner's lapsed lease, and its record says so.
      expect(unexplained, 'started twice without a rerun cause naming the killed spawner').to.deep.equal([]);
    } finally {
      results.stop();
      starts.stop();
    }
  });
});
