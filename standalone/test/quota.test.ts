import { eventually, request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, finalExecution, newFunction, newUser, startTestPlatform } from './helpers.js';

describe('standalone platform: per-user concurrency quota', function () {
  this.timeout(90_000);
  let platform: Platform;

  before(async () => {
    await buildImages();
    platform = await startTestPlatform({ MAX_CONCURRENT_PER_USER: '2' });
  });
  after(() => platform.stop());

  it('answers 429 beyond the quota and accepts again once executions finish', async () => {
    const base = platform.baseUrl;
    const user = await newUser(base);
    const other = await newUser(base);
    const name = await newFunction(base, user, IMAGES.sleep);
    const submit = (token: string, fn: string) =>
      request<{ executionId: string }>(`${base}/publisher/executions`, { token, body: { name: fn, argument: '2' } });

    const first = await submit(user.token, name);
    const second = await submit(user.token, name);
    expect([first.status, second.status]).to.deep.equal([202, 202]);
    const third = await submit(user.token, name);
    expect(third.status).to.equal(429);
    expect(third.body).to.have.nested.property('error.code', 'QUOTA_EXCEEDED');

    const othersFn = await newFunction(base, other, IMAGES.sleep);
    expect((await submit(other.token, othersFn)).status, 'the quota is per user').to.equal(202);

    await finalExecution(base, user, first.body.executionId);
    await finalExecution(base, user, second.body.executionId);
    const again = await eventually(async () => {
      const res = await submit(user.token, name);
      return res.status === 202 ? res : undefined;
    }, 10_000, 100);
    await finalExecution(base, user, again.body.executionId);
  });
});
