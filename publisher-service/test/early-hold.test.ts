import http from 'node:http';
import { eventually, request } from '@faas/testing';
import { expect } from 'chai';
import { startSubmitPublisher, type SubmitPublisher } from './trigger-helpers.js';

/** Sends the headers and the first part of a JSON body now; `finish()` sends the rest and reads the answer. */
function slowPost(url: string, token: string, body: string): { finish(): Promise<{ status: number; body: { executionId?: string } }> } {
  const target = new URL(url);
  const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const answer = new Promise<{ status: number; body: { executionId?: string } }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { executionId?: string } }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return { finish: async () => (req.end(body.slice(half)), answer) };
}

/**
 * The submit routes ask for the quota hold as soon as the token is checked, while the body is still
 * arriving (one round trip less on the caller's path); a request that fails before its submit gives
 * the slot back.
 */
describe('publisher: the submit routes take the quota hold early', function () {
  this.timeout(60_000);
  let publisher: SubmitPublisher;

  before(async () => {
    publisher = await startSubmitPublisher({ MAX_CONCURRENT_PER_USER: '2', MAX_ARGUMENT_BYTES: '1024' });
  });
  after(() => publisher.close());

  const newUser = () => publisher.newUser();
  const holdsOf = (userId: string) => publisher.holdsOf(userId);

  it('holds the slot while the body is still on its way, under the id the execution then gets', async () => {
    const { userId, name, token } = await newUser();
    const post = slowPost(`${publisher.url}/executions`, token, JSON.stringify({ name, argument: 'x' }));
    const [held] = await eventually(async () => ((await holdsOf(userId)).length === 1 ? holdsOf(userId) : undefined), 10_000, 20);
    const answer = await post.finish();
    expect(answer.status).to.equal(202);
    expect(answer.body.executionId).to.equal(held);
  });

  // Refused in the route (400), and inside the submit before it takes the hold over (413).
  for (const [what, status, body] of [
    ['a bad body', 400, (name: string) => ({ name, argument: 'x', outputs: 'yes' })],
    ['an argument over MAX_ARGUMENT_BYTES', 413, (name: string) => ({ name, argument: 'x'.repeat(2_000) })],
  ] as const) {
    it(`gives the slot back for ${what} (${status}), before answering`, async () => {
      const { userId, name, token } = await newUser();
      for (const path of ['executions', 'publish']) {
        const res = await request(`${publisher.url}/${path}`, { token, body: body(name) });
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        expect(await holdsOf(userId), `holds after ${path}`).to.deep.equal([]);
      }
      expect(await publisher.deps.index.ids(userId), 'nothing queued').to.deep.equal([]);
    });
  }

  it('answers a bad body with its 400 when the quota is full, and leaves the holds there were', async () => {
    const { userId, name, token } = await newUser();
    const accepted: string[] = [];
    for (let i = 0; i < 2; i++) accepted.push(String((await request<{ executionId: string }>(`${publisher.url}/executions`, { token, body: { name, argument: 'x' } })).body.executionId));
    expect((await request(`${publisher.url}/executions`, { token, body: { name, argument: 'x' } })).status, 'full').to.equal(429);
    expect((await request(`${publisher.url}/executions`, { token, body: { name: '../bad' } })).status, 'bad body').to.equal(400);
    expect(await holdsOf(userId)).to.deep.equal(accepted.sort());
  });
});
