import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import {
  connectNats,
  createLogger,
  createUserTokenVerifier,
  issueToken,
  openRequestCounter,
  RateLimitedError,
  USER_REQUESTS_STREAM,
  USER_REQUESTS_SUBJECTS,
  type TokenSettings,
} from '../src/index.js';
import { startNatsCluster, testNatsServiceEnv, testNatsUrls } from '@faas/testing';

const settings: TokenSettings = { secret: 'x'.repeat(43), issuer: 'faas-test', audience: 'faas-test', ttlSeconds: 600, consumerKey: 'faas' };

/** Issue 28 item 2: the per-user limit against the real cluster, connected as a service with its own permissions. */
describe('per-user request limit: a burst passes at most the limit', function () {
  this.timeout(60_000);
  let nc: NatsConnection;
  before(async () => {
    const env = testNatsServiceEnv('registry');
    const auth = { user: env.NATS_USER, password: readFileSync(env.NATS_PASSWORD_FILE, 'utf8').trim() };
    nc = await connectNats({ servers: testNatsUrls(), name: 'user-limit-test', logger: createLogger('test', 'silent'), auth });
  });
  after(() => nc.drain());

  const outcomes = async (verify: (token: string) => Promise<unknown>, token: string, n: number) => {
    const results = await Promise.allSettled(Array.from({ length: n }, () => verify(token)));
    const refused = results.filter((r) => r.status === 'rejected');
    for (const r of refused) expect(r.reason, String(r.reason)).to.be.instanceOf(RateLimitedError);
    return { passed: results.length - refused.length, refused: refused.length };
  };

  it('lets at most 60 of 1000 concurrent requests of one user through with a limit of 60 a minute, and refuses the rest with 429', async () => {
    const verify = await createUserTokenVerifier(nc, { ...settings, userRateLimit: { count: 60, windowSeconds: 60 } }, 3);
    const { token } = await issueToken(settings, { id: randomUUID(), username: 'burst', role: 'user' });
    const burst = await outcomes(verify, token, 1000);
    expect(burst.passed, 'the burst').to.be.within(1, 60);
    expect(burst.refused).to.equal(1000 - burst.passed);
    // The rest of the window's budget, one request at a time: the count is exact, then refused.
    let more = 0;
    while ((await outcomes(verify, token, 1)).passed === 1) more += 1;
    expect(burst.passed + more, 'requests passed in the window').to.be.at.most(60);
    expect(burst.passed + more, 'a refused burst does not eat the budget it did not use').to.equal(60);
    const other = await issueToken(settings, { id: randomUUID(), username: 'other', role: 'user' });
    expect((await outcomes(verify, other.token, 1)).passed, 'another user').to.equal(1);
  });
});

describe('per-user request limit: the count through a node loss', function () {
  this.timeout(90_000);

  it('counts each request once while the counter stream elects a leader, instead of failing it (503)', async () => {
    const cluster = await startNatsCluster(3);
    const nc = await connectNats({ servers: cluster.urls, name: 'user-limit-election', logger: createLogger('test', 'silent') });
    try {
      const hit = await openRequestCounter(nc, { count: 1000, windowSeconds: 600 }, { replicas: 3 });
      await hit('before');
      const jsm = await nc.jetstreamManager({ timeout: 10_000 });
      const leader = (await jsm.streams.info(USER_REQUESTS_STREAM)).cluster?.leader;
      const victim = cluster.servers.find((s) => s.options.serverName === leader);
      expect(victim, `the stream's leader ${leader}`).to.not.equal(undefined);
      await victim!.stop('SIGKILL');
      const key = `during-${randomUUID()}`;
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => hit(key)));
      expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])), 'requests failed during the election').to.deep.equal([]);
      const info = await jsm.streams.info(USER_REQUESTS_STREAM, { subjects_filter: `${USER_REQUESTS_SUBJECTS}.${key}.>` });
      const counted = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
      expect(counted, 'each request counted once (a retry whose first try landed is the same message)').to.equal(20);
    } finally {
      await nc.close();
      await cluster.stop();
    }
  });
});
