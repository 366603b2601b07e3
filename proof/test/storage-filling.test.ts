import { request } from '@faas/testing';
import { expect } from 'chai';
import { inParallel, newFunction, newUser, submitAsync, waitAllFinal, type User } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform, type ProofPlatform } from './support/platform.js';
import { ServiceProcess } from './support/processes.js';

const MIB = 1024 * 1024;
const PER_USER = 4 * MIB;
const ROOM = 10 * MIB;

async function put(url: string, user: User, bytes: number): Promise<number> {
  const res = await fetch(url, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body: Buffer.alloc(bytes, 7) });
  await res.arrayBuffer();
  return res.status;
}

/** Uploads of 1 MiB, `width` at a time, until `count` have been tried; the statuses. */
async function flood(base: string, user: User, tag: string, count: number, width: number): Promise<number[]> {
  const tasks = Array.from({ length: count }, (_, i) => () => put(`${base}/registry/objects/${tag}/${i}`, user, MIB));
  return inParallel(tasks, width);
}

/** Issue 21, item 3: one user (then several together) tries to fill JetStream; everyone else carries on. */
describe('proof: a user filling the object store', function () {
  this.timeout(300_000);
  const row = ledgerRow('storage filling');
  let storage: ServiceProcess | undefined;
  let p: ProofPlatform;
  let defaultCap = 0;

  after(async () => {
    await storage?.stop('SIGTERM');
    // The suite's uploads bucket gets the registry's default cap back.
    if (defaultCap) await (await p.nc.jetstreamManager()).streams.update('OBJ_objects', { max_bytes: defaultCap });
  });

  it('stops the user at their quota and the bucket at its cap; logins, function writes and executions of others keep working', async () => {
    p = await proofPlatform();
    await buildProofImages();
    const jsm = await p.nc.jetstreamManager();
    const before = await jsm.streams.info('OBJ_objects');
    defaultCap = before.config.max_bytes;
    expect(defaultCap, 'the registry sets a cap on the uploads bucket').to.be.greaterThan(0);
    // A registry with small caps, so filling takes seconds: the bucket has ROOM left, each user PER_USER.
    storage = await ServiceProcess.start({
      workspace: 'registry-service',
      name: 'registry-storage',
      readyPath: '/registry/ready',
      env: { ...p.registry.options.env, OBJECTS_MAX_BYTES: String(before.state.bytes + ROOM), MAX_OBJECT_BYTES_PER_USER: String(PER_USER), MAX_OBJECT_BYTES: String(MIB) },
    });
    const [mallory, accomplice1, accomplice2, alice] = await Promise.all([newUser(p), newUser(p), newUser(p), newUser(p)]);

    const alone = await flood(storage.url, mallory, 'fill', 12, 4);
    expect(alone.filter((s) => s === 201), JSON.stringify(alone)).to.have.length(PER_USER / MIB);
    expect(alone.filter((s) => s !== 201 && s !== 413), 'past the quota: 413 only').to.deep.equal([]);

    // One at a time at the bucket's edge: two writes racing for its last room may see JetStream time out (503).
    const together = [...(await flood(storage.url, accomplice1, 'fill', 5, 1)), ...(await flood(storage.url, accomplice2, 'fill', 5, 1))];
    const all = [...alone, ...together];
    const full = all.filter((s) => s === 507).length;
    expect(full, `the bucket cap refused the accomplices: ${JSON.stringify(together)}`).to.be.greaterThan(0);
    expect(all.filter((s) => ![201, 413, 507].includes(s)), 'no other status').to.deep.equal([]);
    const after = await jsm.streams.info('OBJ_objects');
    expect(after.state.bytes, 'the bucket stayed within its cap').to.be.at.most(after.config.max_bytes);

    // Everyone else: a login, a function write, executions.
    const login = await request(`${p.auth.url}/auth/login`, { body: { username: alice.username, password: 'correct-horse-battery' } });
    expect(login.status).to.equal(200);
    const fn = await newFunction(p, alice, PROOF_IMAGES.echo, { timeoutSeconds: 20 });
    const ids = await Promise.all([1, 2, 3].map((i) => submitAsync(p.publishers[0]!.url, alice, fn, `still-${i}`)));
    const records = await waitAllFinal(() => p.publishers[0]!.url, ids.map((id) => ({ id, user: alice })), 90_000);
    const succeeded = [...records.values()].filter((r) => r?.status === 'succeeded').length;
    row.submitted = ids.length;
    row.final = [...records.values()].filter(Boolean).length;
    row.lost = ids.length - row.final;
    row.duplicate = 0;
    row.fiveXx = all.filter((s) => s >= 500 && s !== 507).length;
    row.notes = `one user: ${alone.filter((s) => s === 201).length} MiB stored then ${alone.filter((s) => s === 413).length} x 413 (quota ${PER_USER / MIB} MiB); ` +
      `two more users: ${full} x 507 at the bucket cap; bucket ${(after.state.bytes / MIB).toFixed(1)} of ${(after.config.max_bytes / MIB).toFixed(1)} MiB; ` +
      `another user's login 200, function write 201, ${succeeded}/${ids.length} executions succeeded`;
    expect(succeeded).to.equal(ids.length);
  });
});
