import { request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, newFunction, newUser, startTestPlatform, type Execution, type TestUser } from './helpers.js';

type WithFiles = Execution & { error?: string; outputs?: { files: { path: string; name: string; size: number }[]; truncated: boolean } };

describe('standalone platform: objects as inputs and outputs of a file-processing function', function () {
  this.timeout(180_000);
  let platform: Platform;
  let base: string;
  let alice: TestUser;
  let mallory: TestUser;

  before(async () => {
    await buildImages();
    platform = await startTestPlatform();
    base = platform.baseUrl;
    [alice, mallory] = await Promise.all([newUser(base), newUser(base)]);
  });
  after(() => platform.stop());

  const put = async (user: TestUser, name: string, text: string): Promise<number> =>
    (await fetch(`${base}/registry/objects/${name}`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'text/csv' }, body: text })).status;
  const publish = (user: TestUser, body: Record<string, unknown>) => request<WithFiles>(`${base}/publisher/publish`, { token: user.token, body });

  it('runs csvlines over an uploaded input; both outputs are in the record and downloadable, by their owner only', async () => {
    expect(await put(alice, 'data/2026/in.csv', 'city,people\nOviedo,220000\nGijon,270000\n')).to.equal(201);
    const name = await newFunction(base, alice, IMAGES.csvlines);
    const res = await publish(alice, { name, argument: 'data/2026/in.csv', inputs: ['data/2026/in.csv'] });
    expect(res.status).to.equal(200);
    expect(res.body.status, res.body.error).to.equal('succeeded');
    expect(res.body.result).to.equal('3\n');
    const files = res.body.outputs?.files ?? [];
    expect(files.map((f) => [f.path, f.size])).to.deep.equal([['header.csv', 12], ['lines.txt', 2]]);
    const header = await request(`${base}/registry/objects/${files[0]?.name ?? ''}`, { token: alice.token });
    expect(header.status).to.equal(200);
    expect(header.body).to.equal('city,people\n');
    const lines = await fetch(`${base}/registry/objects/executions/${res.body.id}/lines.txt`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(await lines.text()).to.equal('3\n');
    expect((await request(`${base}/registry/objects/executions/${res.body.id}/lines.txt`, { token: mallory.token })).status).to.equal(404);
    const listed = await request<{ items: { name: string }[] }>(`${base}/registry/objects?prefix=executions/${res.body.id}/`, { token: alice.token });
    expect(listed.body.items.map((i) => i.name)).to.deep.equal(files.map((f) => f.name));
  });

  it("answers 404 naming the object when an input is another user's (or missing); nothing is queued", async () => {
    expect(await put(alice, 'private.csv', 'a\n')).to.equal(201);
    const name = await newFunction(base, mallory, IMAGES.csvlines);
    for (const input of ['private.csv', 'executions/00000000-0000-7000-8000-000000000000/x.txt', 'never/uploaded.csv']) {
      const res = await publish(mallory, { name, argument: input, inputs: [input] });
      expect(res.status, input).to.equal(404);
      expect((res.body as unknown as { error: { message: string } }).error.message).to.include(input);
    }
    const listed = await request<{ items: unknown[] }>(`${base}/publisher/executions?function=${name}`, { token: mallory.token });
    expect(listed.body.items).to.deep.equal([]);
  });

  it('refuses bad input names with a 400 before queueing', async () => {
    const name = await newFunction(base, alice, IMAGES.csvlines);
    for (const inputs of [['../etc/passwd'], ['/abs'], ['a/'], ['x\u0000y'], ['a'.repeat(256)], 'data.csv', [1], ['a', 'a']]) {
      const res = await publish(alice, { name, inputs });
      expect(res.status, JSON.stringify(inputs)).to.equal(400);
    }
  });
});
