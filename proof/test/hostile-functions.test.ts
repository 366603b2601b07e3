import { request } from '@faas/testing';
import { expect } from 'chai';
import { newFunction, newUser, submitAsync, waitAllFinal, type Execution, type Submitted } from './support/client.js';
import { PROOF_IMAGES, PROOF_PROCESS_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { ResultWatcher } from './support/observers.js';
import { proofPlatform } from './support/platform.js';

const NORMAL = 12;

/** What a correct record looks like for each hostile function; `limits` are its definition's settings. */
type Hostile = { image: string; limits: Record<string, unknown>; check: (r: Execution) => void };

const MEMORY_HOG: Hostile = {
  image: PROOF_IMAGES.memhog,
  limits: { timeoutSeconds: 20, memoryMb: 16 },
  check: (r) => {
    expect(r.status).to.equal('failed');
    expect(String(r.error)).to.match(/out of memory/);
    expect(String(r.result)).to.not.contain('allocated');
  },
};

const HOSTILE: Readonly<Record<string, Hostile>> = {
  'fork bomb': {
    image: PROOF_IMAGES.forkbomb,
    limits: { timeoutSeconds: 8, memoryMb: 64 },
    check: (r) => {
      expect(r.status).to.be.oneOf(['succeeded', 'failed', 'timed_out']);
      expect(String(r.logs)).to.match(/can't fork|Resource temporarily unavailable/);
    },
  },
  // Several at once: the engine reports an OOM kill a moment after the exit, a race to catch.
  'memory hog 1': MEMORY_HOG,
  'memory hog 2': MEMORY_HOG,
  'memory hog 3': MEMORY_HOG,
  'memory hog 4': MEMORY_HOG,
  'stdout flood': {
    image: PROOF_IMAGES.flood,
    limits: { timeoutSeconds: 20 },
    check: (r) => {
      expect(r).to.include({ status: 'succeeded', truncated: true });
      expect(String(r.result).startsWith('y\ny\n')).to.equal(true);
    },
  },
  'infinite loop': {
    image: PROOF_IMAGES.loop,
    limits: { timeoutSeconds: 3 },
    check: (r) => {
      expect(r.status).to.equal('timed_out');
      expect(String(r.error)).to.match(/timed out/);
    },
  },
  // The same hostile code as the handler of a process-mode function: its output is the logs.
  'fork bomb (process mode)': {
    image: PROOF_PROCESS_IMAGES.forkbomb,
    limits: { timeoutSeconds: 8, memoryMb: 64, runtime: 'process' },
    check: (r) => {
      expect(r.status).to.be.oneOf(['succeeded', 'failed', 'timed_out']);
      expect(String(r.logs), `${r.status} ${String(r.error)} ${JSON.stringify(r.durationMs)}`).to.match(/can't fork|Resource temporarily unavailable/);
    },
  },
  'memory hog (process mode)': { ...MEMORY_HOG, image: PROOF_PROCESS_IMAGES.memhog, limits: { ...MEMORY_HOG.limits, runtime: 'process' } },
  'stdout flood (process mode)': {
    image: PROOF_PROCESS_IMAGES.flood,
    limits: { timeoutSeconds: 20, runtime: 'process' },
    check: (r) => {
      expect(r).to.include({ status: 'succeeded', truncated: true, result: 'done' });
      expect(String(r.logs).startsWith('y\ny\n')).to.equal(true);
    },
  },
  'infinite loop (process mode)': {
    image: PROOF_PROCESS_IMAGES.loop,
    limits: { timeoutSeconds: 3, runtime: 'process' },
    check: (r) => {
      expect(r.status).to.equal('timed_out');
      expect(String(r.error)).to.match(/timed out/);
    },
  },
  'network attempt': {
    image: PROOF_IMAGES.netdev,
    limits: { timeoutSeconds: 10 },
    check: (r) => {
      expect(r.status).to.equal('succeeded');
      const interfaces = String(r.result)
        .split('\n')
        .slice(2)
        .map((line) => line.split(':')[0]?.trim())
        .filter(Boolean);
      expect(interfaces, 'network interfaces inside the container').to.deep.equal(['lo']);
    },
  },
};

describe('proof: hostile functions running beside normal ones', function () {
  this.timeout(180_000);
  const row = ledgerRow('hostile functions + normal ones');

  it('give each hostile function a correct record while the normal executions succeed', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    const results = new ResultWatcher(p.nc);
    try {
      const user = await newUser(p);
      const publisher = p.publishers[0]!;
      // Asking for a network is refused at registration (ALLOW_NETWORK is off).
      const networked = await request(`${p.registry.url}/registry/functions`, {
        token: user.token,
        body: { name: 'wants-network', image: PROOF_IMAGES.netdev, network: 'bridge' },
      });
      expect(networked.status).to.equal(400);

      const hostile = await Promise.all(
        Object.entries(HOSTILE).map(async ([label, spec]) => {
          const name = await newFunction(p, user, spec.image, spec.limits);
          return { label, id: await submitAsync(publisher.url, user, name, 'y') };
        }),
      );
      const echo = await newFunction(p, user, PROOF_IMAGES.echo, { timeoutSeconds: 30 });
      const normal: Submitted[] = await Promise.all(
        Array.from({ length: NORMAL }, async () => ({ id: await submitAsync(publisher.url, user, echo, 'still-fine'), user })),
      );
      const all = [...hostile.map((h) => ({ id: h.id, user })), ...normal];
      row.submitted = all.length;
      const records = await waitAllFinal(() => publisher.url, all, 120_000);
      const finals = [...records.values()].filter((r) => r && ['succeeded', 'failed', 'timed_out', 'error'].includes(r.status));
      row.final = finals.length;
      row.lost = all.length - finals.length;
      row.duplicate = results.duplicates(all.map((s) => s.id)).length;

      const wrong: string[] = [];
      for (const h of hostile) {
        try {
          HOSTILE[h.label]!.check(records.get(h.id) ?? ({ id: h.id, status: 'missing' } as Execution));
        } catch (err) {
          wrong.push(`${h.label}: ${(err as Error).message}`);
        }
      }
      const normalOk = normal.filter((s) => records.get(s.id)?.status === 'succeeded' && records.get(s.id)?.result === 'still-fine').length;
      const statuses = hostile.map((h) => `${h.label} ${records.get(h.id)?.status ?? '?'}`).join(', ');
      row.notes = `${statuses}; normal ${normalOk}/${NORMAL} succeeded; network refused at registration (400)`;

      expect(wrong, 'hostile records not as expected').to.deep.equal([]);
      expect(normalOk, 'normal executions that succeeded').to.equal(NORMAL);
      expect(row.lost).to.equal(0);
      expect(row.duplicate).to.equal(0);
      for (const spawner of p.spawners) expect((await request(`${spawner.url}/ready`)).status, 'spawner ready afterwards').to.equal(200);
    } finally {
      results.stop();
    }
  });
});
