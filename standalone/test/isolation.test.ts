import { request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, finalExecution, newFunction, newUser, startTestPlatform } from './helpers.js';

describe('standalone platform: users are isolated', function () {
  this.timeout(60_000);
  let platform: Platform;

  before(async () => {
    await buildImages();
    platform = await startTestPlatform();
  });
  after(() => platform.stop());

  it("neither executes another user's function nor reads their executions", async () => {
    const base = platform.baseUrl;
    const alice = await newUser(base);
    const bob = await newUser(base);
    const name = await newFunction(base, alice, IMAGES.echo);
    const run = await request<{ executionId: string }>(`${base}/publisher/executions`, { token: alice.token, body: { name, argument: 'mine' } });
    expect(run.status).to.equal(202);
    await finalExecution(base, alice, run.body.executionId);

    const publish = await request(`${base}/publisher/publish`, { token: bob.token, body: { name, argument: 'x' } });
    expect(publish.status).to.equal(404);
    const queue = await request(`${base}/publisher/executions`, { token: bob.token, body: { name, argument: 'x' } });
    expect(queue.status).to.equal(404);
    const read = await request(`${base}/publisher/executions/${run.body.executionId}`, { token: bob.token });
    expect(read.status).to.equal(404);
    const list = await request<{ items: unknown[] }>(`${base}/publisher/executions`, { token: bob.token });
    expect(list.body.items).to.have.length(0);
    const own = await request(`${base}/publisher/executions/${run.body.executionId}`, { token: alice.token });
    expect(own.status).to.equal(200);
  });
});
