import { existsSync, readFileSync } from 'node:fs';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { newFunction, newUser, type User } from './support/client.js';
import { PROOF_IMAGES } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform, type ProofPlatform } from './support/platform.js';

const ARGUMENT = 'a'.repeat(64 * 1024);
const FUNCTIONS = 11;
const SCHEDULES_EACH = 11;
/** The registry's defaults: MAX_TRIGGERS_PER_USER, MAX_SCHEDULES_PER_FUNCTION. */
const PER_USER = 100;
const PER_FUNCTION = 10;

/** A publisher's resident set; NaN for one that is not running (an earlier scenario may have killed it). */
const rssKiB = (pid: number | undefined): number => {
  const status = `/proc/${pid ?? 0}/status`;
  return pid !== undefined && existsSync(status) ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(status, 'utf8'))?.[1] ?? NaN) : NaN;
};

async function flood(p: ProofPlatform, user: User): Promise<number[]> {
  const statuses: number[] = [];
  for (let f = 0; f < FUNCTIONS; f++) {
    const fn = await newFunction(p, user, PROOF_IMAGES.echo);
    for (let s = 0; s < SCHEDULES_EACH; s++) {
      const body = { name: uniqueName('flood'), kind: 'schedule', function: fn, cron: '0 0 1 1 *', argument: ARGUMENT };
      statuses.push((await request(`${p.registry.url}/registry/triggers`, { token: user.token, body })).status);
    }
  }
  return statuses;
}

/** Issue 21 item 3: triggers were uncapped, and every publisher held every schedule's 64 KiB argument. */
describe('proof: a trigger flood (issue 21)', function () {
  this.timeout(300_000);

  it('caps each user at 100 triggers and 10 schedules a function, with no 5xx, and another user still creates one', async () => {
    const row = ledgerRow(`trigger flood: 2 users x ${FUNCTIONS * SCHEDULES_EACH} schedules of 64 KiB`);
    const p = await proofPlatform();
    const before = p.publishers.map((s) => rssKiB(s.pid));
    const users = [await newUser(p), await newUser(p)];
    const statuses = (await Promise.all(users.map((u) => flood(p, u)))).flat();
    const after = p.publishers.map((s) => rssKiB(s.pid));
    row.submitted = statuses.length;
    row.final = statuses.filter((s) => s === 201).length;
    row.fiveXx = statuses.filter((s) => s >= 500).length;
    row.lost = '-';
    row.duplicate = '-';
    const growth = after.map((a, i) => Math.round((a - (before[i] ?? NaN)) / 1024)).filter((g) => Number.isFinite(g));
    row.notes = `${row.final} created, ${statuses.filter((s) => s === 429).length} refused 429; ${Math.round((row.final * ARGUMENT.length) / 1024 / 1024)} MiB of arguments stored; publisher RSS change ${growth.join(', ')} MiB`;
    expect(row.final).to.equal(2 * PER_USER);
    expect(statuses.filter((s) => s === 429)).to.have.length(statuses.length - 2 * PER_USER);
    expect(row.fiveXx).to.equal(0);
    // The first user's first function: ten schedules, then the per-function cap.
    expect(statuses.slice(0, SCHEDULES_EACH)).to.deep.equal([...Array.from({ length: PER_FUNCTION }, () => 201), 429]);
    // A flood of one user leaves another's triggers possible.
    const other = await newUser(p);
    const fn = await newFunction(p, other, PROOF_IMAGES.echo);
    const ok = await request(`${p.registry.url}/registry/triggers`, { token: other.token, body: { name: uniqueName('ok'), kind: 'schedule', function: fn, cron: '0 0 1 1 *' } });
    expect(ok.status).to.equal(201);
  });
});
