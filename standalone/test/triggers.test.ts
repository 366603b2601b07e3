import { eventually, request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, capturingLogger, finalExecution, newFunction, newUser, startTestPlatform, type Execution, type TestUser } from './helpers.js';

type Trigger = { name: string; token?: string; url?: string };
type Page = { items: Execution[] };

describe('standalone platform: triggers with real executions', function () {
  this.timeout(180_000);
  let platform: Platform;
  let base: string;
  const logs: string[] = [];

  before(async () => {
    await buildImages();
    platform = await startTestPlatform({ TRIGGER_MAX_CHAIN_DEPTH: '3' }, capturingLogger(logs));
    base = platform.baseUrl;
  });
  after(() => platform.stop());

  const createTrigger = async (user: TestUser, body: Record<string, unknown>): Promise<Trigger> => {
    const res = await request<Trigger>(`${base}/registry/triggers`, { token: user.token, body: { name: `tr${Date.now()}${Math.random().toString(36).slice(2, 8)}`, ...body } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const executionsOf = async (user: TestUser, fn: string): Promise<Execution[]> =>
    (await request<Page>(`${base}/publisher/executions?function=${fn}&limit=200`, { token: user.token })).body.items;

  it('runs a webhook’s function with the request body as its argument', async () => {
    const user = await newUser(base);
    const fn = await newFunction(base, user, IMAGES.echo);
    const hook = await createTrigger(user, { kind: 'webhook', function: fn });
    const res = await fetch(`${base}${hook.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":42}' });
    expect(res.status).to.equal(202);
    const { executionId } = (await res.json()) as { executionId: string };
    const final = await finalExecution(base, user, executionId);
    expect(final).to.include({ status: 'succeeded', result: '{"order":42}' });
    expect(final.trigger).to.include({ name: hook.name, kind: 'webhook' });
  });

  it('chains a function to another with the first one’s result, and stops a loop at the depth limit', async () => {
    const user = await newUser(base);
    const ping = await newFunction(base, user, IMAGES.echo);
    const pong = await newFunction(base, user, IMAGES.echo);
    await createTrigger(user, { kind: 'function-finished', function: pong, source: ping });
    await createTrigger(user, { kind: 'function-finished', function: ping, source: pong });
    const first = await request<Execution>(`${base}/publisher/publish`, { token: user.token, body: { name: ping, argument: 'ball' } });
    expect(first.body).to.include({ status: 'succeeded', result: 'ball' });
    // Depth 3: ping (client) -> pong (1) -> ping (2) -> pong (3), then the chain stops.
    const all = await eventually(async () => {
      const found = [...(await executionsOf(user, ping)), ...(await executionsOf(user, pong))];
      return found.length >= 4 && found.every((e) => e.status === 'succeeded') ? found : undefined;
    }, 60_000, 200);
    const chained = all.filter((e) => e.trigger).sort((a, b) => Number((a.trigger as { depth: number }).depth) - Number((b.trigger as { depth: number }).depth));
    expect(chained.map((e) => [e.function, (e.trigger as { depth: number }).depth, e.result])).to.deep.equal([
      [pong, 1, 'ball'],
      [ping, 2, 'ball'],
      [pong, 3, 'ball'],
    ]);
    expect((chained[0]?.trigger as { sourceExecution: string }).sourceExecution).to.equal(first.body.id);
    // The last one's end meets the limit: the publisher says so, and starts nothing after it.
    const last = chained[2] as Execution;
    await eventually(() => logs.find((l) => l.includes('chain stopped at its depth limit') && l.includes(last.id)), 30_000, 100);
    const after = [...(await executionsOf(user, ping)), ...(await executionsOf(user, pong))];
    expect(after.length).to.equal(4);
  });

  it('refuses a trigger on another user’s function and a bad cron or zone with 4xx', async () => {
    const alice = await newUser(base);
    const bob = await newUser(base);
    const bobs = await newFunction(base, bob, IMAGES.echo);
    const theirs = await request(`${base}/registry/triggers`, { token: alice.token, body: { name: 'steal', kind: 'webhook', function: bobs } });
    expect(theirs.status).to.equal(400);
    const cron = await request(`${base}/registry/triggers`, { token: bob.token, body: { name: 'bad', kind: 'schedule', function: bobs, cron: 'every minute' } });
    expect(cron.status).to.equal(400);
    const zone = await request(`${base}/registry/triggers`, { token: bob.token, body: { name: 'bad', kind: 'schedule', function: bobs, cron: '* * * * *', timeZone: 'Nowhere/City' } });
    expect(zone.status).to.equal(400);
  });
});
