import { request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, finalExecution, newFunction, newUser, startTestPlatform, type Execution } from './helpers.js';

describe('standalone platform: the full flow over HTTP with real Docker', function () {
  this.timeout(120_000);
  let platform: Platform;
  let base: string;

  before(async () => {
    await buildImages();
    platform = await startTestPlatform();
    base = platform.baseUrl;
  });
  after(() => platform.stop());

  it('registers, logs in, registers a function and publishes it synchronously', async () => {
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.echo);
    const res = await request<Execution>(`${base}/publisher/publish`, { token: user.token, body: { name, argument: 'Hola, Mundo!' } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ status: 'succeeded', result: 'Hola, Mundo!', exitCode: 0, function: name, attempt: 1 });
    expect(res.body.durationMs).to.be.a('number');
  });

  it('gives the seed results of the three example functions', async () => {
    const user = await newUser(base);
    const cases: Array<[string, unknown, string]> = [
      [IMAGES.wordcount, 'Hola, Mundo!', '2'],
      [IMAGES.multiply, '{"a":23,"b":10}', '230'],
      [IMAGES.multiply, { a: 23, b: 10 }, '230'],
      [IMAGES.uppercase, 'hola mundo', 'HOLA MUNDO'],
    ];
    for (const [image, argument, expected] of cases) {
      const name = await newFunction(base, user, image);
      const res = await request<Execution>(`${base}/publisher/publish`, { token: user.token, body: { name, argument } });
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('succeeded');
      expect(res.body.result?.trim()).to.equal(expected);
    }
  });

  it('runs asynchronously: 202 with a status URL, then a final record when polled', async () => {
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.uppercase);
    const res = await request<{ executionId: string; statusUrl: string }>(`${base}/publisher/executions`, {
      token: user.token,
      body: { name, argument: 'async' },
    });
    expect(res.status).to.equal(202);
    expect(res.body.statusUrl).to.equal(`/publisher/executions/${res.body.executionId}`);
    const final = await finalExecution(base, user, res.body.executionId);
    expect(final).to.include({ status: 'succeeded', result: 'ASYNC\n' });

    const list = await request<{ items: Execution[] }>(`${base}/publisher/executions?function=${name}`, { token: user.token });
    expect(list.body.items.map((e) => e.id)).to.deep.equal([res.body.executionId]);
  });

  it('answers 404 for a function that does not exist, sync and async, and queues nothing', async () => {
    const user = await newUser(base);
    const sync = await request(`${base}/publisher/publish`, { token: user.token, body: { name: 'nope', argument: 'x' } });
    const async = await request(`${base}/publisher/executions`, { token: user.token, body: { name: 'nope', argument: 'x' } });
    expect([sync.status, async.status]).to.deep.equal([404, 404]);
    const list = await request<{ items: unknown[] }>(`${base}/publisher/executions`, { token: user.token });
    expect(list.body.items).to.have.length(0);
  });

  it('refuses bad publish input with 4xx JSON errors', async () => {
    const user = await newUser(base);
    const name = await newFunction(base, user, IMAGES.echo);
    const cases: Array<[unknown, number]> = [
      [{}, 400],
      [{ name: 'a.b', argument: 'x' }, 400],
      [{ name: 'fn>', argument: 'x' }, 400],
      [{ name, argument: null }, 400],
      [{ name, argument: 'x'.repeat(70_000) }, 413],
    ];
    for (const [body, status] of cases) {
      const res = await request(`${base}/publisher/publish`, { token: user.token, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).to.equal(status);
      expect(res.body).to.have.nested.property('error.code');
    }
    expect((await request(`${base}/publisher/publish`, { body: { name, argument: 'x' } })).status).to.equal(401);
    expect((await request(`${base}/publisher/executions/not-an-id`, { token: user.token })).status).to.equal(404);
  });
});
