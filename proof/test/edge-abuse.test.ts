import { request as httpRequest } from 'node:http';
import { request } from '@faas/testing';
import { expect } from 'chai';
import { newUser } from './support/client.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform } from './support/platform.js';
import { ServiceProcess } from './support/processes.js';

/** A login from a chosen loopback source address: the auth service sees it as that client's peer. */
function loginFrom(url: string, localAddress: string, username: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = httpRequest(`${url}/auth/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Issue 28: abuse at the edges, against the services as separate processes. */
describe('proof: abuse at the edges', function () {
  this.timeout(180_000);

  it('keeps a known user logging in with the right password while another address tries to lock them out', async () => {
    const row = ledgerRow('lockout attempt on a known user');
    const p = await proofPlatform();
    const victim = await newUser(p);
    const attacker: number[] = [];
    const victimLogins: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++) attacker.push(await loginFrom(p.auth.url, '127.0.0.2', victim.username, `guess-${round}-${i}`));
      victimLogins.push(await loginFrom(p.auth.url, '127.0.0.1', victim.username, 'correct-horse-battery'));
    }
    const refused = attacker.filter((s) => s === 429).length;
    row.submitted = attacker.length + victimLogins.length;
    row.final = '-';
    row.lost = '-';
    row.duplicate = '-';
    row.fiveXx = [...attacker, ...victimLogins].filter((s) => s >= 500).length;
    row.notes = `attacker (127.0.0.2): ${attacker.filter((s) => s === 401).length} x 401, ${refused} x 429 before bcrypt; victim (127.0.0.1): ${victimLogins.filter((s) => s === 200).length}/${victimLogins.length} logins 200 meanwhile`;
    expect(victimLogins).to.deep.equal(victimLogins.map(() => 200));
    expect(attacker.filter((s) => s !== 401 && s !== 429)).to.deep.equal([]);
    expect(refused, 'the attacker is throttled').to.be.at.least(attacker.length - 5);
  });

  it('passes at most the limit of a 1000-request burst from one user (60 a minute)', async () => {
    const row = ledgerRow('1000-request burst, one user, limit 60/min');
    const p = await proofPlatform();
    const limited = await ServiceProcess.start({
      workspace: 'registry-service',
      name: 'registry-rate-limited',
      readyPath: '/registry/ready',
      env: { NATS_URL: p.cluster.urls.join(','), NATS_REPLICAS: '3', JWT_SECRET_FILE: p.secretFile, ...p.cluster.serviceEnv('registry'), USER_RATE_LIMIT_COUNT: '60', USER_RATE_LIMIT_WINDOW_SECONDS: '60' },
    });
    try {
      const user = await newUser(p);
      // The limit counts in fixed windows (docs/limits.md): a burst across a window's end may pass
      // the limit in each of the two, as this row once did (120 x 200). The burst starts with at
      // least half a window ahead of it, and must end in the window it started in.
      const windowMs = 60_000;
      const windowOf = (ms: number): number => Math.floor(ms / windowMs);
      if (Date.now() % windowMs > windowMs / 2) await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 50));
      const startedIn = windowOf(Date.now());
      const statuses = await Promise.all(Array.from({ length: 1000 }, () => request(`${limited.url}/registry/functions`, { token: user.token }).then((r) => r.status)));
      expect(windowOf(Date.now()), 'the burst outlasted half a minute').to.equal(startedIn);
      const passed = statuses.filter((s) => s === 200).length;
      row.submitted = statuses.length;
      row.final = '-';
      row.lost = '-';
      row.duplicate = '-';
      row.fiveXx = statuses.filter((s) => s >= 500).length;
      row.notes = `${passed} x 200, ${statuses.filter((s) => s === 429).length} x 429 (limit 60 per 60 s)`;
      expect(passed).to.be.within(1, 60);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).to.deep.equal([]);
    } finally {
      await limited.stop();
    }
  });
});
