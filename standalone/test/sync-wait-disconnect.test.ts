import { eventually } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, capturingLogger, newFunction, newUser, startTestPlatform } from './helpers.js';

describe('standalone platform: a sync caller that hangs up', function () {
  this.timeout(90_000);
  let platform: Platform;
  const lines: string[] = [];
  const logged = (msg: string, match: (line: Record<string, unknown>) => boolean) =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg && match(l));

  before(async () => {
    await buildImages();
    // No spawner: the execution stays queued, so only the caller's leaving can end the wait.
    platform = await startTestPlatform({ STANDALONE_SPAWNER: 'false' }, capturingLogger(lines));
  });
  after(() => platform.stop());

  it('stops waiting for the result when the client disconnects (the execution itself goes on)', async () => {
    const base = platform.baseUrl;
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.sleep, { timeoutSeconds: 120 });
    const client = new AbortController();
    const call = fetch(`${base}/publisher/publish`, {
      method: 'POST',
      signal: client.signal,
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, argument: '20' }),
    }).then(() => 'answered', () => 'aborted');
    const queued = await eventually(() => logged('execution queued', (l) => l.function === name), 20_000);
    client.abort();
    expect(await call).to.equal('aborted');
    // The wait would otherwise last timeoutSeconds + margin (two minutes).
    const ended = await eventually(() => logged('sync caller gone: wait ended, the execution goes on', (l) => l.executionId === queued.executionId), 20_000);
    expect(ended.executionId).to.equal(queued.executionId);
  });
});
