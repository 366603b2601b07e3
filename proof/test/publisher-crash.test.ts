import { request } from '@faas/testing';
import { expect } from 'chai';
import { FINAL_STATUSES, newFunction, newUser, waitAllFinal, waitUntil, type Execution } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { ResultWatcher } from './support/observers.js';
import { proofPlatform } from './support/platform.js';

const WAITING = 8;

describe('proof: a publisher killed with SIGKILL while clients wait synchronously', function () {
  this.timeout(120_000);
  const row = ledgerRow('publisher crash (SIGKILL, sync clients)');

  it('still ends every execution final, readable through another publisher', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    const results = new ResultWatcher(p.nc);
    try {
      const survivor = p.publishers[0]!;
      const victim = await p.addPublisher();
      const user = await newUser(p);
      const name = await newFunction(p, user, PROOF_IMAGES.sleep, { timeoutSeconds: 30 });

      const waiting = Array.from({ length: WAITING }, () =>
        request(`${victim.url}/publisher/publish`, { token: user.token, body: { name, argument: '3' } }).then(
          (res) => ({ status: res.status }),
          (err: unknown) => ({ error: err }),
        ),
      );
      // Every request is queued (its record is in the user's index) before the crash.
      let listed: Execution[] = [];
      await waitUntil(async () => {
        const res = await request<{ items: Execution[] }>(`${survivor.url}/publisher/executions?function=${name}`, { token: user.token });
        listed = res.body.items ?? [];
        return listed.length === WAITING;
      }, 30_000);
      const notYetFinal = listed.filter((e) => !FINAL_STATUSES.has(e.status)).length;
      await victim.stop('SIGKILL');
      const outcomes = await Promise.all(waiting);
      const cutOff = outcomes.filter((o) => 'error' in o).length;
      const answered5xx = outcomes.filter((o) => 'status' in o && o.status >= 500).length;

      row.submitted = WAITING;
      const records = await waitAllFinal(() => survivor.url, listed.map((e) => ({ id: e.id, user })), 60_000);
      const final = [...records.values()].filter((r): r is Execution => r !== undefined && FINAL_STATUSES.has(r.status));
      row.final = final.length;
      row.lost = WAITING - final.length;
      row.duplicate = results.duplicates(listed.map((e) => e.id)).length;
      row.fiveXx = answered5xx;
      row.notes = `${notYetFinal} not final at the kill; ${cutOff} waiting clients cut off; ${final.filter((r) => r.status === 'succeeded').length} succeeded, read via the other publisher`;

      expect(row.lost, 'executions not final').to.equal(0);
      expect(final.map((r) => r.status)).to.deep.equal(Array(WAITING).fill('succeeded'));
      expect(row.duplicate).to.equal(0);
      expect(answered5xx).to.equal(0);
    } finally {
      results.stop();
    }
  });
});
