import { CONSUMERS } from '@faas/common';
import { eventually, request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { FINAL_STATUSES, inParallel, newFunction, newUser, submitAsync, waitAllFinal, type Execution, type User } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform, type ProofPlatform } from './support/platform.js';

const UPLOADS = 40;
const WIDTH = 8;
const MAX_CONCURRENT = 3;

/** The user's executions of `fn`, every page. */
async function executionsOf(p: ProofPlatform, user: User, fn: string): Promise<Execution[]> {
  const res = await request<{ items: Execution[] }>(`${p.publishers[0]?.url ?? ''}/publisher/executions?function=${fn}&limit=200`, { token: user.token });
  return res.status === 200 ? res.body.items : [];
}

/** Every change in the uploads store so far has been handled (acked) by the publishers' object consumer. */
async function changesHandled(p: ProofPlatform): Promise<void> {
  const jsm = await p.nc.jetstreamManager();
  const { state } = await jsm.streams.info('OBJ_objects');
  await eventually(async () => ((await jsm.consumers.info('OBJ_objects', CONSUMERS.publisherObjects)).ack_floor.stream_seq >= state.last_seq ? true : undefined), 60_000, 200);
}

/** Issue 27 part 2: an upload flood against a user's object trigger is bounded by that user's quota, and fires each object at most once. */
describe('proof: an upload flood against an object trigger', function () {
  this.timeout(300_000);

  it("runs at most the user's concurrency quota at once, never one object twice, and leaves other users' executions alone", async () => {
    const row = ledgerRow(`object-trigger flood: ${UPLOADS} uploads, ${WIDTH} at a time, quota ${MAX_CONCURRENT}`);
    const p = await proofPlatform();
    await buildProofImages();
    const [mallory, alice] = await Promise.all([newUser(p), newUser(p)]);
    const admin = await request<{ token: string }>(`${p.auth.url}/auth/login`, { body: p.admin });
    const capped = await request(`${p.auth.url}/auth/admin/users/${mallory.username}`, { method: 'PATCH', token: admin.body.token, body: { maxConcurrent: MAX_CONCURRENT } });
    expect(capped.status, JSON.stringify(capped.body)).to.equal(200);
    const fn = await newFunction(p, mallory, PROOF_IMAGES.work);
    const trigger = await request(`${p.registry.url}/registry/triggers`, { token: mallory.token, body: { name: uniqueName('flood'), kind: 'object', function: fn, prefix: 'flood/' } });
    expect(trigger.status, JSON.stringify(trigger.body)).to.equal(201);

    // Sample the user's unfinished executions all along the flood.
    let busiest = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const open = (await executionsOf(p, mallory, fn)).filter((e) => !FINAL_STATUSES.has(e.status)).length;
        busiest = Math.max(busiest, open);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const put = (i: number) => async (): Promise<number> => {
      const res = await fetch(`${p.registry.url}/registry/objects/flood/${i}.txt`, { method: 'PUT', headers: { authorization: `Bearer ${mallory.token}` }, body: `object ${i}` });
      await res.arrayBuffer();
      return res.status;
    };
    const statuses = await inParallel(Array.from({ length: UPLOADS }, (_, i) => put(i)), WIDTH);
    // Meanwhile another user's work runs as usual.
    const echo = await newFunction(p, alice, PROOF_IMAGES.echo);
    const ids = await Promise.all([1, 2, 3].map((i) => submitAsync(p.publishers[0]?.url ?? '', alice, echo, `still-${i}`)));
    const others = await waitAllFinal(() => p.publishers[0]?.url ?? '', ids.map((id) => ({ id, user: alice })), 90_000);
    await changesHandled(p);
    const runs = await eventually(async () => {
      const all = await executionsOf(p, mallory, fn);
      return all.every((e) => FINAL_STATUSES.has(e.status)) ? all : undefined;
    }, 120_000, 500);
    sampling = false;
    await sampler;

    const objects = runs.map((e) => String((e.trigger as { object?: string } | undefined)?.object));
    const duplicates = objects.length - new Set(objects).size;
    row.submitted = UPLOADS;
    row.final = runs.length;
    row.lost = '-';
    row.duplicate = duplicates;
    row.fiveXx = statuses.filter((s) => s >= 500).length;
    row.notes = `${runs.length} executions started, ${UPLOADS - runs.length} uploads refused at the quota (logged, by design); at most ${busiest} unfinished at once; other user's 3 executions ${[...others.values()].map((e) => e?.status).join(', ')}`;
    expect(statuses.filter((s) => s !== 201), 'every upload stored').to.deep.equal([]);
    expect(busiest, 'never more unfinished than the quota').to.be.at.most(MAX_CONCURRENT);
    expect(runs.length).to.be.within(1, UPLOADS);
    expect(duplicates, 'no object fired twice').to.equal(0);
    expect(runs.every((e) => e.status === 'succeeded'), JSON.stringify(runs.map((e) => e.status))).to.equal(true);
    expect([...others.values()].map((e) => e?.status)).to.deep.equal(['succeeded', 'succeeded', 'succeeded']);
  });
});
