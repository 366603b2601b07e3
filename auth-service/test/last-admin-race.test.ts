import { randomUUID } from 'node:crypto';
import { ConflictError, connectNats, createLogger, openBucket } from '@faas/common';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { createAccountWriter } from '../src/account-writer.js';
import { createKvAdminLock } from '../src/admin-lock.js';
import { changeUser, deleteUser, type AdminDeps } from '../src/admin.js';
import { createUserEraser } from '../src/user-erasure.js';
import { createUserStore } from '../src/user-store.js';

const ROUNDS = 5;

/**
 * Issue 21 item 4: "is another admin left?" and the write were two steps, so two admins disabling
 * (or deleting) each other at once both passed the check. Each round has a users bucket of its own
 * with exactly two enabled admins: "the last admin" is a fact about the whole bucket.
 */
describe('auth: the last-admin check holds when two admins remove each other at once', function () {
  this.timeout(60_000);
  let nc: NatsConnection;
  const logger = createLogger('last-admin', 'silent');

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'last-admin-race', logger });
  });
  after(async () => {
    await nc?.close();
  });

  async function twoAdmins(): Promise<{ deps: AdminDeps; names: [string, string]; cleanup: () => Promise<void> }> {
    const usersBucket = uniqueName('t21c-users');
    const accountsBucket = uniqueName('t21c-accounts');
    const kv = await openBucket(nc, usersBucket, { replicas: 1, leaderReads: true });
    const users = createUserStore(kv);
    const names: [string, string] = [uniqueName('adm-a'), uniqueName('adm-b')];
    for (const username of names) {
      await users.create({ id: randomUUID(), username, passwordHash: 'x', role: 'admin', createdAt: new Date().toISOString() });
    }
    const accounts = createAccountWriter(await openBucket(nc, accountsBucket, { replicas: 1 }));
    const deps = { users, accounts, eraseUser: createUserEraser(nc, logger), adminLock: createKvAdminLock(kv) };
    const jsm = await nc.jetstreamManager();
    return { deps, names, cleanup: async () => void (await Promise.all([jsm.streams.delete(`KV_${usersBucket}`), jsm.streams.delete(`KV_${accountsBucket}`)])) };
  }

  const enabledAdmins = async (deps: AdminDeps): Promise<number> => {
    const all = await Promise.all((await deps.users.keys()).map((k) => deps.users.find(k)));
    return all.filter((u) => u?.role === 'admin' && !u.disabled).length;
  };

  it('keeps one enabled admin when each disables the other concurrently: one change wins, the other is a 409', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { deps, names, cleanup } = await twoAdmins();
      const outcomes = await Promise.allSettled(names.map((name) => changeUser(deps, name, { disabled: true })));
      expect(await enabledAdmins(deps), `round ${round}`).to.equal(1);
      expect(outcomes.filter((o) => o.status === 'fulfilled'), `round ${round}`).to.have.length(1);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(refused?.status === 'rejected' && refused.reason, `round ${round}`).to.be.instanceOf(ConflictError);
      await cleanup();
    }
  });

  it('keeps one enabled admin when each deletes the other concurrently', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { deps, names, cleanup } = await twoAdmins();
      const outcomes = await Promise.allSettled(names.map((name) => deleteUser(deps, name)));
      expect(await enabledAdmins(deps), `round ${round}`).to.equal(1);
      // The erasure after the check may fail on its own (buckets of other services): only the check is judged here.
      const refusals = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ConflictError);
      expect(refusals, `round ${round}`).to.have.length(1);
      await cleanup();
    }
  });
});
