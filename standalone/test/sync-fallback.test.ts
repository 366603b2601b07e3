import { request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, finalExecution, newFunction, newUser, startTestPlatform } from './helpers.js';

describe('standalone platform: synchronous calls past the sync wait', function () {
  this.timeout(60_000);
  let platform: Platform;

  before(async () => {
    await buildImages();
    platform = await startTestPlatform({ MAX_SYNC_WAIT_SECONDS: '1' });
  });
  after(() => platform.stop());

  it('answers 202 with the execution id and status URL, and the execution still finishes', async () => {
    const base = platform.baseUrl;
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.sleep, { timeoutSeconds: 10 });
    const res = await request<{ executionId: string; statusUrl: string; status: string }>(`${base}/publisher/publish`, {
      token: user.token,
      body: { name, argument: '6' },
    });
    const answeredAt = Date.now();
    expect(res.status).to.equal(202);
    expect(res.headers.get('location')).to.equal(res.body.statusUrl);
    expect(res.body.statusUrl).to.equal(`/publisher/executions/${res.body.executionId}`);
    const final = await finalExecution(base, user, res.body.executionId);
    expect(final.status).to.equal('succeeded');
    // The 202 came while the run was still going (no latency bound: that fails on a loaded machine).
    expect(Date.parse(String(final.finishedAt)), 'finished after the 202').to.be.above(answeredAt);
  });
});
